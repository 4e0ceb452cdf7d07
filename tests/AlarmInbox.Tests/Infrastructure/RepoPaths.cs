namespace AlarmInbox.Tests.Infrastructure;

/// <summary>Finds files of the repository from the test output folder.</summary>
public static class RepoPaths
{
    /// <summary>The repository root (the folder holding Orleans.sln).</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The corpus of sample alarm mails copied next to the tests.</summary>
    public static string CorpusMail { get; } = Path.Combine(AppContext.BaseDirectory, "Corpus", "mail");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orleans.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Orleans.sln not found above " + AppContext.BaseDirectory);
    }
}
