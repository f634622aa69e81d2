using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ConsentPlatform.Consent.ConsentForms;

/// <summary>
/// At start, tells Notices the purposes of events saved before it learned them (ADR 0026): without
/// this, an organization that upgraded could plan no call until it re-saved every event.
/// </summary>
public sealed class PurposeAnnouncement(EventStore events, ILogger<PurposeAnnouncement> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var announced = await events.AnnounceUnannouncedPurposesAsync(cancellationToken);
        if (announced > 0) logger.LogInformation("Announced the purposes of {Events} events saved before Notices kept purposes", announced);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
