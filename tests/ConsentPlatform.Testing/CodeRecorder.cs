using System.Collections.Concurrent;
using ConsentPlatform.Contracts;
using MassTransit;

namespace ConsentPlatform.Testing;

/// <summary>
/// Receives the one-time-code commands a service publishes, as Notices would. The outbox deletes
/// them once published (they carry the contact and the code), so tests read them off the bus.
/// Connect it right after the host starts, before anything can publish a code.
/// </summary>
public sealed class CodeRecorder : IDisposable
{
    private readonly ConcurrentQueue<SendVerificationCode> _codes = new();
    private HostReceiveEndpointHandle? _handle;

    public static CodeRecorder Connect(IBus bus)
    {
        var recorder = new CodeRecorder();
        recorder._handle = bus.ConnectReceiveEndpoint("codes-" + Guid.NewGuid().ToString("N"), e => e.Handler<SendVerificationCode>(c =>
        {
            recorder._codes.Enqueue(c.Message);
            return Task.CompletedTask;
        }));
        recorder._handle.Ready.GetAwaiter().GetResult();
        return recorder;
    }

    /// <summary>For a test host's CreateHost: connects a recorder to the started host's bus and hands the host back.</summary>
    public static Microsoft.Extensions.Hosting.IHost Attach(Microsoft.Extensions.Hosting.IHost host, out CodeRecorder recorder)
    {
        recorder = Connect(Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<IBus>(host.Services));
        return host;
    }

    public IReadOnlyList<SendVerificationCode> All => [.. _codes];

    /// <summary>The latest code command that matches, once one has arrived.</summary>
    public async Task<SendVerificationCode> SentAsync(Func<SendVerificationCode, bool> match)
    {
        await Eventually.AssertAsync(() => Task.FromResult(_codes.Any(match)), TimeSpan.FromSeconds(10), "the code command is published");
        return _codes.Last(match);
    }

    public void Dispose() => _handle?.StopAsync().GetAwaiter().GetResult();
}
