using ConsentPlatform.ServiceDefaults.Data;
using ConsentPlatform.ServiceDefaults.Messaging;
using MassTransit;

namespace ConsentPlatform.Host.Tests.Architecture;

/// <summary>
/// Retry, concurrency and queue names are set in one base (<see cref="PlatformConsumerDefinition{TConsumer}"/>)
/// and one list (<see cref="Queues"/>): nine copies of the same retry block had drifted before.
/// </summary>
public sealed class ConsumerDefinitionTests
{
    private static readonly string[] ServiceAssemblies =
        ["ConsentPlatform.Consent", "ConsentPlatform.Notices", "ConsentPlatform.Responses", "ConsentPlatform.Directory", "ConsentPlatform.ServiceDefaults"];

    [Fact]
    public void Every_consumer_definition_takes_its_retry_and_queue_from_the_platform_base_and_no_two_share_a_queue()
    {
        var types = ServiceAssemblies.SelectMany(name => System.Reflection.Assembly.Load(name).GetTypes()).ToList();
        var definitions = types.Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IConsumerDefinition).IsAssignableFrom(t)).ToList();
        var databases = types.Where(t => t is { IsClass: true, IsAbstract: false } && t.IsSubclassOf(typeof(ServiceDatabase))).ToList();

        var notPlatform = definitions.Where(t => !DerivesFromPlatformBase(t)).Select(t => t.FullName).ToList();
        Assert.True(notPlatform.Count == 0, "not on PlatformConsumerDefinition: " + string.Join(", ", notPlatform));

        var queues = definitions
            .SelectMany(t => t.IsGenericTypeDefinition ? databases.Select(d => t.MakeGenericType(d)) : [t])
            .Select(t => (Type: t, Queue: ((IConsumerDefinition)Activator.CreateInstance(t)!).GetEndpointName(KebabCaseEndpointNameFormatter.Instance)))
            .ToList();
        Assert.True(queues.Count >= 12, $"only {queues.Count} consumer definitions found");
        var shared = queues.GroupBy(q => q.Queue).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(q => q.Type.Name))}").ToList();
        Assert.True(shared.Count == 0, "queues consumed by two definitions: " + string.Join("; ", shared));
    }

    [Fact]
    public void Message_retry_is_configured_in_one_place_only()
    {
        var services = Path.Combine(Repository.Root(), "services");
        var places = System.IO.Directory.EnumerateFiles(services, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .Where(f => File.ReadAllText(f).Contains(".UseMessageRetry(", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(services, f))
            .ToList();
        Assert.Equal([Path.Combine("ConsentPlatform.ServiceDefaults", "Messaging", "PlatformConsumerDefinition.cs")], places);
    }

    private static bool DerivesFromPlatformBase(Type type)
    {
        for (var t = type.BaseType; t is not null; t = t.BaseType)
            if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(PlatformConsumerDefinition<>)) return true;
        return false;
    }
}
