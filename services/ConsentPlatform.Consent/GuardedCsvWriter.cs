using System.Globalization;
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
}
