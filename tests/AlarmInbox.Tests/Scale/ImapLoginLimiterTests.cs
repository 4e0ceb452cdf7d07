using AlarmInbox.Grains.Imap;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AlarmInbox.Tests.Scale;

/// <summary>The per-host cap on concurrent connection attempts and logins, with first-in-first-out queueing (issue 9).</summary>
public sealed class ImapLoginLimiterTests
{
    [Fact]
    public async Task WaitingPollsGetTheirTurnInArrivalOrder()
    {
        using var limiter = Limiter(permits: 1);
        var first = await limiter.AcquireAsync("imap.example", CancellationToken.None);
        var order = new List<string>();
        var waiting = new[] { "a", "b", "c", "d" }.Select(async name =>
        {
            using var lease = await limiter.AcquireAsync("imap.example", CancellationToken.None);
            lock (order)
            {
                order.Add(name);
            }
        }).ToList();

        Assert.Equal(4, limiter.GetStatistics("imap.example")!.CurrentQueuedCount);
        first.Dispose();
        await Task.WhenAll(waiting);

        Assert.Equal(["a", "b", "c", "d"], order);
    }

    [Fact]
    public async Task HostsHaveSeparateLimitsAndNamesAreCaseInsensitive()
    {
        using var limiter = Limiter(permits: 2);
        using var a1 = await limiter.AcquireAsync("outlook.office365.com", CancellationToken.None);
        using var a2 = await limiter.AcquireAsync("OUTLOOK.office365.com", CancellationToken.None);
        var third = limiter.AcquireAsync("Outlook.Office365.com", CancellationToken.None);
        using var other = await limiter.AcquireAsync("imap.example", CancellationToken.None);

        Assert.False(third.IsCompleted);
        Assert.Equal(1, limiter.GetStatistics("outlook.office365.com")!.CurrentQueuedCount);
        a1.Dispose();
        using var granted = await third;
        Assert.True(granted.IsAcquired);
    }

    [Fact]
    public async Task NoTurnWithinTheQueueTimeoutIsServerBusy()
    {
        using var limiter = Limiter(permits: 1, queueTimeout: TimeSpan.FromMilliseconds(200));
        using var held = await limiter.AcquireAsync("imap.example", CancellationToken.None);

        var error = await Assert.ThrowsAsync<MailboxAccessException>(async () => await limiter.AcquireAsync("imap.example", CancellationToken.None));

        Assert.Equal(MailboxErrorCodes.ServerBusy, error.Code);
        Assert.Contains("imap.example", error.Message);
        Assert.Equal(0, limiter.GetStatistics("imap.example")!.CurrentQueuedCount);
    }

    [Fact]
    public async Task FullQueueIsServerBusyAtOnce()
    {
        using var limiter = Limiter(permits: 1, queue: 1);
        using var held = await limiter.AcquireAsync("imap.example", CancellationToken.None);
        var queued = limiter.AcquireAsync("imap.example", CancellationToken.None);

        var error = await Assert.ThrowsAsync<MailboxAccessException>(async () => await limiter.AcquireAsync("imap.example", CancellationToken.None));

        Assert.Equal(MailboxErrorCodes.ServerBusy, error.Code);
        Assert.False(queued.IsCompleted);
        held.Dispose();
        (await queued).Dispose();
    }

    [Fact]
    public async Task CallerCancellationIsNotServerBusy()
    {
        using var limiter = Limiter(permits: 1);
        using var held = await limiter.AcquireAsync("imap.example", CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var waiting = limiter.AcquireAsync("imap.example", cancel.Token).AsTask();

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }

    [Fact]
    public async Task ConnectorNeverRunsMoreLoginsAtOnceThanThePerHostLimit()
    {
        // A server whose LOGIN waits until the test lets it finish; it records how many logins were in progress at once.
        var inProgress = 0;
        var maxInProgress = 0;
        using var release = new SemaphoreSlim(0);
        await using var server = new FakeImapServer((command, _) =>
        {
            if (command is "LOGIN" or "AUTHENTICATE")
            {
                var now = Interlocked.Increment(ref inProgress);
                InterlockedMax(ref maxInProgress, now);
                release.Wait(TimeSpan.FromSeconds(30));
                Interlocked.Decrement(ref inProgress);
                return ["{tag} OK " + command + " completed."];
            }

            return FakeImapServer.Basics(command) ?? command switch
            {
                "EXAMINE" or "SELECT" => ["* 0 EXISTS", "* OK [UIDVALIDITY 7] UIDs valid", "* OK [UIDNEXT 1] Predicted next UID", "{tag} OK [READ-ONLY] EXAMINE completed."],
                _ => ["{tag} BAD not scripted"],
            };
        });
        var options = Options.Create(new ImapOptions { MaxConcurrentLoginsPerHost = 2, LoginQueueTimeout = TimeSpan.FromSeconds(30) });
        using var limiter = new ImapLoginLimiter(options);
        var connector = new MailKitImapConnector(options, NullLogger<MailKitImapConnector>.Instance, limiter);

        var opening = Enumerable.Range(1, 6)
            .Select(i => connector.OpenAsync(new ImapConnectRequest("127.0.0.1", server.Port, MailboxSecurity.None, $"u{i}", "geheim", "INBOX"), CancellationToken.None))
            .ToList();
        for (var finished = 0; finished < 6; finished++)
        {
            // Let one login finish whenever as many are waiting in LOGIN as the limit allows (fewer at the end).
            var expected = Math.Min(2, 6 - finished);
            await Eventually.WaitForAsync(() => Task.FromResult(Volatile.Read(ref inProgress)), n => n >= expected, TimeSpan.FromSeconds(10), $"{expected} logins in progress");
            release.Release();
        }

        var sessions = await Task.WhenAll(opening);
        foreach (var session in sessions)
        {
            await session.DisposeAsync();
        }

        Assert.Equal(2, maxInProgress);
        Assert.Equal(6, server.Connections.Count);
        Assert.All(sessions, s => Assert.Equal(7u, s.UidValidity));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current && Interlocked.CompareExchange(ref target, value, current) != current)
        {
            current = Volatile.Read(ref target);
        }
    }

    private static ImapLoginLimiter Limiter(int permits, int queue = 100, TimeSpan? queueTimeout = null) =>
        new(Options.Create(new ImapOptions { MaxConcurrentLoginsPerHost = permits, MaxQueuedLoginsPerHost = queue, LoginQueueTimeout = queueTimeout ?? TimeSpan.FromSeconds(30) }));
}
