using ConsentPlatform.ServiceDefaults.Web;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace ConsentPlatform.Host.Tests;

/// <summary>
/// The UTF-8 byte order mark Japanese Excel needs is added per endpoint, not by a body wrapper on
/// every request (issue 14): every endpoint that can answer CSV carries it, and the others, the
/// benchmarked short link above all, run without it.
/// </summary>
public sealed class CsvDownloadTests : IAsyncLifetime
{
    private readonly HostFactory _host = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public void Every_endpoint_that_answers_csv_adds_the_byte_order_mark_and_no_other_endpoint_does()
    {
        var endpoints = _host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        static bool AnswersCsv(RouteEndpoint e) => e.Metadata.GetOrderedMetadata<IProducesResponseTypeMetadata>()
            .Any(p => p.ContentTypes.Any(t => t.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase)));
        static bool Marks(RouteEndpoint e) => e.Metadata.GetMetadata<CsvDownloads.CsvByteOrderMark>() is not null;

        var csv = endpoints.Where(AnswersCsv).ToList();
        var forgot = csv.Where(e => !Marks(e)).Select(e => e.RoutePattern.RawText).ToList();
        var stray = endpoints.Where(e => Marks(e) && !AnswersCsv(e)).Select(e => e.RoutePattern.RawText).ToList();

        // Ledger (organization and event), contact export, scrub result, directory feeds (all and one organization's).
        Assert.True(csv.Count >= 6, string.Join(", ", csv.Select(e => e.RoutePattern.RawText)));
        Assert.Empty(forgot);
        Assert.Empty(stray);
        Assert.All(endpoints.Where(e => e.RoutePattern.RawText?.StartsWith("/r/", StringComparison.Ordinal) == true), e => Assert.False(Marks(e)));
    }
}
