namespace AlarmInbox.Tests.Infrastructure;

/// <summary>Clean-up of the throwaway folders tests create below /tmp.</summary>
public static class TempFolder
{
    /// <summary>
    /// Deletes <paramref name="path"/> with everything in it. A file still held open (by a finalizer thread or a process that
    /// is still exiting) leaves harmless leftovers in /tmp instead of failing the test's clean-up.
    /// </summary>
    public static void DeleteQuietly(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
            // Harmless leftovers in /tmp.
        }
    }
}
