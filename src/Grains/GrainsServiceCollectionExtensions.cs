using AlarmInbox.Grains.Alarms;
using AlarmInbox.Grains.Auth;
using AlarmInbox.Grains.Diagnostics;
using AlarmInbox.Grains.Egress;
using AlarmInbox.Grains.Graph;
using AlarmInbox.Grains.Health;
using AlarmInbox.Grains.Imap;
using AlarmInbox.Grains.Mailboxes;
using AlarmInbox.Grains.Mime;
using AlarmInbox.Grains.Secrets;
using AlarmInbox.Grains.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AlarmInbox.Grains;

/// <summary>Registers what the grains need.</summary>
public static class GrainsServiceCollectionExtensions
{
    /// <summary>
    /// Adds the MailKit connector, the MIME decoder, the secret protector and the options of sections
    /// <c>AlarmInbox:Imap</c> and <c>AlarmInbox:Polling</c>. The caller configures Data Protection (where its key ring lives).
    /// </summary>
    public static IServiceCollection AddAlarmInboxGrains(this IServiceCollection services)
    {
        services.AddOptions<ImapOptions>().BindConfiguration(ImapOptions.SectionName)
            .Validate(o => o.ConnectTimeout > TimeSpan.Zero && o.CommandTimeout > TimeSpan.Zero, "AlarmInbox:Imap:ConnectTimeout and AlarmInbox:Imap:CommandTimeout must be positive.")
            .Validate(o => o.FetchBatchSize is >= 1 and <= 1000, "AlarmInbox:Imap:FetchBatchSize must be between 1 and 1000.")
            .Validate(o => o.MaxMessagesPerPoll >= o.FetchBatchSize, "AlarmInbox:Imap:MaxMessagesPerPoll must be at least AlarmInbox:Imap:FetchBatchSize.")
            .Validate(o => o.MaxConcurrentLoginsPerHost >= 1, "AlarmInbox:Imap:MaxConcurrentLoginsPerHost must be at least 1.")
            .Validate(o => o.MaxQueuedLoginsPerHost >= 0, "AlarmInbox:Imap:MaxQueuedLoginsPerHost must not be negative.")
            .Validate(o => o.LoginQueueTimeout > TimeSpan.Zero, "AlarmInbox:Imap:LoginQueueTimeout must be positive.")
            .Validate(o => o.MaxMessageBytes >= 1024, "AlarmInbox:Imap:MaxMessageBytes must be at least 1024.")
            .ValidateOnStart();
        services.AddOptions<PollingOptions>().BindConfiguration(PollingOptions.SectionName)
            .Validate(o => o.WatchdogPeriod > TimeSpan.Zero, "AlarmInbox:Polling:WatchdogPeriod must be positive.")
            .Validate(o => o.PollTimeout > TimeSpan.Zero && o.InitialContactTimeout > TimeSpan.Zero, "AlarmInbox:Polling:PollTimeout and AlarmInbox:Polling:InitialContactTimeout must be positive.")
            .Validate(o => o.PollTimeout < TimeSpan.FromSeconds(30), "AlarmInbox:Polling:PollTimeout must stay below Orleans' 30 s call timeout.")
            .Validate(o => o.ConnectionLimitBackoffCap > TimeSpan.Zero, "AlarmInbox:Polling:ConnectionLimitBackoffCap must be positive.")
            .Validate(o => o.FirstPollsPerSecond > 0, "AlarmInbox:Polling:FirstPollsPerSecond must be positive.")
            .Validate(o => o.PollSlot >= TimeSpan.Zero && o.PollSlot <= TimeSpan.FromSeconds(10), "AlarmInbox:Polling:PollSlot must be between 0 and 10 s.")
            .Validate(o => o.StartupSpread >= TimeSpan.Zero && o.KeptSessionMaxInterval >= TimeSpan.Zero, "AlarmInbox:Polling:StartupSpread and AlarmInbox:Polling:KeptSessionMaxInterval must not be negative.")
            .ValidateOnStart();
        services.AddOptions<Ingestion.IngestionOptions>().BindConfiguration(Ingestion.IngestionOptions.SectionName)
            .Validate(o => o.MailBudget > TimeSpan.Zero && o.MailBudget <= TimeSpan.FromSeconds(20), "AlarmInbox:Ingestion:MailBudget must be more than 0 and at most 20 s (a poll has 25 s).")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<Tenants.TenantOptions>().BindConfiguration(Tenants.TenantOptions.SectionName)
            .Validate(o => o.MaxMailboxes >= 1 && o.MaxActiveApiKeys >= 1 && o.MaxStoredApiKeys >= o.MaxActiveApiKeys,
                "AlarmInbox:Tenants:MaxMailboxes and MaxActiveApiKeys must be at least 1, MaxStoredApiKeys at least MaxActiveApiKeys.")
            .ValidateOnStart();
        services.AddOptions<EgressOptions>().BindConfiguration(EgressOptions.SectionName)
            .Validate(o => o.AllowedNetworks.Concat(o.DeniedNetworks).All(n => System.Net.IPNetwork.TryParse(n, out _)),
                "AlarmInbox:Egress:AllowedNetworks and AlarmInbox:Egress:DeniedNetworks must hold networks in CIDR notation (10.1.2.0/24, 2001:db8::/32).")
            .ValidateOnStart();
        services.TryAddSingleton<EgressPolicy>();
        services.TryAddSingleton<MailDecoder>();
        services.TryAddSingleton<Ingestion.MailIngestion>();
        services.TryAddSingleton<ImapLoginLimiter>();
        services.TryAddSingleton<FirstPollPacer>();
        services.TryAddSingleton<ImapFolderSync>();
        services.TryAddSingleton<ImapIdleSessions>();
        services.TryAddSingleton<MailboxCredentials>();
        services.TryAddSingleton<IImapConnector, MailKitImapConnector>();
        services.TryAddSingleton<ISecretProtector, DataProtectionSecretProtector>();
        services.TryAddSingleton<IPollStepObserver, NoPollStepObserver>();
        services.TryAddSingleton<MailboxMetrics>();
        services.TryAddSingleton<StorageHealth>();
        services.TryAddSingleton<AlarmMetrics>();
        services.AddAlarmInboxAlarms();
        services.AddOffice365();
        services.AddGraph();
        return services;
    }

    /// <summary>
    /// Adds what Graph mailboxes need: the HTTP clients, the Graph requests, the delta sync, the Graph steps of the
    /// connection test and the options of section <c>AlarmInbox:Graph</c>. Tokens come from the Office 365 token provider.
    /// </summary>
    public static IServiceCollection AddGraph(this IServiceCollection services)
    {
        services.AddOptions<GraphOptions>().BindConfiguration(GraphOptions.SectionName)
            .Validate(o => o.MaxConcurrentRequestsPerMailbox is >= 1 and <= 4, "AlarmInbox:Graph:MaxConcurrentRequestsPerMailbox must be between 1 and 4 (Microsoft Graph allows 4 concurrent requests per app and mailbox).")
            .Validate(o => o.RequestTimeout > TimeSpan.Zero, "AlarmInbox:Graph:RequestTimeout must be positive.")
            .Validate(o => o.DeltaPageSize is >= 1 and <= 1000, "AlarmInbox:Graph:DeltaPageSize must be between 1 and 1000.")
            .Validate(o => o.MaxMessagesPerPoll >= 1 && o.MaxPagesPerPoll >= 1, "AlarmInbox:Graph:MaxMessagesPerPoll and AlarmInbox:Graph:MaxPagesPerPoll must be at least 1.")
            .Validate(o => o.MaxMessageBytes >= 1024, "AlarmInbox:Graph:MaxMessageBytes must be at least 1024.")
            .Validate(o => o.ResyncMargin >= TimeSpan.Zero && o.DeltaLinkSaveInterval >= TimeSpan.Zero, "AlarmInbox:Graph:ResyncMargin and AlarmInbox:Graph:DeltaLinkSaveInterval must not be negative.")
            .ValidateOnStart();
        services.TryAddSingleton<GraphHttpClients>();
        services.TryAddSingleton<GraphApiClient>();
        services.TryAddSingleton<GraphDeltaSync>();
        services.TryAddSingleton<GraphMailboxSync>();
        services.TryAddSingleton<GraphConnectionTester>();
        return services;
    }

    /// <summary>
    /// Adds the MSAL token provider (one per process, see <see cref="MsalAccessTokenProvider"/>), the XOAUTH2 session
    /// opener, the connection tester and the options of section <c>AlarmInbox:Office365</c>. Register an
    /// <see cref="Microsoft.Identity.Client.IMsalHttpClientFactory"/> before this to route MSAL's HTTP (tests only).
    /// </summary>
    public static IServiceCollection AddOffice365(this IServiceCollection services)
    {
        services.AddOptions<Office365Options>().BindConfiguration(Office365Options.SectionName)
            .Validate(o => o.TokenTimeout > TimeSpan.Zero, "AlarmInbox:Office365:TokenTimeout must be positive.")
            .Validate(o => o.ConfigurationErrorPause >= TimeSpan.Zero, "AlarmInbox:Office365:ConfigurationErrorPause must not be negative.")
            .Validate(o => o.TransientPauseMin > TimeSpan.Zero && o.TransientPauseMax >= o.TransientPauseMin, "AlarmInbox:Office365:TransientPauseMin must be positive and at most AlarmInbox:Office365:TransientPauseMax.")
            .Validate(o => o.ExchangePropagationTime >= TimeSpan.Zero, "AlarmInbox:Office365:ExchangePropagationTime must not be negative.")
            .ValidateOnStart();
        services.TryAddSingleton<IAccessTokenProvider, MsalAccessTokenProvider>();
        services.TryAddSingleton<Office365SessionOpener>();
        services.TryAddSingleton<ConnectionTester>();
        return services;
    }
}
