namespace AlarmInbox.Grains.Interfaces.Security;

/// <summary>One audited API request: who, what, when and the outcome. Never holds a body, a query string or a secret.</summary>
/// <param name="At">When the request finished (UTC).</param>
/// <param name="KeyId">The API key id that sent it (<c>bootstrap</c> for the configured key); null when unauthenticated.</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Route">The route pattern (e.g. <c>/api/tenants/{tenantId}/mailboxes</c>), or the path when no route matched.</param>
/// <param name="TenantId">The tenant id from the route, if any.</param>
/// <param name="MailboxId">The mailbox id from the route, if any.</param>
/// <param name="Status">The HTTP status of the response.</param>
[GenerateSerializer]
[Immutable]
[Alias("alarminbox.AuditEntry")]
public sealed record AuditEntry(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] string? KeyId,
    [property: Id(2)] string Method,
    [property: Id(3)] string Route,
    [property: Id(4)] string? TenantId,
    [property: Id(5)] string? MailboxId,
    [property: Id(6)] int Status);
