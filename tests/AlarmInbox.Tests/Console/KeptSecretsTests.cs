using AlarmInbox.Api.Console;
using Microsoft.AspNetCore.DataProtection;

namespace AlarmInbox.Tests.Console;

/// <summary>
/// <see cref="KeptSecrets"/>: the secrets of the new-mailbox form's connection test are carried to the save encrypted, for
/// the same signed-in key only; a field typed again wins; anything that does not decrypt is dropped.
/// </summary>
public sealed class KeptSecretsTests
{
    private readonly KeptSecrets _kept = new(new EphemeralDataProtectionProvider());

    [Fact]
    public void TheTestsSecretsComeBackForTheSameKeyOnlyAndATypedValueWins()
    {
        var tested = new MailboxForm { Password = "Geheim-7c1e!", O365ClientSecret = "abc~defghijklmnopqrstuvwxyz0123456789AB" };
        _kept.Keep("key-a", tested);

        Assert.True(tested.PasswordKept && tested.ClientSecretKept);
        Assert.DoesNotContain("Geheim", tested.KeptSecrets, StringComparison.Ordinal);

        var saved = new MailboxForm { KeptSecrets = tested.KeptSecrets };
        _kept.Restore("key-a", saved);
        Assert.Equal(("Geheim-7c1e!", "abc~defghijklmnopqrstuvwxyz0123456789AB"), (saved.Password, saved.O365ClientSecret));

        var retyped = new MailboxForm { KeptSecrets = tested.KeptSecrets, Password = "Neu-1" };
        _kept.Restore("key-a", retyped);
        Assert.Equal("Neu-1", retyped.Password);

        var otherKey = new MailboxForm { KeptSecrets = tested.KeptSecrets };
        _kept.Restore("key-b", otherKey);
        Assert.Equal((null, null, null), (otherKey.Password, otherKey.O365ClientSecret, otherKey.KeptSecrets));

        var tampered = new MailboxForm { KeptSecrets = tested.KeptSecrets![..^4] + "AAAA" };
        _kept.Restore("key-a", tampered);
        Assert.Equal((null, null), (tampered.Password, tampered.KeptSecrets));
    }

    [Fact]
    public void AFormWithoutSecretsKeepsNothing()
    {
        var form = new MailboxForm { Password = "" };
        _kept.Keep("key-a", form);

        Assert.Equal((null, false, false), (form.KeptSecrets, form.PasswordKept, form.ClientSecretKept));
    }
}
