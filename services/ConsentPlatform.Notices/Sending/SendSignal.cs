namespace ConsentPlatform.Notices.Sending;

/// <summary>
/// Lets waiting send workers start at once when a transaction that queued an SMS commits, instead of at their
/// next poll. <see cref="OutgoingStore.EnqueueAsync"/> registers the wake on the transaction, so no caller has to.
/// </summary>
public sealed class SendSignal(int workers)
{
    private readonly SemaphoreSlim _wake = new(0);

    public void Wake()
    {
        if (_wake.CurrentCount < workers) _wake.Release();
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _wake.WaitAsync(timeout, cancellationToken);
}
