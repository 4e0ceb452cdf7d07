using System.Globalization;
using System.Runtime.Versioning;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using AlarmInbox.Tests.Infrastructure;

namespace AlarmInbox.Tests.Operations;

/// <summary>
/// <c>scripts/install.sh</c> for real (below a throwaway root): the systemd units verify, the installed programs start
/// from the installed folder with the settings file as the service user, serve HTTPS from PEM files that are reloaded,
/// keep everything they write owner-only; upgrade keeps data and settings; uninstall keeps data unless purged.
/// systemd itself is not running on the test machines, so the units are checked with <c>systemd-analyze</c> and the
/// programs are started with <c>alarminbox-run</c>, which does what the units do.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed partial class InstallTests
{
    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task InstalledProductRunsAsTheServiceUserWithOwnerOnlyFilesHttpsAndHardenedUnits()
    {
        await using var product = await InstalledProduct.InstallAsync();

        foreach (var unit in new[] { "alarminbox-silo.service", "alarminbox-api.service" })
        {
            var path = Path.Combine(product.UnitDirectory, unit);
            var verify = await CommandResult.RunAsync("systemd-analyze", "verify", path);
            Assert.True(verify.ExitCode == 0 && verify.Error.Trim().Length == 0, $"{unit}: {verify}");
            var security = await CommandResult.RunAsync("systemd-analyze", "security", "--offline=true", "--no-pager", path);
            var exposure = ExposureLevel().Match(security.Output);
            Assert.True(exposure.Success, security.ToString());
            Assert.InRange(double.Parse(exposure.Groups[1].Value, CultureInfo.InvariantCulture), 0.0, 2.0);
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(product.EnvFile));
        Assert.Equal("root:alarminbox", await OwnerAsync(product.EnvFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(product.DataDirectory));
        Assert.Equal("alarminbox:alarminbox", await OwnerAsync(product.DataDirectory));
        Assert.Equal("root:root", await OwnerAsync(Path.Combine(product.Prefix, "silo", "AlarmInbox.Silo.dll")));

        var tls = Path.Combine(product.Root, "etc", "alarminbox", "tls");
        Directory.CreateDirectory(tls);
        var first = await WriteCertificateAsync(tls, "first");
        await File.AppendAllLinesAsync(product.EnvFile,
        [
            $"AlarmInbox__Api__Tls__CertificatePath={tls}/fullchain.pem",
            $"AlarmInbox__Api__Tls__KeyPath={tls}/privkey.pem",
            "AlarmInbox__Api__Tls__ReloadCheckInterval=00:00:01",
        ]);

        var silo = product.Start("silo");
        var api = product.Start("api");
        var ready = await Eventually.WaitForAsync(
            () => GetAsync(product.ApiPort, "/health/ready", key: null),
            r => r.Status == HttpStatusCode.OK,
            StartTimeout,
            $"the installed API to be ready over HTTPS. Silo log:\n{product.LogTail("silo")}\nAPI log:\n{product.LogTail("api")}");
        var live = await GetAsync(product.ApiPort, "/health/live", key: null);
        var siloReady = await new HttpClient().GetAsync(new Uri($"http://127.0.0.1:{product.SiloHttpPort}/health/ready"));
        var siloMetrics = await new HttpClient().GetStringAsync(new Uri($"http://127.0.0.1:{product.SiloHttpPort}/metrics"));
        var key = product.Setting("AlarmInbox__Api__BootstrapOperatorKey");
        var withoutKey = await GetAsync(product.ApiPort, "/api/tenants", key: null);
        var created = await PostAsync(product.ApiPort, "/api/tenants", key, new { id = "ff-installed", name = "Feuerwehr Installiert" });

        Assert.Equal(("Healthy", first), (ready.Body, ready.Thumbprint));
        Assert.Equal("max-age=31536000", ready.Hsts);
        Assert.Equal((HttpStatusCode.OK, "Healthy"), (live.Status, live.Body));
        Assert.Equal((HttpStatusCode.OK, "Healthy"), (siloReady.StatusCode, await siloReady.Content.ReadAsStringAsync()));
        Assert.Equal(HttpStatusCode.Unauthorized, withoutKey.Status);
        Assert.Equal(HttpStatusCode.Created, created);
        foreach (var series in new[] { "alarminbox_mailboxes{", "alarminbox_mailboxes_out_of_contact{", "alarminbox_webhook_backlog{", "alarminbox_webhook_backlog_oldest_age_seconds{" })
        {
            Assert.Contains(series, siloMetrics, StringComparison.Ordinal); // the names docs/alerts.yml uses
        }

        foreach (var process in new[] { silo, api })
        {
            var status = await File.ReadAllTextAsync($"/proc/{process.Id}/status");
            Assert.Contains("Umask:\t0077", status, StringComparison.Ordinal);
            Assert.Equal("alarminbox:alarminbox", await OwnerAsync($"/proc/{process.Id}"));
        }

        // An ACME client renews: the files are replaced, and the next handshakes present the new certificate.
        var second = await WriteCertificateAsync(tls, "second");
        var renewed = await Eventually.WaitForAsync(
            () => GetAsync(product.ApiPort, "/health/live", key: null), r => r.Thumbprint == second, TimeSpan.FromSeconds(30), "the renewed certificate to be served");
        Assert.Equal(HttpStatusCode.OK, renewed.Status);

        var backupFile = Path.Combine(product.DataDirectory, "backup.tar.gz");
        var backup = await product.RunAsync("backup", "--to", backupFile);
        Assert.True(backup.ExitCode == 0, backup.ToString());

        // Everything in the data folder, written while the product runs (database with -wal and -shm, key ring, spool
        // folder, the backup), belongs to the service user and is not readable by anyone else.
        var written = Directory.EnumerateFileSystemEntries(product.DataDirectory, "*", SearchOption.AllDirectories).ToList();
        foreach (var name in new[] { "alarminbox.db", "alarminbox.db-wal", "alarminbox.db-shm", "keys", "spool", "backup.tar.gz" })
        {
            Assert.Contains(Path.Combine(product.DataDirectory, name), written);
        }

        Assert.Contains(written, p => p.StartsWith(Path.Combine(product.DataDirectory, "keys", "key-"), StringComparison.Ordinal));
        foreach (var path in written)
        {
            Assert.True((File.GetUnixFileMode(path) & GroupOrOther) == 0, $"{path} is {File.GetUnixFileMode(path)}");
            Assert.Equal("alarminbox:alarminbox", await OwnerAsync(path));
        }

        // Upgrade in place: settings and data stay.
        await product.StopAsync();
        var upgrade = await product.RunScriptAsync();
        Assert.True(upgrade.ExitCode == 0, upgrade.ToString());
        Assert.Equal(key, product.Setting("AlarmInbox__Api__BootstrapOperatorKey"));
        Assert.True(File.Exists(Path.Combine(product.DataDirectory, "alarminbox.db")));
        Assert.True(File.Exists(Path.Combine(product.Prefix, "api", "AlarmInbox.Api.dll")));

        var uninstall = await product.RunScriptAsync("--uninstall");
        Assert.True(uninstall.ExitCode == 0, uninstall.ToString());
        Assert.False(Directory.Exists(product.Prefix));
        Assert.False(File.Exists(Path.Combine(product.UnitDirectory, "alarminbox-silo.service")));
        Assert.True(File.Exists(Path.Combine(product.DataDirectory, "alarminbox.db")));
        Assert.True(File.Exists(product.EnvFile));

        var purge = await product.RunScriptAsync("--uninstall", "--purge");
        Assert.True(purge.ExitCode == 0, purge.ToString());
        Assert.False(Directory.Exists(product.DataDirectory));
        Assert.False(File.Exists(product.EnvFile));
    }

    /// <summary>Writes a new self-signed certificate for 127.0.0.1 as an ACME client would (new files renamed into place); returns its thumbprint.</summary>
    private static async Task<string> WriteCertificateAsync(string folder, string name)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest($"CN=alarminbox-test-{name}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(90));
        await File.WriteAllTextAsync(Path.Combine(folder, "fullchain.pem.new"), certificate.ExportCertificatePem());
        await File.WriteAllTextAsync(Path.Combine(folder, "privkey.pem.new"), rsa.ExportPkcs8PrivateKeyPem());
        foreach (var file in new[] { "fullchain.pem", "privkey.pem" })
        {
            var fresh = Path.Combine(folder, file + ".new");
            File.SetUnixFileMode(fresh, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
            var chown = await CommandResult.RunAsync("chown", "root:alarminbox", fresh);
            Assert.True(chown.ExitCode == 0, chown.ToString());
            File.Move(fresh, Path.Combine(folder, file), overwrite: true);
        }

        return certificate.Thumbprint;
    }

    private static async Task<string> OwnerAsync(string path) => (await CommandResult.RunAsync("stat", "-c", "%U:%G", path)).Output.Trim();

    private static async Task<TlsAnswer> GetAsync(int port, string path, string? key)
    {
        string? thumbprint = null;
        using var handler = new HttpClientHandler
        {
            // The test trusts its own self-signed certificates; it records which one the server presented.
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
            {
                thumbprint = certificate?.Thumbprint;
                return true;
            },
        };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"https://127.0.0.1:{port}{path}"));
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        try
        {
            using var response = await http.SendAsync(request);
            var hsts = response.Headers.TryGetValues("Strict-Transport-Security", out var values) ? string.Join(",", values) : null;
            return new TlsAnswer(response.StatusCode, await response.Content.ReadAsStringAsync(), thumbprint, hsts);
        }
        catch (HttpRequestException)
        {
            return new TlsAnswer(0, "", thumbprint, null);
        }
    }

    private static async Task<HttpStatusCode> PostAsync(int port, string path, string key, object body)
    {
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        using var http = new HttpClient(handler);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await http.PostAsJsonAsync(new Uri($"https://127.0.0.1:{port}{path}"), body);
        return response.StatusCode;
    }

    [GeneratedRegex(@"Overall exposure level for \S+: (\d+\.\d+)")]
    private static partial Regex ExposureLevel();

    private sealed record TlsAnswer(HttpStatusCode Status, string Body, string? Thumbprint, string? Hsts);
}
