using Xunit;

namespace ConsentPlatform.Testing;

/// <summary>
/// A fact that needs a real RabbitMQ node: skipped with a clear reason where rabbitmq-server is
/// not installed, unless CONSENTPLATFORM_REQUIRE_BROKER=1 makes it run (and fail loudly).
/// xunit 2 has no runtime skip, so the decision is made when the attribute is constructed.
/// </summary>
public sealed class BrokerFactAttribute : FactAttribute
{
    public BrokerFactAttribute()
    {
        if (RabbitMqNode.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>The theory counterpart of <see cref="BrokerFactAttribute"/>.</summary>
public sealed class BrokerTheoryAttribute : TheoryAttribute
{
    public BrokerTheoryAttribute()
    {
        if (RabbitMqNode.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>A fact that needs a RabbitMQ node and a PostgreSQL cluster: skipped with the reason of whichever is missing, unless CI requires both.</summary>
public sealed class BrokerAndPostgresFactAttribute : FactAttribute
{
    public BrokerAndPostgresFactAttribute()
    {
        if ((RabbitMqNode.SkipReason ?? PostgresNode.SkipReason) is { } reason)
        {
            Skip = reason;
        }
    }
}
