namespace ConsentPlatform.ServiceDefaults.Work;

/// <summary>
/// Starts a waiting <see cref="WorkLoop"/> at once when work was committed, instead of at its next poll.
/// Holds at most <paramref name="pending"/> wakes: one per lane is enough for every lane to look again.
/// </summary>
public class WakeSignal(int pending = 1)
{
    private readonly SemaphoreSlim _wake = new(0);

    public void Wake()
    {
        // A lost race only leaves one wake more or fewer than asked: a spare wake costs one empty look.
        if (_wake.CurrentCount < pending) _wake.Release();
    }

    public Task WaitAsync(CancellationToken cancellationToken) => _wake.WaitAsync(cancellationToken);
}
