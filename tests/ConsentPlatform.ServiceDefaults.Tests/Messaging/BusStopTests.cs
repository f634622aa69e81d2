using ConsentPlatform.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ConsentPlatform.ServiceDefaults.Tests.Messaging;

/// <summary>
/// WebApplicationFactory stops an app's host twice at once: its own stop and the app's Run waking on
/// ApplicationStopping (dotnet/aspnetcore#40271). The bus must be stopped once, and neither stop may return before it is.
/// </summary>
public sealed class BusStopTests
{
    private sealed class SlowStop : IBusObserver
    {
        public int Stops;
        public volatile bool Stopped;

        public async Task PreStop(IBus bus)
        {
            Interlocked.Increment(ref Stops);
            // Long enough for the second stop to arrive while the first is still stopping the bus.
            await Task.Delay(300);
        }

        public Task PostStop(IBus bus)
        {
            Stopped = true;
            return Task.CompletedTask;
        }

        public void PostCreate(IBus bus) { }
        public void CreateFaulted(Exception exception) { }
        public Task PreStart(IBus bus) => Task.CompletedTask;
        public Task PostStart(IBus bus, Task<BusReady> busReady) => Task.CompletedTask;
        public Task StartFaulted(IBus bus, Exception exception) => Task.CompletedTask;
        public Task StopFaulted(IBus bus, Exception exception) => Task.CompletedTask;
    }

    [Fact]
    public async Task A_host_stopped_twice_at_once_stops_the_bus_once_and_neither_stop_returns_before_the_bus_has_stopped()
    {
        var observer = new SlowStop();
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddPlatformBus(new PlatformOptions(), []);
        builder.Services.AddBusObserver(_ => observer);
        using var host = builder.Build();
        await host.StartAsync();

        var first = host.StopAsync();
        var second = host.StopAsync();
        var stoppedWhenDone = await Task.WhenAll(first.ContinueWith(_ => observer.Stopped), second.ContinueWith(_ => observer.Stopped));
        await Task.WhenAll(first, second);

        Assert.Equal([true, true], stoppedWhenDone);
        Assert.Equal(1, observer.Stops);
    }

    [Fact]
    public void The_bus_keeps_its_place_among_the_hosted_services()
    {
        var services = new ServiceCollection();
        services.AddHostedService<FirstService>();
        services.AddPlatformBus(new PlatformOptions(), []);
        services.AddHostedService<LastService>();

        var hosted = services.Where(d => d.ServiceType == typeof(IHostedService)).Select(d => d.ImplementationType).ToList();
        Assert.DoesNotContain(typeof(MassTransitHostedService), hosted);
        Assert.InRange(hosted.IndexOf(typeof(BusHostedService)), hosted.IndexOf(typeof(FirstService)) + 1, hosted.IndexOf(typeof(LastService)) - 1);
    }

    private sealed class FirstService : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.CompletedTask;
    }

    private sealed class LastService : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.CompletedTask;
    }
}
