using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace ConsentPlatform.ServiceDefaults;

/// <summary>Turns a start-up exception into one sentence an operator can act on.</summary>
public static class StartupFailure
{
    public static string Describe(Exception error, PlatformOptions options)
    {
        var all = Flatten(error).ToList();
        if (all.OfType<PlatformStartupException>().FirstOrDefault() is { } platform) return platform.Message;
        if (all.OfType<OptionsValidationException>().FirstOrDefault() is { } validation) return string.Join(" ", validation.Failures);
        if (all.OfType<IOException>().FirstOrDefault(e => e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase)) is { } inUse)
            return $"The listening address is already in use (ASPNETCORE_URLS / --urls): {inUse.Message}";
        if (options.Transport == BusTransport.RabbitMq && all.Any(e => e is OperationCanceledException or SocketException || e.GetType().FullName!.StartsWith("MassTransit", StringComparison.Ordinal) || e.GetType().FullName!.StartsWith("RabbitMQ", StringComparison.Ordinal)))
            return $"the message broker at Bus:RabbitMq:Host={options.RabbitHost} Bus:RabbitMq:Port={options.RabbitPort} (virtual host '{options.RabbitVirtualHost}') could not be reached within Bus:StartTimeoutSeconds={options.BusStartTimeoutSeconds}. Check that RabbitMQ is running and the credentials (Bus:RabbitMq:Username/Password) are right.";
        return $"{error.GetType().Name}: {error.Message}";
    }

    private static IEnumerable<Exception> Flatten(Exception error)
    {
        var stack = new Stack<Exception>([error]);
        while (stack.Count > 0)
        {
            var e = stack.Pop();
            yield return e;
            if (e is AggregateException aggregate)
                foreach (var inner in aggregate.InnerExceptions) stack.Push(inner);
            else if (e.InnerException is not null)
                stack.Push(e.InnerException);
        }
    }
}
