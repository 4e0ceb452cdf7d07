namespace AlarmInbox.Silo.Smtp;

/// <summary>Test hook: called after a mail was spooled and answered 250, before its hand-off to the grains. Throwing aborts the hand-off (the mail stays in the spool).</summary>
public interface ISpoolHandOffObserver
{
    /// <summary>Called before a spooled mail is handed off.</summary>
    Task OnHandOffAsync(string spoolId, CancellationToken cancellationToken);
}
