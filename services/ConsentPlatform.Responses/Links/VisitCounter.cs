using System.Threading.Channels;
using ConsentPlatform.ServiceDefaults.Data;
using Dapper;

namespace ConsentPlatform.Responses.Links;

public enum VisitKind { Visit, Preview }

/// <summary>
/// Counts visits off the request path: requests only drop a note into a bounded channel, and a
/// background loop adds them up and writes one row per code per batch. Under overload notes are
/// dropped (a counter is not worth slowing the page for).
/// </summary>
public sealed class VisitCounter(ResponsesDatabase database, TimeProvider time, ILogger<VisitCounter> logger) : BackgroundService
{
    private readonly Channel<(string Code, VisitKind Kind)> _notes =
        Channel.CreateBounded<(string, VisitKind)>(new BoundedChannelOptions(50_000) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    public void Note(string code, VisitKind kind) => _notes.Writer.TryWrite((code, kind));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = _notes.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                var batch = new Dictionary<string, (long Visits, long Previews)>();
                while (batch.Count < 1_000 && reader.TryRead(out var note))
                {
                    batch.TryGetValue(note.Code, out var counts);
                    batch[note.Code] = note.Kind == VisitKind.Visit ? (counts.Visits + 1, counts.Previews) : (counts.Visits, counts.Previews + 1);
                }
                try { await WriteAsync(batch, CancellationToken.None); }
                catch (Exception error) { logger.LogWarning(error, "Could not record {Count} link visit counts", batch.Count); }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }

    private async Task WriteAsync(Dictionary<string, (long Visits, long Previews)> batch, CancellationToken ct)
    {
        await using var tx = await database.BeginAsync(ct);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        const string update = """
            UPDATE link_visits SET visits = visits + @visits, previews = previews + @previews,
                first_visit_at = CASE WHEN first_visit_at IS NULL AND @visits > 0 THEN @now ELSE first_visit_at END,
                last_visit_at = CASE WHEN @visits > 0 THEN @now ELSE last_visit_at END
            WHERE code = @code
            """;
        var insert = database.Dialect.InsertIfAbsent(
            "link_visits",
            "code, visits, previews, first_visit_at, last_visit_at",
            "@code, @visits, @previews, CASE WHEN @visits > 0 THEN @now END, CASE WHEN @visits > 0 THEN @now END",
            key: "code");
        foreach (var (code, (visits, previews)) in batch)
        {
            var args = new { code, visits, previews, now };
            if (await tx.Connection.ExecuteAsync(update, args, tx.Inner) == 0)
                await tx.Connection.ExecuteAsync(insert, args, tx.Inner);
        }
        await tx.CommitAsync(ct);
    }

    /// <summary>Visits' part of an erasure: when the person's links were opened goes with them.</summary>
    public static Task EraseAsync(Transaction tx, IReadOnlyList<string> codes) =>
        tx.Connection.ExecuteAsync($"DELETE FROM link_visits WHERE code {tx.Database.Dialect.InList("@codes")}", new { codes }, tx.Inner);

    public async Task<(long Visits, long Previews)> CountsAsync(string code, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        const string sql = "SELECT visits, previews FROM link_visits WHERE code = @code";
        return await connection.QuerySingleOrDefaultAsync<(long, long)>(new CommandDefinition(sql, new { code }, cancellationToken: ct));
    }
}
