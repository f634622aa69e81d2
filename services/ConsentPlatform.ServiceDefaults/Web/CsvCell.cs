namespace ConsentPlatform.ServiceDefaults.Web;

/// <summary>
/// The guard every CSV the platform writes puts each cell through (OWASP "CSV injection"): a cell
/// that starts with = + - @, tab or CR would be run as a formula by a spreadsheet, so it gets a
/// leading apostrophe. A plain phone-like value ("+81 3-1234-5678", "-1") cannot call anything
/// and stays as it is, so numbers in E.164 still export unchanged.
/// </summary>
public static class CsvCell
{
    public static string Guard(string value) =>
        value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' && !IsPhoneLike(value) ? "'" + value : value;

    private static bool IsPhoneLike(string value) =>
        value.AsSpan().ContainsAnyInRange('0', '9') && !value.AsSpan().ContainsAnyExcept("0123456789+-() ");
}
