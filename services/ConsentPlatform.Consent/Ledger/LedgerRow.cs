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
    /// <summary>granted | withdrawn | requested (an email address awaiting its double opt-in; ExpiresAt is when its link expires)</summary>
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

    // Provenance and evidence of imported rows (method "import"); null for rows recorded here.
    /// <summary>When the person gave the consent elsewhere (unix ms); RecordedAt is when it reached this ledger.</summary>
    public long? CollectedAt { get; init; }
    /// <summary>How it was captured: web_form | paper_form | phone_call | in_person | email | system.</summary>
    public string? CaptureMethod { get; init; }
    /// <summary>Where the words shown can be found (form id, document name and version).</summary>
    public string? TextReference { get; init; }
    /// <summary>The consent text the person was shown, when the importer has it (TextHash is its hash).</summary>
    public string? TextShown { get; init; }
    /// <summary>What proves it beyond IP and user agent: the paper, scan or system it came from.</summary>
    public string? Evidence { get; init; }
    /// <summary>The import file this row came from.</summary>
    public string? ImportId { get; init; }

    public const string Granted = "granted";
    public const string Withdrawn = "withdrawn";
    public const string Requested = "requested";

    /// <summary>The channel of a row that grants sharing the contact with a third party (ThirdParty names it).</summary>
    public const string ShareChannel = "share";
}
