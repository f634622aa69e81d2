using Xunit;

namespace ConsentPlatform.Testing;

/// <summary>
/// One private RabbitMQ node shared by the test classes of a collection. Tests that stop, kill
/// or restart the node should own a node of their own (<see cref="RabbitMqNode.StartAsync"/>)
/// or leave it running when they finish.
/// </summary>
public sealed class RabbitMqFixture : IAsyncLifetime
{
    public const string CollectionName = "rabbitmq";

    private RabbitMqNode? _node;

    public RabbitMqNode Node => _node ?? throw new InvalidOperationException(
        RabbitMqNode.SkipReason ?? "The RabbitMQ node has not been started (InitializeAsync has not run or failed).");

    public async Task InitializeAsync()
    {
        // xunit creates collection fixtures even when every test in the collection is skipped;
        // starting nothing then keeps "not installed" a skip rather than a fixture failure.
        if (RabbitMqNode.SkipReason is not null)
        {
            return;
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        _node = await RabbitMqNode.StartAsync(cts.Token);
    }

    public async Task DisposeAsync()
    {
        if (_node is not null)
        {
            await _node.DisposeAsync();
        }
    }
}

/// <summary>
/// Base for the "rabbitmq" collection definition. xunit 2 only discovers collection definitions
/// (and only by their own attribute) in the test assembly itself, so each test project that uses
/// <c>[Collection(RabbitMqFixture.CollectionName)]</c> adds:
/// <c>[CollectionDefinition(RabbitMqFixture.CollectionName)] public sealed class RabbitMqCollection : RabbitMqCollectionDefinition;</c>
/// </summary>
public abstract class RabbitMqCollectionDefinition : ICollectionFixture<RabbitMqFixture>;
