using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using AlarmInbox.Silo.Hosting;
using AlarmInbox.Silo.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace AlarmInbox.Silo.Operations;

/// <summary>
/// <c>AlarmInbox.Silo backup --to FILE</c> and <c>AlarmInbox.Silo restore --from FILE</c> for the embedded mode
/// (SQLite). A backup is a gzip-compressed tar file (mode 0600) holding <c>manifest.json</c>, <c>alarminbox.db</c>
/// (taken with SQLite's online backup API: one consistent snapshot of every table while the silo runs) and the key
/// ring under <c>keys/</c>. Restore needs the silo stopped; it moves the current database aside into
/// <c>&lt;data&gt;/before-restore-&lt;time&gt;/</c> instead of deleting it. Settings (data folder, key folder) are read
/// like the silo reads them: appsettings.json in the working directory, environment, <c>--Key=value</c> arguments.
/// </summary>
public static class BackupCommand
{
    private const string DatabaseEntry = SiloHostingExtensions.SqliteFileName;
    private const string ManifestEntry = "manifest.json";
    private const string KeysFolder = "keys/";
    private const int FormatVersion = 1;

    /// <summary>Whether the command line asks for this command.</summary>
    public static bool Matches(string[] args) => args.Length > 0 && args[0] is "backup" or "restore";

    /// <summary>Runs the command; returns the exit code (0 done, 1 failed, 2 usage error).</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var restore = args[0] == "restore";
        var fileOption = restore ? "--from" : "--to";
        string? file = null;
        var settings = new List<string>();
        for (var i = 1; i < args.Length; i++)
        {
            if (args[i] == fileOption && i + 1 < args.Length)
            {
                file = args[++i];
            }
            else if (args[i].StartsWith("--", StringComparison.Ordinal) && args[i].Contains('=', StringComparison.Ordinal))
            {
                settings.Add(args[i]);
            }
            else
            {
                return Usage(error, $"Unknown argument '{args[i]}'.");
            }
        }

        if (string.IsNullOrWhiteSpace(file))
        {
            return Usage(error, $"{fileOption} FILE is required.");
        }

        var storage = ReadStorageOptions([.. settings]);
        if (StorageProviderNames.Normalize(storage.Provider) is { } provider && StorageProviderNames.IsCluster(provider))
        {
            await error.WriteLineAsync($"AlarmInbox:Storage:Provider is {provider}: back up that database with its own tools (PostgreSQL: pg_dump / pg_restore, see docs/operations.md); this command covers the embedded SQLite mode.");
            return 2;
        }

        var dataDirectory = Path.GetFullPath(storage.DataDirectory);
        var keyDirectory = Path.GetFullPath(storage.KeyDirectory ?? Path.Combine(dataDirectory, "keys"));
        try
        {
            if (restore)
            {
                await RestoreAsync(Path.GetFullPath(file), dataDirectory, keyDirectory, output, CancellationToken.None);
            }
            else
            {
                await BackupAsync(Path.GetFullPath(file), dataDirectory, keyDirectory, output, CancellationToken.None);
            }

            return 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or SqliteException or InvalidDataException or BackupException)
        {
            await error.WriteLineAsync($"{args[0]} failed: {ex.Message}");
            return 1;
        }
    }

    /// <summary>Writes a backup of the database in <paramref name="dataDirectory"/> and of the key ring to <paramref name="file"/>.</summary>
    /// <exception cref="BackupException">There is no database to back up.</exception>
    public static async Task BackupAsync(string file, string dataDirectory, string keyDirectory, TextWriter output, CancellationToken cancellationToken)
    {
        var database = Path.Combine(dataDirectory, DatabaseEntry);
        if (!File.Exists(database))
        {
            throw new BackupException($"There is no database at {database}; check AlarmInbox:Storage:DataDirectory.");
        }

        var work = Directory.CreateTempSubdirectory("alarminbox-backup-");
        try
        {
            var snapshot = Path.Combine(work.FullName, DatabaseEntry);
            CopyDatabase(database, snapshot, readOnlySource: true);
            var keys = Directory.Exists(keyDirectory) ? Directory.GetFiles(keyDirectory, "*.xml") : [];
            var manifest = new BackupManifest(FormatVersion, DateTimeOffset.UtcNow, DatabaseEntry, keys.Length);
            var manifestPath = Path.Combine(work.FullName, ManifestEntry);
            await File.WriteAllTextAsync(manifestPath, JsonSerializer.Serialize(manifest), cancellationToken);

            var partial = file + ".partial";
            await using (var stream = OwnerOnlyFiles.OpenForWriting(partial, FileMode.Create))
            {
                await using var gzip = new GZipStream(stream, CompressionLevel.Optimal);
                await using var tar = new TarWriter(gzip, TarEntryFormat.Pax);
                await tar.WriteEntryAsync(manifestPath, ManifestEntry, cancellationToken);
                await tar.WriteEntryAsync(snapshot, DatabaseEntry, cancellationToken);
                foreach (var key in keys)
                {
                    await tar.WriteEntryAsync(key, KeysFolder + Path.GetFileName(key), cancellationToken);
                }
            }

            File.Move(partial, file, overwrite: true);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Backup written to {file}: database {new FileInfo(snapshot).Length} bytes, {keys.Length} key ring file(s), taken {manifest.CreatedAt:O}."));
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>Puts the database and key ring of <paramref name="file"/> back; the silo must be stopped.</summary>
    /// <exception cref="BackupException">The file is not an AlarmInbox backup, its database is damaged, or the silo still has the database open.</exception>
    public static async Task RestoreAsync(string file, string dataDirectory, string keyDirectory, TextWriter output, CancellationToken cancellationToken)
    {
        OwnerOnlyFiles.Secure(dataDirectory);
        var work = Directory.CreateTempSubdirectory("alarminbox-restore-");
        try
        {
            await ExtractAsync(file, work.FullName, cancellationToken);
            var manifestPath = Path.Combine(work.FullName, ManifestEntry);
            var manifest = File.Exists(manifestPath) ? JsonSerializer.Deserialize<BackupManifest>(await File.ReadAllTextAsync(manifestPath, cancellationToken)) : null;
            var restored = Path.Combine(work.FullName, DatabaseEntry);
            if (manifest is null || manifest.Format != FormatVersion || !File.Exists(restored))
            {
                throw new BackupException($"{file} is not an AlarmInbox backup of format {FormatVersion}.");
            }

            CheckIntegrity(restored);
            var database = Path.Combine(dataDirectory, DatabaseEntry);
            var aside = File.Exists(database) ? MoveAside(database, dataDirectory) : null;
            CopyDatabase(restored, database, readOnlySource: true);

            OwnerOnlyFiles.Secure(keyDirectory);
            var keys = Directory.Exists(Path.Combine(work.FullName, "keys")) ? Directory.GetFiles(Path.Combine(work.FullName, "keys"), "*.xml") : [];
            foreach (var key in keys)
            {
                // Keys are named by their id: the same name is the same key. Newer keys already here stay.
                File.Copy(key, Path.Combine(keyDirectory, Path.GetFileName(key)), overwrite: true);
            }

            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Restored the backup taken {manifest.CreatedAt:O} into {dataDirectory} ({keys.Length} key ring file(s) into {keyDirectory})."));
            if (aside is not null)
            {
                await output.WriteLineAsync($"The database that was there is kept in {aside}; delete it when the restored one works.");
            }
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static StorageOptions ReadStorageOptions(string[] settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = settings });
        return builder.Configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>() ?? new StorageOptions();
    }

    /// <summary>Copies a database page by page with SQLite's online backup API: a consistent snapshot even while others write.</summary>
    private static void CopyDatabase(string source, string destination, bool readOnlySource)
    {
        using var from = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = source,
            Mode = readOnlySource ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWrite,
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString());
        using var to = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = destination, Pooling = false }.ToString());
        from.Open();
        to.Open();
        from.BackupDatabase(to);
    }

    private static void CheckIntegrity(string database)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check;";
        var result = command.ExecuteScalar() as string;
        if (result != "ok")
        {
            throw new BackupException($"The database in the backup is damaged (integrity_check: {result}).");
        }
    }

    /// <summary>
    /// Moves the current database (with its -wal and -shm) into a new folder. Switching it out of WAL mode first needs
    /// the only connection: if the silo still runs, SQLite answers busy and nothing is touched.
    /// </summary>
    private static string MoveAside(string database, string dataDirectory)
    {
        try
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Pooling = false, DefaultTimeout = 1 }.ToString());
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode=DELETE;";
            var mode = command.ExecuteScalar() as string;
            if (!string.Equals(mode, "delete", StringComparison.OrdinalIgnoreCase))
            {
                throw new BackupException($"The database {database} is in use; stop the silo (systemctl stop alarminbox-silo) before a restore.");
            }
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode is 5 or 6)
        {
            throw new BackupException($"The database {database} is in use; stop the silo (systemctl stop alarminbox-silo) before a restore.");
        }

        var aside = Path.Combine(dataDirectory, "before-restore-" + DateTimeOffset.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture));
        Directory.CreateDirectory(aside);
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            if (File.Exists(database + suffix))
            {
                File.Move(database + suffix, Path.Combine(aside, Path.GetFileName(database) + suffix));
            }
        }

        return aside;
    }

    private static async Task ExtractAsync(string file, string directory, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(file);
        await using var gzip = new GZipStream(stream, CompressionMode.Decompress);
        await using var tar = new TarReader(gzip);
        while (await tar.GetNextEntryAsync(cancellationToken: cancellationToken) is { } entry)
        {
            var name = entry.Name;
            var allowed = entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile
                && (name is ManifestEntry or DatabaseEntry || (name.StartsWith(KeysFolder, StringComparison.Ordinal) && name.Count(c => c == '/') == 1 && name.EndsWith(".xml", StringComparison.Ordinal)));
            if (!allowed)
            {
                throw new BackupException($"{file} holds an unexpected entry '{name}'; it is not an AlarmInbox backup.");
            }

            var target = Path.Combine(directory, name);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            await entry.ExtractToFileAsync(target, overwrite: false, cancellationToken);
        }
    }

    private static int Usage(TextWriter error, string problem)
    {
        error.WriteLine(problem);
        error.WriteLine("Usage: AlarmInbox.Silo backup --to FILE [--AlarmInbox:Storage:DataDirectory=DIR]     online copy of the database and key ring");
        error.WriteLine("       AlarmInbox.Silo restore --from FILE [--AlarmInbox:Storage:DataDirectory=DIR]  puts it back (stop the silo first)");
        return 2;
    }

    private sealed record BackupManifest(int Format, DateTimeOffset CreatedAt, string Database, int KeyFiles);
}

/// <summary>A backup or restore that cannot be done, with a message for the operator.</summary>
public sealed class BackupException(string message) : Exception(message);
