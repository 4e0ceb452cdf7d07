using Microsoft.AspNetCore.DataProtection;

namespace AlarmInbox.Grains.Secrets;

/// <summary>Encrypts secrets with ASP.NET Core Data Protection (authenticated encryption, keys rotated by the key ring).</summary>
public sealed class DataProtectionSecretProtector(IDataProtectionProvider provider) : ISecretProtector
{
    private readonly IDataProtector _protector = provider.CreateProtector("AlarmInbox.Secrets.v1");

    /// <inheritdoc />
    public string Protect(string secret) => _protector.Protect(secret);

    /// <inheritdoc />
    public string Unprotect(string protectedSecret) => _protector.Unprotect(protectedSecret);
}
