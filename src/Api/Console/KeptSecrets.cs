using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;

namespace AlarmInbox.Api.Console;

/// <summary>
/// Carries the secrets typed into the new-mailbox form (the IMAP password, the client secret's value) from the connection
/// test to the save, so that a volunteer need not type them again — Entra shows a client secret's value only once. The
/// page never holds them in clear: the form gets a hidden field encrypted with ASP.NET Core Data Protection, for the
/// signed-in API key only (the key id is part of the purpose) and for <see cref="Lifetime"/>. A field typed again wins.
/// </summary>
/// <param name="provider">ASP.NET Core Data Protection (the key ring that also protects the console's cookie).</param>
public sealed class KeptSecrets(IDataProtectionProvider provider)
{
    /// <summary>How long a test's secrets are kept for the save: 15 minutes.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);

    private const string Purpose = "AlarmInbox.Console.KeptSecrets.v1";

    /// <summary>The secrets of <paramref name="form"/> (typed or kept) encrypted for <paramref name="keyId"/>, or <see langword="null"/> when it has none.</summary>
    public string? Protect(string keyId, MailboxForm form)
    {
        ArgumentNullException.ThrowIfNull(form);
        if (string.IsNullOrEmpty(form.Password) && string.IsNullOrEmpty(form.O365ClientSecret))
        {
            return null;
        }

        var json = JsonSerializer.Serialize(new Carried(NullIfEmpty(form.Password), NullIfEmpty(form.O365ClientSecret)));
        return Protector(keyId).Protect(json, Lifetime);
    }

    /// <summary>
    /// Fills the empty secret fields of <paramref name="form"/> from its <see cref="MailboxForm.KeptSecrets"/> when that
    /// decrypts for <paramref name="keyId"/> and has not expired; otherwise (tampered, expired, another key) leaves them
    /// empty, so that the API asks for them. Sets <see cref="MailboxForm.PasswordKept"/> and <see cref="MailboxForm.ClientSecretKept"/>.
    /// </summary>
    public void Restore(string keyId, MailboxForm form)
    {
        ArgumentNullException.ThrowIfNull(form);
        if (string.IsNullOrEmpty(form.KeptSecrets))
        {
            return;
        }

        Carried? carried;
        try
        {
            carried = JsonSerializer.Deserialize<Carried>(Protector(keyId).Unprotect(form.KeptSecrets));
        }
        catch (Exception ex) when (ex is CryptographicException or JsonException or FormatException)
        {
            form.KeptSecrets = null;
            return;
        }

        if (string.IsNullOrEmpty(form.Password) && carried?.Password is { } password)
        {
            form.Password = password;
        }

        if (string.IsNullOrEmpty(form.O365ClientSecret) && carried?.ClientSecret is { } secret)
        {
            form.O365ClientSecret = secret;
        }
    }

    /// <summary>After a test (or a save that failed): replaces the hidden field with the form's current secrets and marks which are kept.</summary>
    public void Keep(string keyId, MailboxForm form)
    {
        ArgumentNullException.ThrowIfNull(form);
        form.KeptSecrets = Protect(keyId, form);
        form.PasswordKept = !string.IsNullOrEmpty(form.Password);
        form.ClientSecretKept = !string.IsNullOrEmpty(form.O365ClientSecret);
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private ITimeLimitedDataProtector Protector(string keyId) => provider.CreateProtector(Purpose, keyId).ToTimeLimitedDataProtector();

    private sealed record Carried(string? Password, string? ClientSecret);
}
