using System.Globalization;
using AlarmInbox.Grains.Auth;
using AlarmInbox.Grains.Diagnostics;
using AlarmInbox.Grains.Imap;
using AlarmInbox.Grains.Interfaces.Diagnostics;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using Microsoft.Extensions.Options;

namespace AlarmInbox.Grains.Graph;

/// <summary>
/// The Graph steps of the connection test (<see cref="ConnectionTestSteps.Graph"/> after <c>validate</c>): token, its
/// claims, the mailbox, the folder and one delta round. Read-only: nothing is fetched, stored or marked.
/// </summary>
public sealed class GraphConnectionTester(IAccessTokenProvider tokens, GraphApiClient api, IOptions<GraphOptions> options)
{
    internal async Task RunAsync(MailboxSettings settings, ConnectionTestRun run)
    {
        var target = GraphMailboxTarget.From(settings) with { IgnoreTokenErrorPause = true };
        var app = target.App;
        AccessToken? token = null;
        if (!await run.StepAsync(ConnectionTestSteps.Token, async ct =>
            {
                token = await tokens.GetTokenAsync(app, forceRefresh: false, ignoreErrorPause: true, ct);
                return $"Entra ID issued a token for app {app.ClientId} with scope {app.Scope} ({(token.FromCache ? "from the cache" : "new")}), valid until {token.ExpiresOn:yyyy-MM-dd HH:mm:ss} UTC.";
            }, ex => ex as MailboxAccessException))
        {
            return;
        }

        var claims = TokenClaims.TryRead(token!.Token);
        if (claims is null)
        {
            run.Skip(ConnectionTestSteps.TokenSanity, "The token is not a JWT, so its claims cannot be checked here; Microsoft Graph checks it.");
        }
        else if (claims.CheckGraph(app) is { } problem)
        {
            run.Fail(ConnectionTestSteps.TokenSanity, 0, problem.Code, problem.Message);
            return;
        }
        else
        {
            var roles = claims.HasTenantWideMailRole
                ? $"Role {string.Join(", ", claims.Roles)} is granted in Entra ID and reaches EVERY mailbox of the tenant (unless an application access policy restricts it); for least privilege remove that admin consent and grant Application Mail.Read through an Exchange role assignment scoped to this mailbox (docs/graph.md)."
                : $"No mail permission in the token ({(claims.Roles.Count == 0 ? "no roles" : "roles " + string.Join(", ", claims.Roles))}): access to the mailbox must come from an Exchange role assignment (RBAC for applications, Application Mail.Read), checked by the next step.";
            run.Pass(ConnectionTestSteps.TokenSanity, 0, $"Audience {claims.Audience}, tenant {claims.TenantId ?? "(not in token)"}, app {claims.AppId ?? "(not in token)"}. {roles}");
        }

        if (!await run.StepAsync(ConnectionTestSteps.Mailbox, async ct =>
            {
                var inbox = await api.GetFolderAsync(target, "inbox", GraphErrors.Step.Mailbox, ct);
                return $"Mailbox '{target.User}' is readable by app {app.ClientId}: its Inbox ('{inbox.DisplayName}') has {inbox.TotalItemCount.ToString(CultureInfo.InvariantCulture)} messages.";
            }, ex => ex as MailboxAccessException))
        {
            return;
        }

        GraphFolder? folder = null;
        if (!await run.StepAsync(ConnectionTestSteps.Folder, async ct =>
            {
                folder = await api.ResolveFolderAsync(target, ct);
                return $"Folder '{target.FolderPath}' is '{folder.DisplayName}' with {folder.TotalItemCount.ToString(CultureInfo.InvariantCulture)} messages.";
            }, ex => ex as MailboxAccessException))
        {
            return;
        }

        await run.StepAsync(ConnectionTestSteps.Delta, async ct =>
        {
            var url = GraphApiClient.InitialDeltaUrl(target, folder!.Id);
            var pages = 0;
            var listed = 0;
            while (true)
            {
                GraphDeltaPage page;
                try
                {
                    page = await api.GetDeltaPageAsync(target, url, ct);
                }
                catch (GraphDeltaExpiredException ex)
                {
                    throw new MailboxAccessException(MailboxErrorCodes.GraphRequestFailed, $"Microsoft Graph refused a new delta round: {ex.Message}", ex);
                }

                pages++;
                listed += page.Messages.Count(m => !m.Removed);
                if (page.DeltaLink is not null)
                {
                    return $"A delta round of the folder worked: {pages.ToString(CultureInfo.InvariantCulture)} page(s), {listed.ToString(CultureInfo.InvariantCulture)} messages listed, delta link received (nothing was fetched).";
                }

                if (pages >= options.Value.MaxPagesPerPoll)
                {
                    return $"Delta query works: {pages.ToString(CultureInfo.InvariantCulture)} pages with {listed.ToString(CultureInfo.InvariantCulture)} messages read; the folder is large, so the first poll takes several rounds to reach the delta link.";
                }

                url = new Uri(page.NextLink!);
            }
        }, ex => ex as MailboxAccessException);
    }
}
