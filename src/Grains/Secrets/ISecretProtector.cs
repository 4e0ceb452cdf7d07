namespace AlarmInbox.Grains.Secrets;

/// <summary>Encrypts secrets (passwords, client secrets) before they are stored, and decrypts them for use.</summary>
public interface ISecretProtector
{
    /// <summary>Encrypts <paramref name="secret"/>; the result is safe to store.</summary>
    string Protect(string secret);

    /// <summary>Decrypts a value made by <see cref="Protect"/>.</summary>
    /// <exception cref="System.Security.Cryptography.CryptographicException">The key ring cannot decrypt it (keys lost or not shared between silos).</exception>
    string Unprotect(string protectedSecret);
}
