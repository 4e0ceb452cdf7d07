using Microsoft.Extensions.Options;

namespace AlarmInbox.Silo.Smtp;

/// <summary>Validates <see cref="SmtpOptions"/> at start-up, naming the configuration key to fix.</summary>
public sealed class SmtpOptionsValidator : IValidateOptions<SmtpOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, SmtpOptions options)
    {
        var errors = new List<string>();
        if (options.Port is < 1 or > 65535)
        {
            errors.Add($"AlarmInbox:Smtp:Port must be 1 to 65535 (is {options.Port}).");
        }

        if (!System.Net.IPAddress.TryParse(options.BindAddress, out _))
        {
            errors.Add($"AlarmInbox:Smtp:BindAddress must be an IP address (is '{options.BindAddress}').");
        }

        if (options.MaxMessageBytes < 1024)
        {
            errors.Add("AlarmInbox:Smtp:MaxMessageBytes must be at least 1024.");
        }

        if (options.MaxRecipientsPerMessage < 1)
        {
            errors.Add("AlarmInbox:Smtp:MaxRecipientsPerMessage must be at least 1.");
        }

        if (options.MaxConcurrentSessions < 1)
        {
            errors.Add("AlarmInbox:Smtp:MaxConcurrentSessions must be at least 1.");
        }

        if (options.MaxSessionsPerClient < 1)
        {
            errors.Add("AlarmInbox:Smtp:MaxSessionsPerClient must be at least 1.");
        }

        if (options.HandOffsPerTenant < 1)
        {
            errors.Add("AlarmInbox:Smtp:HandOffsPerTenant must be at least 1.");
        }

        if (options.IdleTimeoutBeforeMail <= TimeSpan.Zero || options.StorageProbeInterval <= TimeSpan.Zero)
        {
            errors.Add("AlarmInbox:Smtp:IdleTimeoutBeforeMail and AlarmInbox:Smtp:StorageProbeInterval must be positive.");
        }

        if (options.HandOffWorkers is < 1 or > 64)
        {
            errors.Add("AlarmInbox:Smtp:HandOffWorkers must be 1 to 64.");
        }

        if (options.SessionTimeout <= TimeSpan.Zero || options.RetryInterval <= TimeSpan.Zero)
        {
            errors.Add("AlarmInbox:Smtp:SessionTimeout and AlarmInbox:Smtp:RetryInterval must be positive.");
        }

        if (options.RetryBackoffCap < options.RetryInterval)
        {
            errors.Add("AlarmInbox:Smtp:RetryBackoffCap must not be shorter than AlarmInbox:Smtp:RetryInterval.");
        }

        if (options.MaxHandOffAttempts is < 1 or > 1000)
        {
            errors.Add("AlarmInbox:Smtp:MaxHandOffAttempts must be 1 to 1000.");
        }

        if (options.SpoolLease < TimeSpan.FromSeconds(3) || options.SpoolClaimInterval <= TimeSpan.Zero)
        {
            errors.Add("AlarmInbox:Smtp:SpoolLease must be at least 00:00:03 and AlarmInbox:Smtp:SpoolClaimInterval positive.");
        }

        if (options.CertificatePath is { } path && !File.Exists(path))
        {
            errors.Add($"AlarmInbox:Smtp:CertificatePath: the file '{path}' does not exist.");
        }

        if (options.CertificateKeyPath is not null && options.CertificatePath is null)
        {
            errors.Add("AlarmInbox:Smtp:CertificateKeyPath needs AlarmInbox:Smtp:CertificatePath.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
