namespace AlarmInbox.Silo.Smtp;

/// <summary>The production observer: does nothing.</summary>
internal sealed class NoSpoolHandOffObserver : ISpoolHandOffObserver
{
    public Task OnHandOffAsync(string spoolId, CancellationToken cancellationToken) => Task.CompletedTask;
}
