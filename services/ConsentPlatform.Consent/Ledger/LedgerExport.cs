using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ConsentPlatform.ServiceDefaults.Identity;
using ConsentPlatform.ServiceDefaults.Web;
using CsvHelper;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace ConsentPlatform.Consent.Ledger;

public enum ExportFormat { Json, Csv }

/// <summary>
/// The organization's ledger as a file, per event or whole: CSV or JSON, streamed row by row from
/// the database to the response, so a ledger of millions of rows never sits in memory.
/// </summary>
/// <remarks>
/// The export carries the E.164 number and email each row was given for. That is deliberate: the
/// organization collected them, the ledger is its record of consent (and its proof, R5/R8), and it
/// must be able to show a person or a regulator what it holds. Rows of other organizations never
/// appear; services that only need to match a number get its keyed hash instead.
/// </remarks>
public static class LedgerExport
{
    /// <summary>Bytes gathered before they are written to the response.</summary>
    private const int FlushBytes = 32 * 1024;

    public static void MapLedgerExport(this RouteGroupBuilder api)
    {
        api.MapGet("/ledger", Results<LedgerExportResult, ValidationProblem> (string? format, HttpContext context, ConsentDatabase database) =>
            {
                if (Negotiate(format, context.Request) is not { } chosen) return FormatProblem();
                var organizationId = context.User.OrganizationId();
                const string sql = $"SELECT {LedgerStore.AllColumns} FROM consent_ledger WHERE organization_id = @organizationId ORDER BY seq";
                return new LedgerExportResult(chosen, $"consent-ledger-{organizationId}", ct => StreamAsync(database, sql, new { organizationId }, ct));
            })
            .Produces<LedgerRow[]>(StatusCodes.Status200OK, "application/json", "text/csv")
            .WithCsvByteOrderMark()
            .WithSummary("The organization's whole consent ledger with evidence and provenance, streamed: ?format=csv|json or Accept");
    }

    /// <summary>The event's rows as a file; the caller has checked that the event is the organization's.</summary>
    public static LedgerExportResult EventLedger(ConsentDatabase database, string organizationId, string eventId, ExportFormat format)
    {
        const string sql = $"SELECT {LedgerStore.AllColumns} FROM consent_ledger WHERE organization_id = @organizationId AND event_id = @eventId ORDER BY seq";
        return new LedgerExportResult(format, $"consent-ledger-{eventId}", ct => StreamAsync(database, sql, new { organizationId, eventId }, ct));
    }

    /// <summary>?format= wins; else text/csv in Accept; else JSON. Null for an unknown ?format=.</summary>
    public static ExportFormat? Negotiate(string? format, HttpRequest request) => format?.Trim().ToLowerInvariant() switch
    {
        "csv" => ExportFormat.Csv,
        "json" => ExportFormat.Json,
        null or "" => request.GetTypedHeaders().Accept.OrderByDescending(a => a.Quality ?? 1)
            .Select(a => a.MediaType.Value).FirstOrDefault(m => m is "text/csv" or "application/json") == "text/csv" ? ExportFormat.Csv : ExportFormat.Json,
        _ => null,
    };

    public static ValidationProblem FormatProblem() =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["format"] = ["The format is csv or json."] });

    private static async IAsyncEnumerable<LedgerRow> StreamAsync(ConsentDatabase database, string sql, object parameters,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await foreach (var row in connection.QueryUnbufferedAsync<LedgerRow>(sql, parameters).WithCancellation(cancellationToken))
            yield return row;
    }

    /// <summary>CSV columns in snake_case; times as ISO 8601 UTC so a spreadsheet reads them.</summary>
    public static readonly string[] CsvColumns =
    [
        "id", "receipt_id", "subject_id", "organization_id", "event_id", "action", "channel", "purpose", "third_party", "contact", "text_version", "text_hash",
        "language", "form_version", "method", "recorded_at", "expires_at", "source_event", "page_url", "ip", "user_agent", "jurisdiction", "withdraws",
        "collected_at", "capture_method", "text_reference", "text_shown", "evidence", "import_id",
    ];

    public static void WriteCsvHeader(CsvWriter csv, params string[] extra)
    {
        foreach (var column in (string[])[.. CsvColumns, .. extra]) csv.WriteField(column);
        csv.NextRecord();
    }

    public static void WriteCsvFields(CsvWriter csv, LedgerRow row)
    {
        object?[] fields =
        [
            row.Id, row.ReceiptId, row.SubjectId, row.OrganizationId, row.EventId, row.Action, row.Channel, row.Purpose, row.ThirdParty, row.Contact,
            row.TextVersion, row.TextHash, row.Language, row.FormVersion, row.Method, Time(row.RecordedAt), Time(row.ExpiresAt), row.SourceEvent,
            row.PageUrl, row.Ip, row.UserAgent, row.Jurisdiction, row.Withdraws, Time(row.CollectedAt), row.CaptureMethod, row.TextReference,
            row.TextShown, row.Evidence, row.ImportId,
        ];
        foreach (var field in fields) csv.WriteField(field is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : field?.ToString() ?? "");
    }

    public static string? Time(long? unixMilliseconds) =>
        unixMilliseconds is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) : null;

    /// <summary>Writes rows as they come from the database, in chunks of about 32 KiB, so the client sees progress and memory stays flat.</summary>
    public sealed class LedgerExportResult(ExportFormat format, string fileName, Func<CancellationToken, IAsyncEnumerable<LedgerRow>> rows) : IResult
    {
        public async Task ExecuteAsync(HttpContext context)
        {
            var response = context.Response;
            var cancellationToken = context.RequestAborted;
            response.Headers.CacheControl = "no-store";
            response.ContentType = format == ExportFormat.Csv ? "text/csv; charset=utf-8" : "application/json; charset=utf-8";
            response.Headers.ContentDisposition = new ContentDispositionHeaderValue("attachment") { FileName = $"{fileName}.{(format == ExportFormat.Csv ? "csv" : "json")}" }.ToString();
            // Rows are formatted into a small buffer that is written out asynchronously whenever it fills:
            // memory stays flat, and nothing writes synchronously to the response.
            var body = response.Body;
            if (format == ExportFormat.Csv)
            {
                await GuardedCsvWriter.StreamAsync(body, csv => WriteCsvHeader(csv), rows(cancellationToken), WriteCsvFields, cancellationToken);
            }
            else
            {
                // The same JSON settings as every other endpoint, so /submissions and the export read alike.
                var options = context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
                var buffer = new ArrayBufferWriter<byte>(FlushBytes * 2);
                await using var json = new Utf8JsonWriter(buffer);
                json.WriteStartArray();
                await foreach (var row in rows(cancellationToken))
                {
                    JsonSerializer.Serialize(json, row, options);
                    json.Flush();
                    if (buffer.WrittenCount >= FlushBytes) await DrainAsync(buffer, body, cancellationToken);
                }
                json.WriteEndArray();
                json.Flush();
                await DrainAsync(buffer, body, cancellationToken);
            }
            await body.FlushAsync(cancellationToken);
        }

        private static async Task DrainAsync(ArrayBufferWriter<byte> buffer, Stream body, CancellationToken cancellationToken)
        {
            if (buffer.WrittenCount == 0) return;
            await body.WriteAsync(buffer.WrittenMemory, cancellationToken);
            buffer.ResetWrittenCount();
        }
    }
}
