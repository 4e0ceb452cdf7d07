using AlarmInbox.Grains.Inbound;
using AlarmInbox.Grains.Interfaces.Inbound;
using Microsoft.Extensions.Options;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace AlarmInbox.Silo.Smtp;

/// <summary>
/// Checks MAIL FROM and RCPT TO during the dialogue. Any sender may send (the alarm pipeline's sender filter decides
/// later); a recipient must be an active inbound address of the configured domain, anything else is refused with 550
/// (RFC 5321 section 3.3), so the listener never relays. More than <see cref="SmtpOptions.MaxRecipientsPerMessage"/>
/// recipients get 452 (RFC 5321 section 4.5.3.1.10); sessions above <see cref="SmtpOptions.MaxConcurrentSessions"/> get 421.
/// </summary>
public sealed class InboundMailboxFilter(
    InboundRouteCache routes,
    SmtpSessionLimiter sessions,
    SmtpMetrics metrics,
    IGrainFactory grains,
    IOptions<SmtpOptions> smtpOptions,
    IOptions<InboundAddressOptions> addressOptions) : IMailboxFilter
{
    private const string RecipientCountKey = "alarminbox.recipients";

    /// <inheritdoc />
    public Task<bool> CanAcceptFromAsync(ISessionContext context, IMailbox from, int size, CancellationToken cancellationToken)
    {
        if (sessions.IsOverLimit(context))
        {
            metrics.Rejected("too-many-sessions");
            throw new SmtpResponseException(new SmtpResponse(SmtpReplyCode.ServiceUnavailable, "Too many sessions, try again later"), quit: true);
        }

        context.Properties[RecipientCountKey] = 0;
        return Task.FromResult(true);
    }

    /// <inheritdoc />
    public async Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken)
    {
        var route = await ResolveAsync(to, routes, addressOptions.Value.Domain);
        if (route is null)
        {
            metrics.Rejected("unknown-recipient");
            return false;
        }

        var count = context.Properties.TryGetValue(RecipientCountKey, out var value) && value is int n ? n : 0;
        if (count >= smtpOptions.Value.MaxRecipientsPerMessage)
        {
            metrics.Rejected("too-many-recipients");
            await grains.GetGrain<IInboundAddressGrain>(route.AddressId).RecordRejectionAsync();
            throw new SmtpResponseException(new SmtpResponse(SmtpReplyCode.InsufficientStorage, $"Too many recipients, at most {smtpOptions.Value.MaxRecipientsPerMessage}"));
        }

        context.Properties[RecipientCountKey] = count + 1;
        return true;
    }

    /// <summary>Resolves a recipient to its inbound address, or <see langword="null"/> when it is not one (other domain, unknown or revoked token).</summary>
    internal static async Task<InboundRoute?> ResolveAsync(IMailbox to, InboundRouteCache routes, string domain)
    {
        if (to is null || string.IsNullOrEmpty(to.User) || !string.Equals(to.Host, domain, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return await routes.ResolveAsync(to.User);
    }
}
