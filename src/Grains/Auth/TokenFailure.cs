namespace AlarmInbox.Grains.Auth;

/// <summary>A classified token endpoint failure.</summary>
/// <param name="Code">A <c>o365_…</c> code of <see cref="AlarmInbox.Grains.Interfaces.Mailboxes.MailboxErrorCodes"/>.</param>
/// <param name="Message">A sentence for the admin with Entra ID's own message (and its AADSTS number); never contains a secret.</param>
/// <param name="IsTransient">Whether trying again later can succeed without a change of configuration.</param>
/// <param name="RetryAfter">How long Entra ID asked to wait (<c>Retry-After</c>), when it did.</param>
public sealed record TokenFailure(string Code, string Message, bool IsTransient, TimeSpan? RetryAfter);
