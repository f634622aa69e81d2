namespace ConsentPlatform.Consent.Ledger;

/// <summary>One row of the append-only ledger (R5). Column aliases in the SQL match these names.</summary>
public sealed record LedgerRow
{
    /// <summary>Insertion order (read only; assigned by the database).</summary>
    public long Seq { get; init; }
    public required string Id { get; init; }
    public required string ReceiptId { get; init; }
    public required string SubjectId { get; init; }
    public required string OrganizationId { get; init; }
    public string? EventId { get; init; }
    /// <summary>granted | withdrawn</summary>
    public required string Action { get; init; }
    public required string Channel { get; init; }
    public required string Purpose { get; init; }
    public string? ThirdParty { get; init; }
    /// <summary>E.164 number or normalized email; null after erasure.</summary>
    public string? Contact { get; init; }
    public required string ContactHash { get; init; }
    public string? PhoneHash { get; init; }
    public string? EmailHash { get; init; }
    public int? TextVersion { get; init; }
    public string? TextHash { get; init; }
    public string? Language { get; init; }
    public int? FormVersion { get; init; }
    /// <summary>web_form | import | opt_out | withdrawal</summary>
    public required string Method { get; init; }
    public required long RecordedAt { get; init; }
    public long? ExpiresAt { get; init; }
    public string? SourceEvent { get; init; }
    public string? PageUrl { get; init; }
    public string? Ip { get; init; }
    public string? UserAgent { get; init; }
    public string? Jurisdiction { get; init; }
    /// <summary>For a withdrawal: the id of the granted row it ends.</summary>
    public string? Withdraws { get; init; }

    public const string Granted = "granted";
    public const string Withdrawn = "withdrawn";
}
