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
/// recipients get 452 (RFC 5321 section 4.5.3.1.10). A recipient that cannot be looked up now (no silo, storage
/// failing) gets 451, a transient answer. Session limits are applied by <see cref="SmtpSessionLimiter"/>.
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
        sessions.MailStarted(context);
        context.Properties[RecipientCountKey] = 0;
        return Task.FromResult(true);
    }

    /// <inheritdoc />
    public async Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken)
    {
        InboundRoute? route;
        try
        {
            route = await ResolveAsync(to, routes, addressOptions.Value.Domain);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            metrics.Rejected("try-later");
            throw new SmtpResponseException(new SmtpResponse(SmtpReplyCode.Aborted, "4.3.0 Recipient cannot be checked now, try again later"));
        }

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
