namespace AlarmInbox.Silo.Smtp;

/// <summary>The production observer: does nothing.</summary>
internal sealed class NoSpoolHandOffObserver : ISpoolHandOffObserver
{
    public Task OnHandOffAsync(string spoolId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task OnUidReservedAsync(string spoolId, string addressId, CancellationToken cancellationToken) => Task.CompletedTask;
}
