using System.Diagnostics;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Tests.Infrastructure;
using Xunit.Abstractions;

namespace AlarmInbox.Tests.Edges;

/// <summary>
/// Issue 14, "a mail can be lost": a mailbox whose first contact fails, a mail that arrives two seconds after the
/// creation, and a settings fix (PUT) some time later. Which mails are new was decided at creation, so the mail is
/// fetched whenever the fix comes.
/// </summary>
[Collection(EdgesCollection.Name)]
public sealed class EarlySettingsFixTests(EdgesFixture fixture, ITestOutputHelper output)
{
    /// <summary>
    /// The recipe, run 20 times at once on real time (no compressed schedule): each run its own Dovecot user and
    /// mailbox, the fix at a random moment between 0 and 30 s after the creation (two runs pinned at 0 s and 1 s, before
    /// the mail arrives), alternately a wrong password and an expired Office 365 client secret, half of them with IDLE.
    /// The scenario's steps are scheduled on a stopwatch; the outcome is waited for as a condition. About 40 s in all.
    /// </summary>
    [Fact]
    public async Task MailArrivingBeforeAnEarlySettingsFixIsFetchedWhateverTheMomentOfTheFix()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var fixes = Enumerable.Range(0, 20)
            .Select(i => i switch { 0 => TimeSpan.Zero, 1 => TimeSpan.FromSeconds(1), _ => TimeSpan.FromSeconds(Math.Round(random.NextDouble() * 30, 1)) })
            .ToList();
        var users = await Task.WhenAll(fixes.Select(_ => fixture.Imap.CreateUserAsync()));

        var runs = await Task.WhenAll(fixes.Select((fixAt, i) => RunRecipeAsync(users[i], fixAt, office365: i % 2 == 1, useIdle: i % 4 >= 2)));

        output.WriteLine($"seed {seed}; fix at (s) → mail fetched after creation (s):");
        foreach (var run in runs.OrderBy(r => r.FixAt))
        {
            output.WriteLine($"  {run.FixAt.TotalSeconds,5:0.0}  {(run.Office365 ? "expired client secret" : "wrong password       ")}  {(run.UseIdle ? "IDLE" : "poll")}  first error {run.FirstError,-28} → {(run.Fetched ? $"fetched at {run.FetchedAt.TotalSeconds:0.0}" : "LOST")}");
        }

        Assert.All(runs, r => Assert.Equal(r.Office365 ? MailboxErrorCodes.Office365ClientSecretExpired : MailboxErrorCodes.AuthFailed, r.FirstError));
        Assert.All(runs, r => Assert.True(r.Fetched, $"fix at {r.FixAt.TotalSeconds:0.0} s ({(r.Office365 ? "Office 365" : "password")}, {(r.UseIdle ? "IDLE" : "poll")}): the mail was not fetched"));
    }

    [Fact]
    public async Task AMailboxThatWasNeverReachedKeepsItsCreationBaselineAcrossASiloRestart()
    {
        var user = await fixture.Imap.CreateUserAsync();
        var old = await fixture.Imap.AppendAsync(user, [DovecotServer.Mail("schon da")], internalDate: DateTimeOffset.UtcNow.AddMinutes(-5));
        var (mailbox, created) = await fixture.CreateAsync(fixture.PasswordSettings(user, useIdle: false, password: "falsch"));
        var uid = (await fixture.Imap.AppendAsync(user, [DovecotServer.Mail("nach dem Anlegen")]))[0];

        // Everything in memory is gone with the silo; only the stored state remains. Then the fix.
        await fixture.Silo.RestartAsync();
        mailbox = fixture.Grains.GetGrain<IMailboxGrain>(created.Config.Id);
        Assert.True((await mailbox.UpdateAsync(created.Config.TenantId, fixture.PasswordSettings(user, useIdle: false))).Succeeded);
        var messages = await Eventually.WaitForAsync(() => mailbox.GetMessagesAsync(10), m => m!.Count > 0, TimeSpan.FromSeconds(120), "the mail after the fix");

        Assert.Equal(MailboxErrorCodes.AuthFailed, created.Status.LastError!.Code);
        Assert.Equal([uid], messages!.Select(m => m.Uid));
        Assert.DoesNotContain(old[0], messages!.Select(m => m.Uid));
    }

    private async Task<RecipeRun> RunRecipeAsync(string user, TimeSpan fixAt, bool office365, bool useIdle)
    {
        MailboxSettings wrong, right;
        if (office365)
        {
            var expired = "old~" + Guid.NewGuid().ToString("N");
            var app = fixture.Entra.Register(user, a => a.ExpiredSecrets.Add(expired));
            wrong = fixture.Office365Settings(user, app, useIdle, secret: expired);
            right = fixture.Office365Settings(user, app, useIdle);
        }
        else
        {
            wrong = fixture.PasswordSettings(user, useIdle, password: "falsch");
            right = fixture.PasswordSettings(user, useIdle);
        }

        var (mailbox, created) = await fixture.CreateAsync(wrong);
        var clock = Stopwatch.StartNew();
        var mail = Task.Run(async () =>
        {
            await DelayUntil(clock, TimeSpan.FromSeconds(2));
            return (await fixture.Imap.AppendAsync(user, [DovecotServer.Mail("Alarm nach " + fixAt.TotalSeconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + " s")]))[0];
        });
        var fix = Task.Run(async () =>
        {
            await DelayUntil(clock, fixAt);
            Assert.True((await mailbox.UpdateAsync(created.Config.TenantId, right)).Succeeded);
        });
        var uid = await mail;
        await fix;

        try
        {
            // Generous: 20 runs at once on a loaded 2-core machine, and a transient failure on the way backs off 30 s, then 60 s.
            await Eventually.WaitForAsync(() => mailbox.GetMessagesAsync(10), m => m!.Any(x => x.Uid == uid), TimeSpan.FromSeconds(180), $"UID {uid} of {user}");
            return new RecipeRun(fixAt, office365, useIdle, created.Status.LastError?.Code, true, clock.Elapsed);
        }
        catch (TimeoutException)
        {
            return new RecipeRun(fixAt, office365, useIdle, created.Status.LastError?.Code, false, clock.Elapsed);
        }
    }

    /// <summary>Schedules a step of the scenario at <paramref name="at"/> on <paramref name="clock"/> (acting, not waiting for an outcome).</summary>
    private static async Task DelayUntil(Stopwatch clock, TimeSpan at)
    {
        var left = at - clock.Elapsed;
        if (left > TimeSpan.Zero)
        {
            await Task.Delay(left);
        }
    }

    private sealed record RecipeRun(TimeSpan FixAt, bool Office365, bool UseIdle, string? FirstError, bool Fetched, TimeSpan FetchedAt);
}
