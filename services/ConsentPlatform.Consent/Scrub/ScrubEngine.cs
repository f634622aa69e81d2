using System.Globalization;
using ConsentPlatform.Consent.Gate;
using ConsentPlatform.Telephony;
using CsvHelper;
using CsvHelper.Configuration;

namespace ConsentPlatform.Consent.Scrub;

/// <summary>A call list that cannot be read: the message names the row (1 = header).</summary>
public sealed class ScrubInputException(string message, Exception? inner = null) : Exception(message, inner);

public sealed class ScrubProgress
{
    private long _rows, _allowed;
    public long Rows => Interlocked.Read(ref _rows);
    public long Allowed => Interlocked.Read(ref _allowed);
    public long Denied => Rows - Allowed;
    /// <summary>The rows the file seems to hold (its lines but the header; a quoted line break counts too), for a progress bar; null when unknown.</summary>
    public long? ExpectedRows { get; init; }
    internal void Add(bool allowed)
    {
        if (allowed) Interlocked.Increment(ref _allowed);
        Interlocked.Increment(ref _rows);
    }
}

/// <summary>
/// Streams a call list through the gate (R14): reads CSV row by row, answers each with the same
/// rules as the single check, writes the row back with decision and reasons. Memory stays flat
/// whatever the size; nothing is held but the current row.
/// </summary>
public sealed class ScrubEngine(PermissionGate gate)
{
    public const string InvalidNumber = "invalid_number";
    private static readonly string[] PhoneColumns = ["phone", "phone_number", "phonenumber", "tel", "telephone", "number", "電話番号"];

    public async Task RunAsync(TextReader reader, TextWriter output, string organizationId, string channel, string purpose, DateTimeOffset at,
        ScrubProgress progress, CancellationToken cancellationToken)
    {
        var configuration = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            // Broken quoting is refused, not guessed at: a shifted column would answer for the wrong number.
            BadDataFound = args => throw new ScrubInputException($"Row {args.Context.Parser?.Row}: broken quoting near \"{Truncate(args.RawRecord)}\"."),
            DetectColumnCountChanges = false,
        };
        using var parser = new CsvParser(reader, configuration);
        await using var writer = new GuardedCsvWriter(output, leaveOpen: true);
        try
        {
            if (!await parser.ReadAsync()) throw new ScrubInputException("The file is empty: the first row must name the columns, one of them phone.");
            var header = parser.Record!;
            var phoneColumn = Array.FindIndex(header, h => PhoneColumns.Contains(h.Trim().ToLowerInvariant()));
            if (phoneColumn < 0) throw new ScrubInputException($"Row 1: no phone column; name one of: {string.Join(", ", PhoneColumns)}.");
            foreach (var field in header) writer.WriteField(field);
            writer.WriteField("decision");
            writer.WriteField("reasons");
            writer.NextRecord();

            while (await parser.ReadAsync())
            {
                cancellationToken.ThrowIfCancellationRequested();
                var record = parser.Record!;
                var (decision, reasons) = Decide(record.Length > phoneColumn ? record[phoneColumn] : "", organizationId, channel, purpose, at);
                foreach (var field in record) writer.WriteField(field);
                writer.WriteField(decision);
                writer.WriteField(reasons);
                writer.NextRecord();
                progress.Add(decision == "allow");
            }
            await writer.FlushAsync();
        }
        catch (Exception e) when (e is CsvHelperException and not BadDataException || e.InnerException is ScrubInputException)
        {
            throw e.InnerException as ScrubInputException ?? new ScrubInputException($"Row {parser.Row}: the file is not valid CSV ({e.GetType().Name}).", e);
        }
    }

    private (string Decision, string Reasons) Decide(string phone, string organizationId, string channel, string purpose, DateTimeOffset at)
    {
        var parsed = PhoneNumbers.Parse(phone, "JP");
        if (!parsed.IsValid) return ("deny", InvalidNumber);
        DenyReason reasons;
        try
        {
            reasons = gate.Decide(new CheckQuery(organizationId, parsed.Number, null, channel, purpose, at), gate.KeyOf(parsed.Number), null, null);
        }
        catch (Exception)
        {
            reasons = DenyReason.GateUnavailable;
        }
        return reasons == DenyReason.None ? ("allow", "") : ("deny", string.Join(' ', ReasonCodes.Of(reasons)));
    }

    private static string Truncate(string? value) => value is null ? "" : value.Length > 40 ? value[..40] + "…" : value;
}
