using ConsentPlatform.ServiceDefaults.Web;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using CsvHelper;
using CsvHelper.Configuration;

namespace ConsentPlatform.Consent.Import;

/// <summary>One problem with one row: row number (CSV: the header is row 1; JSON: the first object is row 1), the field and what is wrong.</summary>
public sealed record ImportError(int Row, string Field, string Message);

/// <summary>One registration as read from the file, by canonical field name, before any validation.</summary>
public sealed record RawRegistration(int Row, IReadOnlyDictionary<string, string?> Fields, IReadOnlyList<ImportError> ShapeErrors);

/// <summary>The file as a whole cannot be read (broken quoting, missing columns, not a JSON array); nothing is imported.</summary>
public sealed class ImportFileException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

public enum ImportFormat { Csv, Json }

/// <summary>
/// The import columns. Provenance (R6: source, collectedAt, textShown or textReference,
/// captureMethod) and evidence (R5: evidence, plus ip and userAgent for web captures) are
/// required; a row without them would be a consent nobody can prove.
/// </summary>
public static class ImportFields
{
    public const string Phone = "phone";
    public const string Email = "email";
    public const string Channels = "channels";
    public const string Language = "language";
    public const string Source = "source";
    public const string CollectedAt = "collectedAt";
    public const string TextShown = "textShown";
    public const string TextReference = "textReference";
    public const string CaptureMethod = "captureMethod";
    public const string Evidence = "evidence";
    public const string Ip = "ip";
    public const string UserAgent = "userAgent";
    public const string PageUrl = "pageUrl";
    /// <summary>Named recipients (R9) the person agreed to share with, separated by '|' (CSV) or a JSON array.</summary>
    public const string ThirdParties = "thirdParties";

    public static readonly string[] All = [Phone, Email, Channels, Language, Source, CollectedAt, TextShown, TextReference, CaptureMethod, Evidence, Ip, UserAgent, PageUrl, ThirdParties];

    /// <summary>Fields that may be a JSON array of strings, and what joins the items into the CSV form.</summary>
    public static char? ListSeparator(string field) => field switch { Channels => ' ', ThirdParties => '|', _ => null };

    /// <summary>Columns every CSV must have (alternatives joined by '|').</summary>
    public static readonly string[] RequiredColumns = [Channels, Source, CollectedAt, CaptureMethod, Evidence, $"{TextShown}|{TextReference}", $"{Phone}|{Email}"];

    /// <summary>"collected_at", "Collected At", "collectedAt" → "collectedAt"; null when not an import field.</summary>
    public static string? Canonical(string name)
    {
        var key = Key(name);
        return All.FirstOrDefault(f => Key(f) == key);
    }

    private static string Key(string name) => new(name.Trim().Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());

    /// <summary>How a column is named in CSV files ("collected_at").</summary>
    public static string CsvName(string field) => string.Concat(field.Select(c => char.IsUpper(c) ? "_" + char.ToLowerInvariant(c) : c.ToString()));
}

/// <summary>Reads registrations one at a time, so memory stays flat whatever the file size.</summary>
public static class ImportReader
{
    /// <param name="converted">Told the encoding's name when a CSV was Shift_JIS (CP932) and was converted, so the answer can say so.</param>
    public static IAsyncEnumerable<RawRegistration> ReadAsync(Stream input, ImportFormat format, Action<string>? converted, CancellationToken cancellationToken) =>
        format == ImportFormat.Csv ? ReadCsvAsync(input, converted, cancellationToken) : ReadJsonAsync(input, cancellationToken);

    public static async IAsyncEnumerable<RawRegistration> ReadCsvAsync(Stream input, Action<string>? converted, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var configuration = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            // Broken quoting is refused, not guessed at: a shifted column would put one person's number under another's evidence.
            BadDataFound = args => throw new ImportFileException("file", $"Row {args.Context.Parser?.Row}: broken quoting near \"{Truncate(args.RawRecord)}\"."),
            DetectColumnCountChanges = false,
        };
        // UTF-8 (BOM or not) or Shift_JIS as Japanese Excel saves it, converted; anything else is refused with the bad byte's offset.
        CsvUpload reader;
        try { reader = await CsvUpload.OpenAsync(input, cancellationToken); }
        catch (CsvEncodingException e) { throw new ImportFileException("file", e.Message); }
        using var upload = reader;
        if (upload.Converted) converted?.Invoke(upload.EncodingName);
        using var parser = new CsvParser(reader, configuration);
        if (!await ReadRecordAsync(parser)) throw new ImportFileException("file", "The file is empty: the first row must name the columns.");
        var header = parser.Record!.Select(h => (Name: h, Field: ImportFields.Canonical(h))).ToArray();
        CheckHeader(header);

        var row = 1;
        while (await ReadRecordAsync(parser))
        {
            cancellationToken.ThrowIfCancellationRequested();
            row++;
            var record = parser.Record!;
            var fields = new Dictionary<string, string?>();
            for (var i = 0; i < header.Length && i < record.Length; i++) fields[header[i].Field!] = record[i];
            IReadOnlyList<ImportError> shape = record.Length == header.Length ? []
                : [new ImportError(row, "row", $"The row has {record.Length} fields; the header names {header.Length}.")];
            yield return new RawRegistration(row, fields, shape);
        }
    }

    private static async Task<bool> ReadRecordAsync(CsvParser parser)
    {
        try
        {
            return await parser.ReadAsync();
        }
        catch (CsvEncodingException e)
        {
            throw new ImportFileException("file", $"Row {parser.Row}: {e.Message}");
        }
        catch (Exception e) when (e is CsvHelperException || e.InnerException is ImportFileException)
        {
            throw e.InnerException as ImportFileException ?? new ImportFileException("file", $"Row {parser.Row}: the file is not valid CSV ({e.GetType().Name}).");
        }
    }

    private static void CheckHeader((string Name, string? Field)[] header)
    {
        if (header.Any(h => h.Field is null))
            throw new ImportFileException("columns", $"Row 1: unknown column '{Truncate(header.First(h => h.Field is null).Name)}'. The columns are: {string.Join(", ", ImportFields.All.Select(ImportFields.CsvName))}.");
        if (header.GroupBy(h => h.Field).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new ImportFileException("columns", $"Row 1: the column {ImportFields.CsvName(twice.Key!)} appears twice.");
        var missing = ImportFields.RequiredColumns
            .Where(required => !required.Split('|').Any(alternative => header.Any(h => h.Field == alternative)))
            .Select(required => string.Join(" or ", required.Split('|').Select(ImportFields.CsvName)))
            .ToList();
        if (missing.Count > 0)
            throw new ImportFileException("columns", $"Row 1: required column{(missing.Count > 1 ? "s" : "")} missing: {string.Join(", ", missing)}. Provenance and evidence are required for every imported consent.");
    }

    public static async IAsyncEnumerable<RawRegistration> ReadJsonAsync(Stream input, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var elements = JsonSerializer.DeserializeAsyncEnumerable<JsonElement>(input, cancellationToken: cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using (elements)
        {
            var row = 0;
            while (await MoveNextAsync(elements, row))
            {
                row++;
                yield return ToRegistration(row, elements.Current);
            }
        }
    }

    private static async Task<bool> MoveNextAsync(IAsyncEnumerator<JsonElement> elements, int row)
    {
        try
        {
            return await elements.MoveNextAsync();
        }
        catch (JsonException e)
        {
            var where = row == 0 ? "" : $" after row {row}";
            throw new ImportFileException("file", $"The body must be a JSON array of registration objects; it is malformed{where}: {e.Message.Split(" Path:")[0]}");
        }
    }

    private static RawRegistration ToRegistration(int row, JsonElement element)
    {
        var errors = new List<ImportError>();
        var fields = new Dictionary<string, string?>();
        if (element.ValueKind != JsonValueKind.Object) return new RawRegistration(row, fields, [new ImportError(row, "row", "Each registration is a JSON object.")]);
        foreach (var property in element.EnumerateObject())
        {
            if (ImportFields.Canonical(property.Name) is not { } field)
            {
                errors.Add(new ImportError(row, Truncate(property.Name), $"Unknown field. The fields are: {string.Join(", ", ImportFields.All)}."));
                continue;
            }
            var value = property.Value;
            if (value.ValueKind == JsonValueKind.String) fields[field] = value.GetString();
            else if (value.ValueKind == JsonValueKind.Null) fields[field] = null;
            else if (ImportFields.ListSeparator(field) is { } separator && value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String))
                fields[field] = string.Join(separator, value.EnumerateArray().Select(v => v.GetString()));
            else errors.Add(new ImportError(row, field, ImportFields.ListSeparator(field) is null ? "Must be a string." : "Must be an array of strings (or one string)."));
        }
        return new RawRegistration(row, fields, errors);
    }

    private static string Truncate(string? value) => value is null ? "" : value.Length > 40 ? value[..40] + "…" : value;
}
