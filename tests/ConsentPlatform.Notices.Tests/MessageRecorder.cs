using System.Collections.Concurrent;
using ConsentPlatform.Contracts;
using ConsentPlatform.Testing;
using MassTransit;

namespace ConsentPlatform.Notices.Tests;

/// <summary>A receive endpoint on the running bus that keeps what Notices publishes, standing where Consent and Responses would.</summary>
public sealed class MessageRecorder : IAsyncDisposable
{
    private readonly ConcurrentQueue<object> _messages = new();
    private HostReceiveEndpointHandle? _handle;

    public static async Task<MessageRecorder> ConnectAsync(IBus bus)
    {
        var recorder = new MessageRecorder();
        recorder._handle = bus.ConnectReceiveEndpoint("notices-tests-" + Guid.NewGuid().ToString("N"), e =>
        {
            e.Handler<OptOutRequested>(c => recorder.Keep(c.Message));
            e.Handler<OptInRequested>(c => recorder.Keep(c.Message));
            e.Handler<ResponseLinkIssued>(c => recorder.Keep(c.Message));
        });
        await recorder._handle.Ready;
        return recorder;
    }

    private Task Keep(object message)
    {
        _messages.Enqueue(message);
        return Task.CompletedTask;
    }

    public IReadOnlyList<T> All<T>() => _messages.OfType<T>().ToList();

    public async Task<T> WaitForAsync<T>(Func<T, bool> match, string because)
    {
        T? found = default;
        await Eventually.AssertAsync(() => (found = _messages.OfType<T>().FirstOrDefault(match)) is not null, TimeSpan.FromSeconds(10), because);
        return found!;
    }

    public async ValueTask DisposeAsync()
    {
        if (_handle is not null) await _handle.StopAsync();
    }
}
