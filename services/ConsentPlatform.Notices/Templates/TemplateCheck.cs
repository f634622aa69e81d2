namespace ConsentPlatform.Notices.Templates;

/// <summary>A template as typed, checked: lint problems (R15), the preview with typical values (R16), and errors per field.</summary>
public sealed record TemplateCheck(string Kind, string Language, string Body, int MaxSegments, SmsPreview? Preview, IReadOnlyList<string> Problems,
    Dictionary<string, string[]> Errors)
{
    public bool IsValid => Errors.Count == 0;

    /// <summary>The same rules for the API and the page: each missing R15 item named, and the segment limit checked on the rendered text.</summary>
    public static async Task<TemplateCheck> RunAsync(TemplateStore templates, NoticesOptions options, ShortLinks links, string organizationId, string? organizationName,
        string kind, string language, string? body, int? maxSegments, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (!NoticeKinds.All.Contains(kind)) errors["kind"] = [$"The kind must be one of {string.Join(", ", NoticeKinds.All)}."];
        if (!Languages.All.Contains(language)) errors["language"] = ["The language must be ja or en."];
        var max = maxSegments ?? options.DefaultMaxSegments;
        if (max is < 1 or > 10) errors["maxSegments"] = ["The maximum segment count must be 1-10."];
        var problems = TemplateLinter.Lint(body);
        SmsPreview? preview = null;
        if (!string.IsNullOrWhiteSpace(body) && body.Length <= TemplateRenderer.MaxBodyLength)
        {
            var company = await templates.CompanyNameAsync(organizationId, organizationName, ct);
            var sampleLanguage = Languages.All.Contains(language) ? language : Languages.Japanese;
            preview = SmsPreview.Of(TemplateRenderer.Render(body, TemplateRenderer.Sample(sampleLanguage, company, links.Sample)),
                max is >= 1 and <= 10 ? max : options.DefaultMaxSegments, options);
        }
        var all = new List<string>(problems);
        if (problems.Count == 0 && errors.Count == 0 && preview is { WithinLimit: false })
            all.Add($"The text needs {preview.Segments} segments ({preview.Encoding}) with typical values; the maximum is {max}.");
        if (all.Count > 0) errors["body"] = [.. all];
        return new TemplateCheck(kind, language, body ?? "", max, preview, all, errors);
    }
}
