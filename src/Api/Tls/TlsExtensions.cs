using Microsoft.Extensions.Logging.Abstractions;

namespace AlarmInbox.Api.Tls;

/// <summary>HTTPS from PEM files with reload, and HSTS (see <see cref="TlsOptions"/>).</summary>
public static class TlsExtensions
{
    /// <summary>When <c>AlarmInbox:Api:Tls:CertificatePath</c> is set, serves every <c>https://</c> address of <c>Urls</c> with that certificate and adds HSTS.</summary>
    /// <exception cref="InvalidOperationException">The certificate or key cannot be loaded; the message names the setting.</exception>
    public static WebApplicationBuilder AddTls(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(TlsOptions.SectionName).Get<TlsOptions>() ?? new TlsOptions();
        if (!options.Enabled)
        {
            return builder;
        }

        var reloader = new PemCertificateReloader(options, TimeProvider.System, NullLogger.Instance);
        builder.Services.AddSingleton(reloader);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https =>
        {
            // The selector satisfies Kestrel's start-up check; the handshake itself uses the context with the intermediates.
            https.ServerCertificateSelector = (_, _) => reloader.Certificate;
            https.OnAuthenticate = (_, ssl) =>
            {
                ssl.ServerCertificateSelectionCallback = null;
                ssl.ServerCertificate = null;
                ssl.ServerCertificateContext = reloader.Context;
            };
        }));
        if (options.HstsMaxAge > TimeSpan.Zero)
        {
            builder.Services.AddHsts(hsts =>
            {
                hsts.MaxAge = options.HstsMaxAge;
                // The default skips localhost; a deployment that configures a certificate wants the header wherever it answers.
                hsts.ExcludedHosts.Clear();
            });
        }

        return builder;
    }

    /// <summary>Adds the HSTS header to HTTPS responses when TLS is configured; call first in the pipeline.</summary>
    public static WebApplication UseTls(this WebApplication app)
    {
        if (app.Services.GetService<PemCertificateReloader>() is { } reloader)
        {
            reloader.UseLogger(app.Services.GetRequiredService<ILogger<PemCertificateReloader>>());
            var options = app.Configuration.GetSection(TlsOptions.SectionName).Get<TlsOptions>() ?? new TlsOptions();
            if (options.HstsMaxAge > TimeSpan.Zero)
            {
                app.UseHsts();
            }
        }

        return app;
    }
}
