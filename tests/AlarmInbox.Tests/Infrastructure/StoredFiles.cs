using System.Text;

namespace AlarmInbox.Tests.Infrastructure;

/// <summary>Looks into what a silo wrote to its data folder.</summary>
public static class StoredFiles
{
    /// <summary>
    /// Asserts that no file below <paramref name="dataDirectory"/> holds <paramref name="secret"/> as plain UTF-8 bytes,
    /// read while the silo runs (the SQLite file and its write-ahead log included, which must be there).
    /// </summary>
    /// <param name="dataDirectory">The silo's data folder.</param>
    /// <param name="secret">The secret the test stored.</param>
    /// <param name="what">What the secret is, for the failure message (e.g. "the password").</param>
    public static async Task AssertNoneHoldsInClearTextAsync(string dataDirectory, string secret, string what)
    {
        var needle = Encoding.UTF8.GetBytes(secret);
        var files = Directory.GetFiles(dataDirectory, "*", SearchOption.AllDirectories);
        Assert.Contains(files, f => f.EndsWith(".db", StringComparison.Ordinal));
        foreach (var file in files)
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            Assert.True(copy.ToArray().AsSpan().IndexOf(needle) < 0, $"{file} holds {what} in clear text");
        }
    }
}
