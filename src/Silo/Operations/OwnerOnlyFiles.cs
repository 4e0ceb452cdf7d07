using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace AlarmInbox.Silo.Operations;

/// <summary>
/// Keeps what the silo writes readable by its own user only: a process umask of 077 (new files 0600, new folders
/// 0700), and the data folder and key ring tightened at start (which also fixes folders written by older releases).
/// </summary>
public static class OwnerOnlyFiles
{
    private const int OwnerOnlyUmask = 0x3F; // 077 octal: no group or other bits on anything created.
    private const UnixFileMode GroupAndOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Opens <paramref name="path"/> for writing; a file it creates gets mode 0600 whatever the umask.</summary>
    public static FileStream OpenForWriting(string path, FileMode mode)
    {
        if (OperatingSystem.IsWindows())
        {
            return new FileStream(path, mode, FileAccess.Write);
        }

        return new FileStream(path, new FileStreamOptions { Mode = mode, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite });
    }

    /// <summary>Sets the process umask to 077 so that every file and folder the process creates is its user's only. Does nothing on Windows.</summary>
    public static void RestrictProcessUmask()
    {
        if (!OperatingSystem.IsWindows())
        {
            _ = Umask(OwnerOnlyUmask);
        }
    }

    /// <summary>
    /// Creates <paramref name="directory"/> with mode 0700, or takes the group and other bits off it and off everything
    /// below it. Does nothing on Windows.
    /// </summary>
    /// <param name="directory">The data folder or the key ring folder.</param>
    /// <exception cref="UnauthorizedAccessException">The folder or a file in it belongs to another user.</exception>
    public static void Secure(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
            return;
        }

        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Tighten(directory);
        foreach (var entry in Directory.EnumerateFileSystemEntries(directory, "*", SearchOption.AllDirectories))
        {
            Tighten(entry);
        }
    }

    /// <summary>
    /// Creates an empty file with mode 0600 unless it exists, whatever the umask. SQLite gives its -wal and -shm files
    /// the mode of the database file, so creating the database this way keeps all three owner-only.
    /// </summary>
    public static void CreateOwnerOnlyFile(string path)
    {
        if (File.Exists(path))
        {
            return;
        }

        using var _ = OpenForWriting(path, FileMode.CreateNew);
    }

    [UnsupportedOSPlatform("windows")]
    private static void Tighten(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null)
        {
            return; // A symbolic link's own mode means nothing; what it points to is the operator's choice.
        }

        var mode = File.GetUnixFileMode(path);
        if ((mode & GroupAndOther) != 0)
        {
            File.SetUnixFileMode(path, mode & ~GroupAndOther);
        }
    }

    [DllImport("libc", EntryPoint = "umask")]
    private static extern int Umask(int mask);
}
