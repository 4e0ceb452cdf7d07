namespace AlarmInbox.Silo.Storage;

/// <summary>
/// <c>AlarmInbox.Silo schema --provider PostgreSql|SqlServer [--apply --connection-string ...]</c>: prints the cluster
/// schema script (for a DBA, with <c>AlarmInbox:Storage:CreateSchema=false</c> on the silos), or applies it.
/// </summary>
public static class SchemaCommand
{
    /// <summary>Whether the command line asks for this command.</summary>
    public static bool Matches(string[] args) => args.Length > 0 && args[0] == "schema";

    /// <summary>Runs the command; returns the exit code (0 done, 2 usage error).</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        string? provider = null;
        string? connectionString = null;
        var apply = false;
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--provider" when i + 1 < args.Length:
                    provider = args[++i];
                    break;
                case "--connection-string" when i + 1 < args.Length:
                    connectionString = args[++i];
                    break;
                case "--apply":
                    apply = true;
                    break;
                default:
                    return Usage(error, $"Unknown argument '{args[i]}'.");
            }
        }

        var canonical = StorageProviderNames.Normalize(provider);
        if (canonical is null || !StorageProviderNames.IsCluster(canonical))
        {
            return Usage(error, "--provider must be PostgreSql or SqlServer.");
        }

        if (!apply)
        {
            await output.WriteAsync(ClusterSchema.Script(canonical));
            return 0;
        }

        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return Usage(error, "--apply needs --connection-string.");
        }

        await ClusterSchema.EnsureCreatedAsync(canonical, connectionString, CancellationToken.None);
        await output.WriteLineAsync($"The {canonical} schema is up to date.");
        return 0;
    }

    private static int Usage(TextWriter error, string problem)
    {
        error.WriteLine(problem);
        error.WriteLine("Usage: AlarmInbox.Silo schema --provider PostgreSql|SqlServer             prints the SQL");
        error.WriteLine("       AlarmInbox.Silo schema --provider PostgreSql|SqlServer --apply --connection-string \"...\"");
        return 2;
    }
}
