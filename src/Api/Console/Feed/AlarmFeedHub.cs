using System.Globalization;
using System.Threading.Channels;
using AlarmInbox.Api.Alarms;
using AlarmInbox.Grains.Interfaces.Alarms;
using Microsoft.Extensions.Options;
using Orleans.Streams;

namespace AlarmInbox.Api.Console.Feed;

/// <summary>
/// The live alarm feed of one API process: per tenant with at least one open alarms page, <b>one</b> subscription to the
/// tenant's alarm stream (<see cref="AlarmStreams"/>, new and updated alarms as they are evaluated) and one catch-up
/// request to the REST API every <see cref="ConsoleOptions.FeedInterval"/> for what the stream does not carry (test-mode
/// and rejected alarms; anything lost while a silo restarted), fanned out to every open page of that tenant. So the cost
/// grows with the tenants being watched, not with the open pages. The subscription ends with the tenant's last page.
/// </summary>
/// <remarks>
/// The stream is read without an API key, so a page is only subscribed after its own key has read the tenant's alarms
/// through the API (<see cref="AlarmFeedEndpoint"/>), and the page checks its key again every
/// <see cref="ConsoleOptions.FeedKeyCheckInterval"/>. The catch-up request uses the key of one of the tenant's open pages.
/// </remarks>
public sealed partial class AlarmFeedHub(IClusterClient cluster, TimeProvider time, IOptions<ConsoleOptions> options, ILogger<AlarmFeedHub> logger) : IAsyncDisposable
{
    // Enough for a burst of alarms; a page that cannot keep up loses the oldest and gets the rest (its next catch-up shows the list anyway).
    private const int PageBuffer = 200;
    private readonly IClusterClient _cluster = cluster;
    private readonly TimeProvider _time = time;
    private readonly IOptions<ConsoleOptions> _options = options;
    private readonly ILogger _logger = logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, TenantFeed> _tenants = new(StringComparer.Ordinal);

    private long _streamItems;

    /// <summary>How many alarms this process has received through stream subscriptions since it started (repeats included); for tests.</summary>
    public long StreamItems => Interlocked.Read(ref _streamItems);

    /// <summary>How many alarms pages of <paramref name="tenantId"/> are open in this process, and whether they share a stream subscription.</summary>
    public (int Pages, bool Subscribed) Watching(string tenantId)
    {
        lock (_gate)
        {
            return _tenants.TryGetValue(tenantId, out var feed) ? (feed.Pages.Count, feed.HasStream) : (0, false);
        }
    }

    /// <summary>
    /// Adds a page to the tenant's feed; the first page of a tenant subscribes to its stream and starts the catch-up.
    /// Dispose the result when the page goes.
    /// </summary>
    /// <param name="tenantId">The tenant, already read with <paramref name="api"/>'s key.</param>
    /// <param name="api">The page's API client (its session's key), used for the catch-up while the page is open.</param>
    /// <param name="since">Alarms evaluated before this are not the feed's business (the page shows them already).</param>
    public async Task<FeedPage> JoinAsync(string tenantId, ConsoleApiClient api, DateTimeOffset since)
    {
        var page = new FeedPage(this, tenantId, api, Channel.CreateBounded<AlarmResponse>(new BoundedChannelOptions(PageBuffer)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        }));
        TenantFeed feed;
        bool first;
        lock (_gate)
        {
            first = !_tenants.TryGetValue(tenantId, out feed!);
            if (first)
            {
                feed = new TenantFeed(tenantId, since);
                _tenants[tenantId] = feed;
            }

            feed.Pages.Add(page);
        }

        if (first)
        {
            // Only this page's leaving can end the feed, and it cannot leave before this returns: the start is not raced.
            try
            {
                await feed.StartAsync(this);
            }
            catch
            {
                await LeaveAsync(page);
                throw;
            }
        }

        return page;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        List<TenantFeed> feeds;
        lock (_gate)
        {
            feeds = [.. _tenants.Values];
            _tenants.Clear();
        }

        foreach (var feed in feeds)
        {
            await feed.StopAsync(this);
        }
    }

    private async Task LeaveAsync(FeedPage page)
    {
        TenantFeed? last = null;
        lock (_gate)
        {
            if (_tenants.TryGetValue(page.TenantId, out var feed) && feed.Pages.Remove(page) && feed.Pages.Count == 0)
            {
                _tenants.Remove(page.TenantId);
                last = feed;
            }
        }

        page.Writer.TryComplete();
        if (last is not null)
        {
            await last.StopAsync(this);
        }
    }

    private void Publish(TenantFeed feed, AlarmResponse alarm)
    {
        lock (_gate)
        {
            if (feed.Seen.TryGetValue(alarm.Id, out var revision) && revision >= alarm.Revision)
            {
                return;
            }

            feed.Seen[alarm.Id] = alarm.Revision;
            if (alarm.EvaluatedAt > feed.Cursor)
            {
                feed.Cursor = alarm.EvaluatedAt;
            }

            foreach (var page in feed.Pages)
            {
                page.Writer.TryWrite(alarm);
            }
        }
    }

    private async Task CatchUpAsync(TenantFeed feed, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(_options.Value.FeedInterval, _time, cancellationToken);
            ConsoleApiClient? api;
            DateTimeOffset cursor;
            lock (_gate)
            {
                api = feed.Pages.FirstOrDefault()?.Api;
                cursor = feed.Cursor;
            }

            if (api is null)
            {
                continue;
            }

            var path = $"api/tenants/{Uri.EscapeDataString(feed.TenantId)}/alarms?limit=50&since="
                + Uri.EscapeDataString(cursor.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            var alarms = await api.GetAsync<List<AlarmResponse>>(path, cancellationToken);
            foreach (var alarm in (alarms.Value ?? []).OrderBy(a => a.EvaluatedAt))
            {
                Publish(feed, alarm);
            }
        }
    }

    [LoggerMessage(EventId = 8401, Level = LogLevel.Debug, Message = "Console feed: tenant {TenantId} subscribed to its alarm stream")]
    private static partial void LogSubscribed(ILogger logger, string tenantId);

    [LoggerMessage(EventId = 8402, Level = LogLevel.Warning, Message = "Console feed: tenant {TenantId} could not subscribe to its alarm stream ({ExceptionType}); its open pages get new alarms by the catch-up every {Interval} only")]
    private static partial void LogSubscribeFailed(ILogger logger, string tenantId, string exceptionType, TimeSpan interval);

    [LoggerMessage(EventId = 8403, Level = LogLevel.Debug, Message = "Console feed: tenant {TenantId} unsubscribed (its last page closed)")]
    private static partial void LogUnsubscribed(ILogger logger, string tenantId);

    [LoggerMessage(EventId = 8404, Level = LogLevel.Warning, Message = "Console feed: tenant {TenantId}: {Where} failed ({ExceptionType})")]
    private static partial void LogFeedFailed(ILogger logger, string tenantId, string where, string exceptionType);

    /// <summary>One open alarms page: what it reads, and its key for the catch-up.</summary>
    public sealed class FeedPage : IAsyncDisposable
    {
        private readonly AlarmFeedHub _hub;
        private readonly Channel<AlarmResponse> _channel;

        internal FeedPage(AlarmFeedHub hub, string tenantId, ConsoleApiClient api, Channel<AlarmResponse> channel)
        {
            _hub = hub;
            _channel = channel;
            TenantId = tenantId;
            Api = api;
        }

        /// <summary>The tenant.</summary>
        public string TenantId { get; }

        /// <summary>New and updated alarms of the tenant, in the order the hub learnt of them.</summary>
        public ChannelReader<AlarmResponse> Alarms => _channel.Reader;

        internal ConsoleApiClient Api { get; }

        internal ChannelWriter<AlarmResponse> Writer => _channel.Writer;

        /// <inheritdoc />
        public async ValueTask DisposeAsync() => await _hub.LeaveAsync(this);
    }

    private sealed class TenantFeed(string tenantId, DateTimeOffset since)
    {
        // Not disposed: it has no timer, and a catch-up round may still be looking at its token while the feed stops.
        private readonly CancellationTokenSource _stop = new();
        private StreamSubscriptionHandle<AlarmRecord>? _subscription;
        private Task _catchUp = Task.CompletedTask;

        public string TenantId { get; } = tenantId;

        public List<FeedPage> Pages { get; } = [];

        public Dictionary<string, int> Seen { get; } = new(StringComparer.Ordinal);

        public DateTimeOffset Cursor { get; set; } = since;

        public bool HasStream => _subscription is not null;

        public async Task StartAsync(AlarmFeedHub hub)
        {
            try
            {
                var stream = hub._cluster.GetStreamProvider(AlarmStreams.ProviderName)
                    .GetStream<AlarmRecord>(StreamId.Create(AlarmStreams.Namespace, TenantId));
                _subscription = await stream.SubscribeAsync((record, _) =>
                {
                    Interlocked.Increment(ref hub._streamItems);
                    hub.Publish(this, AlarmResponse.From(record, deliveries: null));
                    return Task.CompletedTask;
                });
                LogSubscribed(hub._logger, TenantId);
            }
            catch (Exception exception) when (exception is OrleansException or TimeoutException or InvalidOperationException or KeyNotFoundException)
            {
                LogSubscribeFailed(hub._logger, TenantId, exception.GetType().Name, hub._options.Value.FeedInterval);
            }

            _catchUp = RunCatchUpAsync(hub);
        }

        public async Task StopAsync(AlarmFeedHub hub)
        {
            await _stop.CancelAsync();
            await _catchUp;
            if (_subscription is { } subscription)
            {
                _subscription = null;
                try
                {
                    await subscription.UnsubscribeAsync();
                    LogUnsubscribed(hub._logger, TenantId);
                }
                catch (Exception exception) when (exception is OrleansException or TimeoutException)
                {
                    // The silo is gone, and the subscription with its in-memory pub-sub state.
                    LogFeedFailed(hub._logger, TenantId, "unsubscribe", exception.GetType().Name);
                }
            }

        }

        private async Task RunCatchUpAsync(AlarmFeedHub hub)
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    await hub.CatchUpAsync(this, _stop.Token);
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception exception) when (exception is HttpRequestException or InvalidOperationException or System.Text.Json.JsonException or ObjectDisposedException)
                {
                    // One failed round (the page whose key it used just closed, say): the next round tries again.
                    LogFeedFailed(hub._logger, TenantId, "catch-up", exception.GetType().Name);
                }
            }
        }
    }
}
