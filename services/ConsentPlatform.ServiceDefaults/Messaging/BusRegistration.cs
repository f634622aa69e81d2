using MassTransit;
using Microsoft.Extensions.DependencyInjection;

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
