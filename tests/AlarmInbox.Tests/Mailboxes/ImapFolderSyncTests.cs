using AlarmInbox.Grains.Imap;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Mailboxes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AlarmInbox.Tests.Mailboxes;

/// <summary>The IMAP sync algorithm on its own, over a scripted session and an in-memory target (no server, no grain).</summary>
public sealed class ImapFolderSyncTests
{
    private static readonly DateTimeOffset Created = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    private static ImapFolderSync Sync(int batch = 100, int maxPerPoll = 1_000, int maxBytes = 25 * 1024 * 1024) =>
        new(Options.Create(new ImapOptions { FetchBatchSize = batch, MaxMessagesPerPoll = maxPerPoll, MaxMessageBytes = maxBytes }), NullLogger<ImapFolderSync>.Instance);

    private static ImapSyncStart Start(UidWatermark watermark, int backfill = 0, DateTimeOffset? newSince = null) => new()
    {
        MailboxId = "mb-test",
        Watermark = watermark,
        PendingBackfill = backfill,
        NewSince = newSince,
        LastInSyncAt = Created,
    };

    [Fact]
    public async Task ANormalRoundHandsOverTheNewMailsInBatchesAndMovesTheWatermarkAfterEach()
    {
        var session = new ScriptedImapSession().With(Created, 1, 2, 3, 4, 5, 6, 7);
        var target = new ListTarget();

        var result = await Sync(batch: 2).SyncAsync(session, Start(new UidWatermark(1000, 2)), target, CancellationToken.None);

        Assert.Equal(5, result.Stored);
        Assert.Equal(new UidWatermark(1000, 7), result.Watermark);
        Assert.False(result.MoreWaiting);
        Assert.False(result.UidValidityChanged);
        Assert.Equal(7, result.FolderCount);
        Assert.Equal(["SEARCH 2", "SIZES 3,4", "FETCH 3,4", "SIZES 5,6", "FETCH 5,6", "SIZES 7", "FETCH 7"], session.Commands);
        Assert.Equal(
            ["handover 3,4 after 2", "watermark 1000/4 +2", "handover 5,6 after 4", "watermark 1000/6 +2", "handover 7 after 6", "watermark 1000/7 +1"],
            target.Log);
    }

    [Fact]
    public async Task ABatchIsFetchedInPartsOfAtMostTheSizeLimitEachFollowedByTheWatermark()
    {
        var session = new ScriptedImapSession().With(Created, 1, 2, 3, 4, 5, 6);
        var size = new ScriptedImapSession.Message(4, "m4@v1000.test", Created).Raw.Length;
        var target = new ListTarget();

        // Two of these mails fit into the limit, three do not.
        var result = await Sync(maxBytes: (2 * size) + 1).SyncAsync(session, Start(new UidWatermark(1000, 1)), target, CancellationToken.None);

        Assert.Equal(5, result.Stored);
        Assert.Equal(new UidWatermark(1000, 6), result.Watermark);
        Assert.Equal(["SEARCH 1", "SIZES 2,3,4,5,6", "FETCH 2,3", "FETCH 4,5", "FETCH 6"], session.Commands);
        Assert.Equal(
            ["handover 2,3 after 1", "watermark 1000/3 +2", "handover 4,5 after 3", "watermark 1000/5 +2", "handover 6 after 5", "watermark 1000/6 +1"],
            target.Log);
    }

    [Fact]
    public async Task ALargeMailThatNeverArrivesWithinAPollsBudgetIsFetchedSmallerAtTheNextPollsUntilItAndTheMailAfterItGetThrough()
    {
        const int max = 4 * 1024 * 1024;
        var session = new ScriptedImapSession().With(Created, 1).WithLarge(Created.AddMinutes(1), 2, 3 * 1024 * 1024).With(Created.AddMinutes(2), 3);
        session.SlowAboveBytes = 500_000;
        var sync = Sync(maxBytes: max);
        var limit = sync.NewFetchLimit();
        var target = new ListTarget();
        var watermark = new UidWatermark(1000, 1);
        var timedOut = 0;
        ImapSyncResult? result = null;

        // Each poll has its budget; a part the link cannot carry within it is cut off, and the poll fails.
        while (result is null && timedOut < 10)
        {
            using var budget = new CancellationTokenSource();
            session.OnSlowFetch = budget.Cancel;
            try
            {
                result = await sync.SyncAsync(session, Start(watermark) with { FetchLimit = limit }, target, budget.Token);
            }
            catch (OperationCanceledException)
            {
                timedOut++;
            }
        }

        // 3 MiB timed out, then a quarter of it (768 KiB), then 256 KiB (the floor) came in time.
        Assert.Equal(2, timedOut);
        Assert.NotNull(result);
        Assert.Equal(2, result.Stored);
        Assert.Equal(new UidWatermark(1000, 3), result.Watermark);
        var large = Assert.Single(target.Mails, m => m.Uid == 2);
        Assert.True(large.Partial);
        Assert.Equal(FetchSizeLimit.FloorBytes, large.Raw.Length);
        Assert.True(large.Size > 3 * 1024 * 1024);
        Assert.False(Assert.Single(target.Mails, m => m.Uid == 3).Partial);

        // A part of the limit's size that came in time raises the limit again.
        Assert.Equal(2 * FetchSizeLimit.FloorBytes, limit.Current);
    }

    [Fact]
    public void TheFetchLimitFallsToAQuarterOfTheSlowPartNotBelowItsFloorAndRisesByDoublingUpToItsMaximum()
    {
        var limit = new FetchSizeLimit(25 * 1024 * 1024);

        Assert.True(limit.TimedOut(25 * 1024 * 1024));
        Assert.Equal(25 * 1024 * 1024 / 4, limit.Current);
        Assert.True(limit.TimedOut(100));
        Assert.Equal(FetchSizeLimit.FloorBytes, limit.Current);
        Assert.False(limit.TimedOut(FetchSizeLimit.FloorBytes));
        limit.Fetched(1_000);
        Assert.Equal(FetchSizeLimit.FloorBytes, limit.Current);
        for (var i = 0; i < 20; i++)
        {
            limit.Fetched(limit.Current);
        }

        Assert.Equal(25 * 1024 * 1024, limit.Current);
        var small = new FetchSizeLimit(1_000);
        Assert.False(small.TimedOut(1_000));
        Assert.Equal(1_000, small.Current);
    }

    [Fact]
    public async Task NothingNewSendsOneSearchAndWritesNothing()
    {
        var session = new ScriptedImapSession().With(Created, 1, 2, 3);
        var target = new ListTarget();

        var result = await Sync().SyncAsync(session, Start(new UidWatermark(1000, 3)), target, CancellationToken.None);

        Assert.Equal(0, result.Stored);
        Assert.Equal(new UidWatermark(1000, 3), result.Watermark);
        Assert.Equal(["SEARCH 3"], session.Commands);
        Assert.Empty(target.Log);
    }

    [Fact]
    public async Task AHandOverFailureKeepsTheWatermarkBeforeTheBatch()
    {
        var session = new ScriptedImapSession().With(Created, 1, 2, 3, 4, 5);
        var target = new ListTarget { FailHandOverNumber = 2 };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => Sync(batch: 2).SyncAsync(session, Start(new UidWatermark(1000, 1)), target, CancellationToken.None));

        Assert.Equal("hand-over 2 failed (scripted)", error.Message);
        Assert.Equal(new UidWatermark(1000, 3), target.Watermark);
        Assert.Equal(["handover 2,3 after 1", "watermark 1000/3 +2"], target.Log);

        // The next round starts after the last saved batch and hands the failed one over again.
        target.FailHandOverNumber = null;
        var again = await Sync(batch: 2).SyncAsync(session, Start(target.Watermark), target, CancellationToken.None);
        Assert.Equal(new UidWatermark(1000, 5), again.Watermark);
        Assert.Equal("handover 4,5 after 3", target.Log[2]);
    }

    [Fact]
    public async Task AFailedFetchStopsTheRoundAfterTheSavedBatchesAndTheNextRoundGoesOnFromThere()
    {
        var session = new ScriptedImapSession { FailFetchNumber = 2 }.With(Created, 1, 2, 3, 4, 5, 6);
        var target = new ListTarget();

        var error = await Assert.ThrowsAsync<MailboxAccessException>(
            () => Sync(batch: 2).SyncAsync(session, Start(new UidWatermark(1000, 0)), target, CancellationToken.None));
        var again = await Sync(batch: 2).SyncAsync(session, Start(target.Watermark), target, CancellationToken.None);

        Assert.Equal(MailboxErrorCodes.ConnectionLost, error.Code);
        Assert.Equal(["handover 1,2 after 0", "watermark 1000/2 +2", "handover 3,4 after 2", "watermark 1000/4 +2", "handover 5,6 after 4", "watermark 1000/6 +2"], target.Log);
        Assert.Equal(4, again.Stored);
        Assert.Equal(6, target.MessagesFetched);
    }

    [Fact]
    public async Task MessagesExpungedBeforeTheFetchAreLeftOutAndTheWatermarkStillPassesThem()
    {
        var session = new ScriptedImapSession().With(Created, 1, 2, 3, 4);
        session.ExpungedBeforeFetch.Add(4);
        var target = new ListTarget();

        var result = await Sync().SyncAsync(session, Start(new UidWatermark(1000, 1)), target, CancellationToken.None);

        Assert.Equal(2, result.Stored);
        Assert.Equal(new UidWatermark(1000, 4), result.Watermark);
        Assert.Equal(["handover 2,3 after 1", "watermark 1000/4 +2"], target.Log);
    }

    [Fact]
    public async Task HugeUidGapsCostOneSearchAndOneFetchOfSizesAndBodies()
    {
        var session = new ScriptedImapSession().With(Created, 7, 3_000_000_000, 4_294_967_294);
        var target = new ListTarget();

        var result = await Sync().SyncAsync(session, Start(new UidWatermark(1000, 7)), target, CancellationToken.None);

        Assert.Equal(2, result.Stored);
        Assert.Equal(new UidWatermark(1000, 4_294_967_294), result.Watermark);
        Assert.Equal(["SEARCH 7", "SIZES 3000000000,4294967294", "FETCH 3000000000,4294967294"], session.Commands);
    }

    [Fact]
    public async Task MoreThanOnePollTakesIsLeftForTheNextRoundAndSaysSo()
    {
        var session = new ScriptedImapSession().With(Created, 1, 2, 3, 4, 5);
        var target = new ListTarget();

        var first = await Sync(batch: 10, maxPerPoll: 3).SyncAsync(session, Start(new UidWatermark(1000, 0)), target, CancellationToken.None);
        var second = await Sync(batch: 10, maxPerPoll: 3).SyncAsync(session, Start(first.Watermark), target, CancellationToken.None);

        Assert.True(first.MoreWaiting);
        Assert.Equal(new UidWatermark(1000, 3), first.Watermark);
        Assert.False(second.MoreWaiting);
        Assert.Equal(new UidWatermark(1000, 5), second.Watermark);
        Assert.Equal(5, target.MessagesFetched);
    }

    [Fact]
    public async Task TheBaselineAtCreationIsUidNextAndMailsAlreadyThereAreNotNew()
    {
        var session = new ScriptedImapSession().With(Created.AddDays(-1), 1, 2, 3);
        session.UidNext = 9;
        var target = new ListTarget();

        var result = await Sync().SyncAsync(session, Start(UidWatermark.None), target, CancellationToken.None);

        Assert.Equal(0, result.Stored);
        Assert.Equal(new UidWatermark(1000, 8), result.Watermark);
        Assert.Equal(["watermark 1000/8 +0"], target.Log);
        Assert.Equal(["SEARCH 8"], session.Commands);
    }

    [Fact]
    public async Task ABackfillAtCreationHandsOverTheNewestMessagesAlreadyThere()
    {
        var session = new ScriptedImapSession().With(Created.AddDays(-1), 1, 2, 5, 6, 9);
        var target = new ListTarget();

        var result = await Sync().SyncAsync(session, Start(UidWatermark.None, backfill: 2), target, CancellationToken.None);

        Assert.Equal(2, result.Stored);
        Assert.Equal(["watermark 1000/5 +0", "handover 6,9 after 5", "watermark 1000/9 +2"], target.Log);
        Assert.Equal(0, target.PendingBackfill);
    }

    [Fact]
    public async Task ABackfillLargerThanTheFolderHandsOverTheWholeFolder()
    {
        var session = new ScriptedImapSession().With(Created.AddDays(-1), 4, 5);
        var target = new ListTarget();

        var result = await Sync().SyncAsync(session, Start(UidWatermark.None, backfill: 50), target, CancellationToken.None);

        Assert.Equal(2, result.Stored);
        Assert.Equal("watermark 1000/3 +0", target.Log[0]);
    }

    [Fact]
    public async Task AFirstContactAfterTheCreationTreatsEveryMailReceivedSinceTheCreationAsNew()
    {
        // Two mails from before the creation, three received after it while the server could not be reached.
        var session = new ScriptedImapSession().With(Created.AddHours(-2), 10, 11).With(Created.AddMinutes(5), 12, 13, 14);
        var target = new ListTarget();

        var result = await Sync().SyncAsync(session, Start(UidWatermark.None, newSince: Created), target, CancellationToken.None);

        Assert.Equal(3, result.Stored);
        Assert.Equal(["watermark 1000/11 +0", "handover 12,13,14 after 11", "watermark 1000/14 +3"], target.Log);
        Assert.Equal("ENVELOPES 5", session.Commands[1]);
    }

    [Fact]
    public async Task AnEmptyFolderWithoutUidNextStartsAtZero()
    {
        var session = new ScriptedImapSession();
        var target = new ListTarget();

        var result = await Sync().SyncAsync(session, Start(UidWatermark.None, newSince: Created), target, CancellationToken.None);

        Assert.Equal(new UidWatermark(1000, 0), result.Watermark);
        Assert.Equal(["SEARCH 0", "SEARCH 0"], session.Commands);
    }

    [Fact]
    public async Task AfterAUidValidityChangeOnlyMailsNotStoredAndNotOlderThanTheNewestStoredAreFetched()
    {
        // Stored before the change: m1-m3 (received 08:00:00-08:00:02). The server renumbers them, and m4 (new) arrives.
        var session = new ScriptedImapSession().With(Created, 1, 2, 3);
        var target = new ListTarget();
        target.Known.AddRange(["mid:m1@v1000.test", "mid:m2@v1000.test", "mid:m3@v1000.test"]);
        target.NewestKnown = Created.AddSeconds(2);
        session.Renumber(2000);
        session.With(Created.AddMinutes(3), 4);

        var result = await Sync().SyncAsync(session, Start(new UidWatermark(1000, 3)), target, CancellationToken.None);

        Assert.True(result.UidValidityChanged);
        Assert.Equal(1, result.Stored);
        Assert.Equal(new UidWatermark(2000, 4), result.Watermark);
        Assert.Equal(["handover 4 after 0 skip-known", "watermark 1000/3 +1", "watermark 2000/4 +0"], target.Log);
        Assert.Equal(["SEARCH 0", "ENVELOPES 4", "FETCH 4", "SEARCH 4"], session.Commands);
    }

    [Fact]
    public async Task ACrashDuringTheUidValidityRecoveryRepeatsItAndStoresNothingTwice()
    {
        var session = new ScriptedImapSession().With(Created, 1).With(Created.AddMinutes(5), 2, 3, 4);
        var target = new ListTarget { FailHandOverNumber = 2 };
        target.Known.Add("mid:m1@v1000.test");
        target.NewestKnown = Created;
        session.Renumber(3000);

        await Assert.ThrowsAsync<InvalidOperationException>(
            () => Sync(batch: 2).SyncAsync(session, Start(new UidWatermark(1000, 1)), target, CancellationToken.None));
        Assert.Equal(new UidWatermark(1000, 1), target.Watermark);

        target.FailHandOverNumber = null;
        var again = await Sync(batch: 2).SyncAsync(session, Start(target.Watermark), target, CancellationToken.None);

        Assert.True(again.UidValidityChanged);
        Assert.Equal(new UidWatermark(3000, 4), again.Watermark);
        Assert.Equal(["handover 2,3 after 0 skip-known", "watermark 1000/1 +2", "handover 4 after 0 skip-known", "watermark 1000/1 +1", "watermark 3000/4 +0"], target.Log);
        Assert.Equal(3, target.MessagesFetched);
    }

    /// <summary>An in-memory target: records what it was given, remembers content keys as the message store does.</summary>
    private sealed class ListTarget : IImapSyncTarget
    {
        private int _handOvers;

        public List<string> Log { get; } = [];

        public List<FetchedMail> Mails { get; } = [];

        public List<string> Known { get; } = [];

        public DateTimeOffset? NewestKnown { get; set; }

        public UidWatermark Watermark { get; private set; } = UidWatermark.None;

        public int PendingBackfill { get; private set; } = -1;

        public long MessagesFetched { get; private set; }

        public int? FailHandOverNumber { get; set; }

        public Task<int> HandOverAsync(ImapHandOver handOver, CancellationToken cancellationToken)
        {
            if (++_handOvers == FailHandOverNumber)
            {
                throw new InvalidOperationException($"hand-over {_handOvers} failed (scripted)");
            }

            var fresh = handOver.Mails.Select(m => "mid:" + System.Text.Encoding.ASCII.GetString(m.Raw).Split('<', '>')[1])
                .Where(key => !handOver.SkipKnownContent || !Known.Contains(key))
                .ToList();
            Known.AddRange(fresh);
            Mails.AddRange(handOver.Mails);
            Log.Add($"handover {string.Join(',', handOver.Mails.Select(m => m.Uid))} after {handOver.PreviousLastUid}{(handOver.SkipKnownContent ? " skip-known" : "")}");
            return Task.FromResult(fresh.Count);
        }

        public Task SaveWatermarkAsync(UidWatermark watermark, int stored)
        {
            Watermark = watermark;
            PendingBackfill = 0;
            MessagesFetched += stored;
            Log.Add($"watermark {watermark.UidValidity}/{watermark.LastUid} +{stored}");
            return Task.CompletedTask;
        }

        public Task<KnownMessages> GetKnownMessagesAsync() => Task.FromResult(new KnownMessages(Known.ToList(), NewestKnown));
    }
}
