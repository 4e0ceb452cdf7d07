namespace AlarmInbox.Silo.Storage;

/// <summary>Reads the SQL scripts embedded in this assembly (<c>Storage/Sql/*.sql</c>).</summary>
internal static class EmbeddedScripts
{
    /// <summary>Returns the text of the script named <paramref name="name"/>.</summary>
    public static string Read(string name)
    {
        var assembly = typeof(EmbeddedScripts).Assembly;
        var resource = assembly.GetManifestResourceNames().Single(n => n.EndsWith("." + name, StringComparison.Ordinal));
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Embedded resource {resource} is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
