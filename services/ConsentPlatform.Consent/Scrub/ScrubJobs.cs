using System.Collections.Concurrent;
using System.Security.Cryptography;
using ConsentPlatform.ServiceDefaults;
using Dapper;

namespace ConsentPlatform.Consent.Scrub;

public sealed record ScrubJobView(
    string Id, string Status, string Channel, string Purpose, long RowsChecked, long Allowed, long Denied,
    string? ResultSha256, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt)
{
    /// <summary>Set in the upload's answer when the file was Shift_JIS (CP932) and was converted to UTF-8.</summary>
    public string? ConvertedFrom { get; init; }
}

/// <summary>Scrub jobs: the row in the database, the result file in the data folder, progress in memory while running.</summary>
public sealed class ScrubJobs(ConsentDatabase database, PlatformOptions options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, ScrubProgress> _running = new(StringComparer.Ordinal);

    public string Folder => Path.GetFullPath(Path.Combine(options.DataFolder, "scrubs"));

    public string ResultPath(string id) => Path.Combine(Folder, id + ".csv");

    public async Task<(string Id, ScrubProgress Progress)> StartAsync(string organizationId, string channel, string purpose, DateTimeOffset? at, CancellationToken cancellationToken,
        long? expectedRows = null)
    {
        var id = "scr_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10));
        var progress = new ScrubProgress { ExpectedRows = expectedRows };
        _running[id] = progress;
        await using var connection = await database.OpenAsync(cancellationToken);
        const string sql = """
            INSERT INTO scrub_jobs (id, organization_id, channel, purpose, at, status, rows_checked, allowed, denied, started_at)
            VALUES (@id, @organizationId, @channel, @purpose, @at, 'running', 0, 0, 0, @now)
            """;
        await connection.ExecuteAsync(new CommandDefinition(sql, new { id, organizationId, channel, purpose, at = at?.ToUnixTimeMilliseconds(), now = time.GetUtcNow().ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken));
        return (id, progress);
    }

    public async Task CompleteAsync(string id, ScrubProgress progress, string sha256, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        const string sql = """
            UPDATE scrub_jobs SET status = 'done', rows_checked = @rows, allowed = @allowed, denied = @denied, result_sha256 = @sha256, finished_at = @now
            WHERE id = @id
            """;
        await connection.ExecuteAsync(new CommandDefinition(sql, new { id, rows = progress.Rows, allowed = progress.Allowed, denied = progress.Denied, sha256, now = time.GetUtcNow().ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken));
        _running.TryRemove(id, out _);
    }

    /// <summary>A refused or abandoned upload leaves nothing behind.</summary>
    public async Task DiscardAsync(string id)
    {
        _running.TryRemove(id, out _);
        File.Delete(ResultPath(id) + ".part");
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await connection.ExecuteAsync("DELETE FROM scrub_jobs WHERE id = @id", new { id });
    }

    public async Task<ScrubJobView?> FindAsync(string organizationId, string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        const string sql = """
            SELECT id AS Id, status AS Status, channel AS Channel, purpose AS Purpose, rows_checked AS RowsChecked, allowed AS Allowed, denied AS Denied,
                   result_sha256 AS ResultSha256, started_at AS StartedAt, finished_at AS FinishedAt
            FROM scrub_jobs WHERE id = @id AND organization_id = @organizationId
            """;
        var row = await connection.QuerySingleOrDefaultAsync<(string Id, string Status, string Channel, string Purpose, long RowsChecked, long Allowed, long Denied, string? ResultSha256, long StartedAt, long? FinishedAt)>(
            new CommandDefinition(sql, new { id, organizationId }, cancellationToken: cancellationToken));
        if (row.Id is null) return null;
        // While it runs, the counters live in memory; the row has them once it is done.
        var (rows, allowed, denied) = _running.TryGetValue(id, out var live) ? (live.Rows, live.Allowed, live.Denied) : (row.RowsChecked, row.Allowed, row.Denied);
        return new ScrubJobView(row.Id, row.Status, row.Channel, row.Purpose, rows, allowed, denied, row.ResultSha256,
            DateTimeOffset.FromUnixTimeMilliseconds(row.StartedAt), row.FinishedAt is { } f ? DateTimeOffset.FromUnixTimeMilliseconds(f) : null);
    }

    /// <summary>While a job runs: the rows its file seems to hold, for a progress bar (null when not known).</summary>
    public long? ExpectedRowsOf(string id) => _running.GetValueOrDefault(id)?.ExpectedRows;

    private readonly ConcurrentDictionary<(string OrganizationId, string Id), string> _failed = new();

    /// <summary>
    /// Why a job that ran after its upload's request (the console's) was discarded, for the page that
    /// follows it; kept in memory only: the job itself is gone, as a refused API upload's is.
    /// </summary>
    public void Failed(string organizationId, string id, string reason) => _failed[(organizationId, id)] = reason;

    public string? FailureOf(string organizationId, string id) => _failed.GetValueOrDefault((organizationId, id));

    /// <summary>A finished job's rows per reason code (a denied row may have several), read from its result file.</summary>
    public async Task<IReadOnlyDictionary<string, long>> ReasonCountsAsync(string id, CancellationToken cancellationToken)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        using var reader = new StreamReader(ResultPath(id));
        using var parser = new CsvHelper.CsvParser(reader, System.Globalization.CultureInfo.InvariantCulture);
        if (!await parser.ReadAsync()) return counts;
        var reasons = parser.Record!.Length - 1;
        while (await parser.ReadAsync())
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var code in parser.Record![reasons].Split(' ', StringSplitOptions.RemoveEmptyEntries))
                counts[code] = counts.GetValueOrDefault(code) + 1;
        }
        return counts;
    }
}
