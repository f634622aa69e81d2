using MassTransit;

namespace ConsentPlatform.Testing;

public static class RabbitMqPublisher
{
    /// <summary>
    /// A bus in the test process on the private node, to publish messages as "another service"
    /// would (with publisher confirms, like the services' outbox relays).
    /// </summary>
    public static async Task<IBusControl> StartPublisherAsync(this RabbitMqNode node)
    {
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(node.Host, (ushort)node.Port, node.VirtualHost, h =>
        {
            h.Username(node.Username);
            h.Password(node.Password);
            h.PublisherConfirmation = true;
        }));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await bus.StartAsync(timeout.Token);
        return bus;
    }
}
