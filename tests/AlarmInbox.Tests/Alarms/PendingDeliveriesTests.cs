using AlarmInbox.Grains.Interfaces.Webhooks;
using AlarmInbox.Grains.Webhooks;

namespace AlarmInbox.Tests.Alarms;

/// <summary>
/// The outbox's in-memory index of pending deliveries (issue 15): revisions of one alarm go to a webhook in revision
/// order, the earliest due delivery goes first, and a backlog of thousands is worked off in the same order.
/// </summary>
public sealed class PendingDeliveriesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ALaterRevisionIsOfferedOnlyAfterTheEarlierOneFinished()
    {
        var pending = new PendingDeliveries();
        var first = Entry("wh-a", "alm-1", 1, Now);
        var second = Entry("wh-a", "alm-1", 2, Now);
        Assert.True(pending.Add(second));
        Assert.True(pending.Add(first));

        Assert.Equal([first], pending.Due(Now, 10));
        pending.Start(first);
        Assert.Empty(pending.Due(Now, 10));
        Assert.Null(pending.NextAttemptAt);

        first.State = WebhookDeliveryState.Delivered;
        pending.Finish(first);
        Assert.Equal([second], pending.Due(Now, 10));
        Assert.Equal(1, pending.Count);
    }

    [Fact]
    public void AFailedAttemptKeepsItsChainWaitingUntilItsRetryIsDue()
    {
        var pending = new PendingDeliveries();
        var first = Entry("wh-a", "alm-1", 1, Now);
        var second = Entry("wh-a", "alm-1", 2, Now);
        var other = Entry("wh-a", "alm-2", 1, Now);
        pending.Add(first);
        pending.Add(second);
        pending.Add(other);

        pending.Start(first);
        first.Attempts = 1;
        first.NextAttemptAt = Now.AddSeconds(30);
        pending.Finish(first);

        // Revision 2 does not overtake the failed revision 1; another alarm is not held up by it.
        Assert.Equal([other], pending.Due(Now, 10));
        Assert.Equal(Now, pending.NextAttemptAt);
        pending.Start(other);
        Assert.Equal(Now.AddSeconds(30), pending.NextAttemptAt);
        Assert.Equal([first], pending.Due(Now.AddSeconds(30), 10));
        Assert.True(pending.IsRunning(other));
        Assert.False(pending.IsRunning(second));
    }

    [Fact]
    public void EachWebhookHasItsOwnOrderAndDueDeliveriesComeEarliestFirstUpToTheLimit()
    {
        var pending = new PendingDeliveries();
        var late = Entry("wh-a", "alm-1", 1, Now.AddSeconds(-1));
        var early = Entry("wh-b", "alm-1", 1, Now.AddSeconds(-5));
        var middle = Entry("wh-a", "alm-2", 1, Now.AddSeconds(-3));
        var notYet = Entry("wh-a", "alm-3", 1, Now.AddSeconds(5));
        foreach (var entry in new[] { late, early, middle, notYet })
        {
            pending.Add(entry);
        }

        Assert.Equal([early, middle], pending.Due(Now, 2));
        Assert.Equal([early, middle, late], pending.Due(Now, 10));
        Assert.Equal(Now.AddSeconds(-5), pending.NextAttemptAt);
        Assert.Equal(Now.AddSeconds(-5), pending.OldestCreatedAt);
    }

    [Fact]
    public void TheSameRevisionIsPendingOnceAndCanBeFoundRemovedAndSuperseded()
    {
        var pending = new PendingDeliveries();
        var first = Entry("wh-a", "alm-1", 1, Now);
        var second = Entry("wh-a", "alm-1", 2, Now);
        var third = Entry("wh-a", "alm-1", 3, Now);
        pending.Add(first);
        pending.Add(second);
        pending.Add(third);

        Assert.False(pending.Add(Entry("wh-a", "alm-1", 2, Now)));
        Assert.Same(second, pending.Find("wh-a", "alm-1", 2));
        Assert.Null(pending.Find("wh-b", "alm-1", 2));

        pending.Start(first);
        Assert.Equal([second], pending.WaitingBefore(third));
        Assert.True(pending.Remove(second));
        Assert.False(pending.Remove(second));
        first.State = WebhookDeliveryState.DeadLetter;
        pending.Finish(first);
        Assert.Equal([third], pending.Due(Now, 10));

        pending.RemoveWaitingOf("wh-a");
        Assert.Equal(0, pending.Count);
        Assert.Null(pending.NextAttemptAt);
        Assert.Null(pending.OldestCreatedAt);
    }

    [Fact]
    public void ABacklogOfTwentyThousandIsWorkedOffInRevisionOrderPerAlarmAndDueOrderAcrossAlarms()
    {
        // A receiver down for long: 2,000 alarms with 10 revisions each, queued interleaved and out of revision order.
        var pending = new PendingDeliveries();
        for (var revision = 10; revision >= 1; revision--)
        {
            for (var alarm = 0; alarm < 2_000; alarm++)
            {
                pending.Add(Entry("wh-a", $"alm-{alarm}", revision, Now.AddMinutes(revision).AddMilliseconds(alarm)));
            }
        }

        var sent = new List<OutboxEntry>();
        var later = Now.AddHours(1);
        Assert.Equal(Now.AddMinutes(1), pending.NextAttemptAt);
        while (pending.Due(later, 1) is [var next])
        {
            pending.Start(next);
            next.State = WebhookDeliveryState.Delivered;
            pending.Finish(next);
            sent.Add(next);
        }

        Assert.Equal(20_000, sent.Count);
        Assert.Equal(0, pending.Count);
        foreach (var alarm in sent.GroupBy(e => e.AlarmId))
        {
            Assert.Equal(Enumerable.Range(1, 10), alarm.Select(e => e.Revision));
        }

        // Revision 1 of every alarm first (earliest due first), in the order they were due.
        Assert.Equal(Enumerable.Range(0, 2_000).Select(a => $"alm-{a}"), sent.Take(2_000).Select(e => e.AlarmId));
    }

    private static OutboxEntry Entry(string webhookId, string alarmId, int revision, DateTimeOffset due) => new()
    {
        WebhookId = webhookId,
        AlarmId = alarmId,
        Revision = revision,
        IdempotencyKey = $"{alarmId}.{revision}",
        EventName = revision == 1 ? WebhookPayload.Created : WebhookPayload.Updated,
        State = WebhookDeliveryState.Pending,
        CreatedAt = due,
        NextAttemptAt = due,
    };
}
