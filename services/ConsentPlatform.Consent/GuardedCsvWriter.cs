using System.Globalization;
using System.Text;
using CsvHelper;
using ConsentPlatform.ServiceDefaults.Web;

namespace ConsentPlatform.Consent;

/// <summary>
/// The only CSV writer Consent uses: every field passes <see cref="CsvCell.Guard"/>. CsvHelper's
/// own injection escaping is not used: it would also prefix "+81…" numbers, which must export as they are.
/// </summary>
public sealed class GuardedCsvWriter(TextWriter writer, bool leaveOpen = false) : CsvWriter(writer, CultureInfo.InvariantCulture, leaveOpen)
{
    public override void WriteField(string? field) => base.WriteField(field is null ? null : CsvCell.Guard(field));

    public override void WriteField(string? field, bool shouldQuote) => base.WriteField(field is null ? null : CsvCell.Guard(field), shouldQuote);

    /// <summary>
    /// Writes rows as they come, in chunks of about 32 KiB written asynchronously, so the client sees
    /// progress, memory stays flat and nothing writes synchronously to the response.
    /// </summary>
    public static async Task StreamAsync<T>(Stream body, Action<CsvWriter> writeHeader, IAsyncEnumerable<T> rows, Action<CsvWriter, T> writeRow, CancellationToken cancellationToken)
    {
        const int flushBytes = 32 * 1024;
        var text = new StringWriter(CultureInfo.InvariantCulture);
        await using var csv = new GuardedCsvWriter(text, leaveOpen: true);
        writeHeader(csv);
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            writeRow(csv, row);
            csv.NextRecord();
            if (text.GetStringBuilder().Length >= flushBytes) await DrainAsync(csv, text, body, cancellationToken);
        }
        await DrainAsync(csv, text, body, cancellationToken);
    }

    private static async Task DrainAsync(CsvWriter csv, StringWriter text, Stream body, CancellationToken cancellationToken)
    {
        await csv.FlushAsync();
        var builder = text.GetStringBuilder();
        if (builder.Length == 0) return;
        await body.WriteAsync(Encoding.UTF8.GetBytes(builder.ToString()), cancellationToken);
        builder.Clear();
    }
}
