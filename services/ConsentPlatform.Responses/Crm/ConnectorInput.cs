namespace ConsentPlatform.Responses.Crm;

/// <summary>Connector settings from the API (JSON) or the settings page (form).</summary>
public sealed record ConnectorInput
{
    public const string DefaultApiVersion = "60.0";

    public string? Kind { get; init; }
    public string? Name { get; init; }
    public bool? Enabled { get; init; }
    /// <summary>Webhook: the endpoint. Salesforce: the org's My Domain URL (token and data API live under it).</summary>
    public string? Url { get; init; }
    /// <summary>Webhook: the signing secret (generated when left empty). Salesforce: the connected app's client secret.</summary>
    public string? Secret { get; init; }
    public string? ClientId { get; init; }
    /// <summary>Salesforce: the Lead's external id field the contact is upserted by, e.g. ConsentPlatform_Id__c.</summary>
    public string? ExternalIdField { get; init; }
    public string? ApiVersion { get; init; }

    /// <summary>
    /// Everything wrong with the input for a new connector (<paramref name="existing"/> null) or a
    /// change to one: the fields, where the URL leads (ADR 0016), and a changed URL without its
    /// secret — the stored secret is never sent to an address other than the one it was given for.
    /// </summary>
    public async Task<Dictionary<string, string[]>> ValidateAsync(Connector? existing, OutboundUrlPolicy policy, CancellationToken ct)
    {
        var input = existing is null ? this : this with { Kind = existing.Kind };
        var errors = input.Validate(creating: existing is null, policy);
        if (existing is not null && !errors.ContainsKey("secret") && string.IsNullOrWhiteSpace(Secret)
            && !string.Equals(Url?.Trim(), existing.Url, StringComparison.Ordinal))
            errors["secret"] = ["Give the secret again when you change the URL: the stored one is never sent to a new address."];
        if (!errors.ContainsKey("url") && await policy.RefusalAsync(Url!, ct) is { } refused)
            errors["url"] = [refused];
        return errors;
    }

    private Dictionary<string, string[]> Validate(bool creating, OutboundUrlPolicy policy)
    {
        var errors = new Dictionary<string, string[]>();
        void Fail(string field, string message) => errors[field] = [message];

        if (creating && !ConnectorKinds.All.Contains(Kind ?? ""))
            Fail("kind", $"The kind must be one of: {string.Join(", ", ConnectorKinds.All)}. (The pull feed needs no connector: GET /api/responses/feed.)");
        if (string.IsNullOrWhiteSpace(Name)) Fail("name", "A name is required.");
        else if (Name.Trim().Length > 100) Fail("name", "The name must be at most 100 characters.");
        if (string.IsNullOrWhiteSpace(Url) || Url.Trim().Length > 400)
            Fail("url", "The URL must be an absolute https URL of at most 400 characters.");
        else if (policy.FormRefusal(Url) is { } refused)
            Fail("url", refused);
        if (Secret is { Length: > 0 } secret && (secret.Length < 16 || secret.Length > 400))
            Fail("secret", "The secret must be 16 to 400 characters.");
        if (Kind == ConnectorKinds.Salesforce)
        {
            if (string.IsNullOrWhiteSpace(ClientId) || ClientId.Length > 400) Fail("clientId", "Salesforce needs the connected app's client id (consumer key).");
            if (creating && string.IsNullOrWhiteSpace(Secret)) Fail("secret", "Salesforce needs the connected app's client secret.");
            if (string.IsNullOrWhiteSpace(ExternalIdField) || !System.Text.RegularExpressions.Regex.IsMatch(ExternalIdField.Trim(), "^[A-Za-z][A-Za-z0-9_]{0,79}$"))
                Fail("externalIdField", "Give the Lead's external id field, e.g. ConsentPlatform_Id__c.");
            if (ApiVersion is { Length: > 0 } v && !System.Text.RegularExpressions.Regex.IsMatch(v.Trim(), @"^\d{2}\.\d$"))
                Fail("apiVersion", "The API version looks like 60.0.");
        }
        return errors;
    }

    public static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
