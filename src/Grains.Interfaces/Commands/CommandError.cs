namespace AlarmInbox.Grains.Interfaces.Commands;

/// <summary>
/// Why a grain did not carry out a command; nothing was changed. Invalid input names every failing field in
/// <see cref="Errors"/> (the request's JSON names, e.g. <c>port</c> or <c>rules[0].pattern</c>); not found and conflict
/// name the one request field or route parameter they are about in <see cref="Field"/>, with a title and a detail for
/// people. The API turns it into RFC 7807 problem details (400 validation problem, 404, 409).
/// </summary>
[GenerateSerializer, Immutable]
[Alias("alarminbox.CommandError")]
public sealed record CommandError
{
    private static readonly IReadOnlyDictionary<string, string[]> NoErrors = new Dictionary<string, string[]>();

    /// <summary>What kind of refusal this is.</summary>
    [Id(0)] public required CommandErrorKind Kind { get; init; }

    /// <summary>For <see cref="CommandErrorKind.Invalid"/>: field → messages, every failing field at once; empty otherwise.</summary>
    [Id(1)] public IReadOnlyDictionary<string, string[]> Errors { get; init; } = NoErrors;

    /// <summary>For not found and conflict: the request field or route parameter it is about (e.g. <c>mailboxId</c>).</summary>
    [Id(2)] public string? Field { get; init; }

    /// <summary>For not found and conflict: a short summary (e.g. "Mailbox not found.").</summary>
    [Id(3)] public string? Title { get; init; }

    /// <summary>For not found and conflict: what happened and what to do.</summary>
    [Id(4)] public string? Detail { get; init; }

    /// <summary>Invalid input; <paramref name="errors"/> maps each failing field to its messages and must not be empty.</summary>
    public static CommandError Invalid(IReadOnlyDictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (errors.Count == 0)
        {
            throw new ArgumentException("An invalid-input error needs at least one field.", nameof(errors));
        }

        return new CommandError { Kind = CommandErrorKind.Invalid, Errors = errors };
    }

    /// <summary>Invalid input when <paramref name="errors"/> (a validator's answer) names any field, else <see langword="null"/>.</summary>
    public static CommandError? IfAny(IReadOnlyDictionary<string, string[]> errors) =>
        errors is { Count: > 0 } ? Invalid(errors) : null;

    /// <summary>Invalid input in one field.</summary>
    public static CommandError Invalid(string field, string message) =>
        Invalid(new Dictionary<string, string[]>(StringComparer.Ordinal) { [field] = [message] });

    /// <summary>The thing addressed does not exist (or is another tenant's).</summary>
    public static CommandError NotFound(string field, string title, string detail) =>
        new() { Kind = CommandErrorKind.NotFound, Field = field, Title = title, Detail = detail };

    /// <summary>The command clashes with the current state.</summary>
    public static CommandError Conflict(string field, string title, string detail) =>
        new() { Kind = CommandErrorKind.Conflict, Field = field, Title = title, Detail = detail };

    /// <summary>There is no tenant <paramref name="tenantId"/> (also for a malformed id).</summary>
    public static CommandError TenantNotFound(string tenantId) =>
        NotFound("tenantId", "Tenant not found.", $"There is no tenant '{tenantId}'.");

    /// <summary>The tenant has no mailbox <paramref name="mailboxId"/> (it does not exist, or it is another tenant's).</summary>
    public static CommandError MailboxNotFound(string tenantId, string mailboxId) =>
        NotFound("mailboxId", "Mailbox not found.", $"Tenant '{tenantId}' has no mailbox '{mailboxId}'.");

    /// <summary>The tenant has no webhook <paramref name="webhookId"/>.</summary>
    public static CommandError WebhookNotFound(string tenantId, string webhookId) =>
        NotFound("webhookId", "Webhook not found.", $"Tenant '{tenantId}' has no webhook '{webhookId}'.");

    /// <summary>The tenant has no inbound address <paramref name="addressId"/> (it does not exist, or it is another tenant's).</summary>
    public static CommandError InboundAddressNotFound(string tenantId, string addressId) =>
        NotFound("addressId", "Inbound address not found.", $"Tenant '{tenantId}' has no inbound address '{addressId}'.");
}
