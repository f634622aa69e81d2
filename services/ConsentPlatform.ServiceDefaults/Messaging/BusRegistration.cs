using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ConsentPlatform.ServiceDefaults.Messaging;

internal static class BusRegistration
{
    public static void AddPlatformBus(this IServiceCollection services, PlatformOptions options, IEnumerable<PlatformModule> modules)
    {
        services.AddMassTransit(x =>
        {
            // MassTransit 8.4+ reports usage to its vendor from every bus unless told not to; a
            // privacy product never calls home (MASSTRANSIT_USAGE_TELEMETRY=true is refused at start-up).
            x.DisableUsageTelemetry();
            x.SetKebabCaseEndpointNameFormatter();
            foreach (var module in modules) module.AddConsumers(x);

            if (options.Transport == BusTransport.RabbitMq)
            {
                if (options.QuorumQueues)
                {
                    x.AddConfigureEndpointsCallback((_, _, endpoint) =>
                    {
                        if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit) rabbit.SetQuorumQueue();
                    });
                }
                x.UsingRabbitMq((context, cfg) =>
                {
                    cfg.Host(options.RabbitHost, options.RabbitPort, options.RabbitVirtualHost, h =>
                    {
                        h.Username(options.RabbitUsername);
                        h.Password(options.RabbitPassword);
                        h.PublisherConfirmation = true;
                        h.RequestedConnectionTimeout(TimeSpan.FromSeconds(5));
                    });
                    cfg.PrefetchCount = options.PrefetchCount;
                    cfg.ConfigureEndpoints(context);
                });
            }
            else
            {
                x.UsingInMemory((context, cfg) =>
                {
                    cfg.PrefetchCount = options.PrefetchCount;
                    cfg.ConfigureEndpoints(context);
                });
            }
        });

        // In MassTransit's place among the hosted services, so the bus still starts after the relays and stops before them.
        var hosted = services.Single(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(MassTransitHostedService));
        services[services.IndexOf(hosted)] = ServiceDescriptor.Singleton<IHostedService, BusHostedService>();
        services.AddSingleton<MassTransitHostedService>();

        services.AddOptions<MassTransitHostOptions>().Configure(o =>
        {
            // Start-up waits for the broker so an unreachable one stops the service with a
            // clear message instead of a process that looks healthy and delivers nothing.
            o.WaitUntilStarted = true;
            o.StartTimeout = TimeSpan.FromSeconds(options.BusStartTimeoutSeconds);
            o.StopTimeout = TimeSpan.FromSeconds(10);
        });
    }
}

/// <summary>
/// MassTransit's hosted service, stopped once however often the host is stopped at once: every caller waits for
/// that one stop. An app run by WebApplicationFactory is stopped twice concurrently, by the factory and by the app's
/// own Run waking on ApplicationStopping (dotnet/aspnetcore#40271). MassTransit's second call returned while the bus
/// was still stopping, and its check is not atomic: two calls at the same instant stop every receive endpoint twice,
/// the likely cause of the NullReferenceException one CI run saw in ReceiveEndpoint.Stop.
/// </summary>
internal sealed class BusHostedService(MassTransitHostedService bus) : IHostedService
{
    private readonly Lock _gate = new();
    private Task? _stopping;

    public Task StartAsync(CancellationToken cancellationToken) => bus.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_gate) return _stopping ??= bus.StopAsync(cancellationToken);
    }
}
