using System.Security.Cryptography;
using System.Text;
using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults.Messaging;
using Dapper;

namespace ConsentPlatform.Consent.ConsentForms;

/// <summary>One version of one consent text. Never changed once written.</summary>
public sealed record TextVersion(string Channel, string Language, int Version, string Body, string Hash, DateTimeOffset CreatedAt);

/// <summary>An event with its form, as stored: the current text of each channel and language.</summary>
public sealed record EventView
{
    public required string Id { get; init; }
    public required string OrganizationId { get; init; }
    public required string Title { get; init; }
    public DateOnly? StartsOn { get; init; }
    public DateOnly? EndsOn { get; init; }
    public required string Purpose { get; init; }
    public required LocalizedText PurposeText { get; init; }
    public required IReadOnlyList<string> Channels { get; init; }
    public required string SenderLegalName { get; init; }
    public required int LifetimeMonths { get; init; }
    public required IReadOnlyList<string> AllowedOrigins { get; init; }
    public required IReadOnlyList<string> ThirdParties { get; init; }
    public required int FormVersion { get; init; }
    /// <summary>Latest version of each text, by channel then language.</summary>
    public required IReadOnlyList<TextVersion> Texts { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }

    public TextVersion? Text(string channel, string language) => Texts.FirstOrDefault(t => t.Channel == channel && t.Language == language);
}

/// <summary>Events, their forms and versioned consent texts.</summary>
public sealed class EventStore(ConsentDatabase database, TimeProvider time)
{
    public static string HashText(string body) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body)));

    public async Task<EventView> CreateAsync(string organizationId, EventInput input, CancellationToken cancellationToken)
    {
        var id = "ev_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var transaction = await database.BeginAsync(cancellationToken);
        const string sql = """
            INSERT INTO consent_events (id, organization_id, title, starts_on, ends_on, purpose, purpose_text_ja, purpose_text_en, channels,
                sender_legal_name, lifetime_months, allowed_origins, third_parties, form_version, created_at, updated_at, purpose_announced_at)
            VALUES (@id, @organizationId, @title, @startsOn, @endsOn, @purpose, @purposeJa, @purposeEn, @channels,
                @senderLegalName, @lifetimeMonths, @allowedOrigins, @thirdParties, 1, @now, @now, @now)
            """;
        await transaction.Connection.ExecuteAsync(new CommandDefinition(sql, Parameters(id, organizationId, input, now), transaction.Inner, cancellationToken: cancellationToken));
        await WriteChangedTextsAsync(transaction, id, input, [], now, cancellationToken);
        WritePurpose(transaction, id, organizationId, input.Purpose!.Trim(), now);
        await transaction.CommitAsync(cancellationToken);
        return (await FindAsync(organizationId, id, cancellationToken))!;
    }

    /// <summary>Saves a new form version; a text that changed gets a new version, the old ones stay. Null when not found.</summary>
    public async Task<EventView?> UpdateAsync(string organizationId, string id, EventInput input, CancellationToken cancellationToken)
    {
        var current = await FindAsync(organizationId, id, cancellationToken);
        if (current is null) return null;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var transaction = await database.BeginAsync(cancellationToken);
        const string sql = """
            UPDATE consent_events SET title = @title, starts_on = @startsOn, ends_on = @endsOn, purpose = @purpose, purpose_text_ja = @purposeJa,
                purpose_text_en = @purposeEn, channels = @channels, sender_legal_name = @senderLegalName, lifetime_months = @lifetimeMonths,
                allowed_origins = @allowedOrigins, third_parties = @thirdParties, form_version = form_version + 1, updated_at = @now,
                purpose_announced_at = @now
            WHERE id = @id AND organization_id = @organizationId
            """;
        await transaction.Connection.ExecuteAsync(new CommandDefinition(sql, Parameters(id, organizationId, input, now), transaction.Inner, cancellationToken: cancellationToken));
        await WriteChangedTextsAsync(transaction, id, input, current.Texts, now, cancellationToken);
        WritePurpose(transaction, id, organizationId, input.Purpose!.Trim(), now);
        await transaction.CommitAsync(cancellationToken);
        return await FindAsync(organizationId, id, cancellationToken);
    }

    /// <summary>Notices keeps the organization's purposes so reps pick one rather than type it (issue 13).</summary>
    private static void WritePurpose(ServiceDefaults.Data.Transaction transaction, string id, string organizationId, string purpose, long savedAt) =>
        Outbox.Write(transaction, new EventPurposeSaved
        {
            EventId = id, OrganizationId = organizationId, Purpose = purpose, SavedAt = DateTimeOffset.FromUnixTimeMilliseconds(savedAt),
        });

    private sealed record UnannouncedEvent(string Id, string OrganizationId, string Purpose, long UpdatedAt);

    /// <summary>
    /// Announces the purpose of every event saved before Notices learned purposes (an upgrade from
    /// before migration 0008), in one transaction with the marks, so each is announced once. Two
    /// replicas starting together may both announce one; Notices keeps the newest and ignores the rest.
    /// Returns how many were announced.
    /// </summary>
    public async Task<int> AnnounceUnannouncedPurposesAsync(CancellationToken cancellationToken)
    {
        await using var transaction = await database.BeginAsync(cancellationToken);
        const string unannounced = """
            SELECT id AS Id, organization_id AS OrganizationId, purpose AS Purpose, updated_at AS UpdatedAt
            FROM consent_events WHERE purpose_announced_at IS NULL
            """;
        var events = (await transaction.Connection.QueryAsync<UnannouncedEvent>(new CommandDefinition(unannounced, transaction: transaction.Inner, cancellationToken: cancellationToken))).ToList();
        if (events.Count == 0) return 0;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        const string mark = "UPDATE consent_events SET purpose_announced_at = @now WHERE id = @id";
        foreach (var e in events)
        {
            // Saved at the event's own last change, so a newer save that Notices already has wins.
            WritePurpose(transaction, e.Id, e.OrganizationId, e.Purpose, e.UpdatedAt);
            await transaction.Connection.ExecuteAsync(new CommandDefinition(mark, new { now, id = e.Id }, transaction.Inner, cancellationToken: cancellationToken));
        }
        await transaction.CommitAsync(cancellationToken);
        return events.Count;
    }

    private static object Parameters(string id, string organizationId, EventInput input, long now) => new
    {
        id, organizationId, title = input.Title!.Trim(), startsOn = input.StartsOn?.ToString("yyyy-MM-dd"), endsOn = input.EndsOn?.ToString("yyyy-MM-dd"),
        purpose = input.Purpose!.Trim(), purposeJa = input.PurposeText!.Ja!.Trim(), purposeEn = input.PurposeText.En!.Trim(),
        channels = string.Join(' ', input.Channels!), senderLegalName = input.SenderLegalName!.Trim(), lifetimeMonths = input.LifetimeMonths!.Value,
        allowedOrigins = string.Join(' ', (input.AllowedOrigins ?? []).Select(EventInput.NormalizeOrigin).Distinct()),
        thirdParties = string.Join('\n', (input.ThirdParties ?? []).Select(t => t.Trim())), now,
    };

    private static async Task WriteChangedTextsAsync(ServiceDefaults.Data.Transaction transaction, string eventId, EventInput input, IReadOnlyList<TextVersion> current, long now, CancellationToken cancellationToken)
    {
        const string sql = """
            INSERT INTO consent_texts (event_id, channel, language, version, body, hash, created_at)
            VALUES (@eventId, @channel, @language, @version, @body, @hash, @now)
            """;
        foreach (var channel in input.Channels!)
            foreach (var language in EventInput.Languages)
            {
                var body = input.Texts![channel].For(language)!.Trim();
                var latest = current.FirstOrDefault(t => t.Channel == channel && t.Language == language);
                if (latest?.Body == body) continue;
                // A channel dropped and offered again continues its numbering.
                const string last = "SELECT COALESCE(MAX(version), 0) FROM consent_texts WHERE event_id = @eventId AND channel = @channel AND language = @language";
                var version = 1 + await transaction.Connection.ExecuteScalarAsync<int>(new CommandDefinition(last, new { eventId, channel, language }, transaction.Inner, cancellationToken: cancellationToken));
                await transaction.Connection.ExecuteAsync(new CommandDefinition(sql, new { eventId, channel, language, version, body, hash = HashText(body), now },
                    transaction.Inner, cancellationToken: cancellationToken));
            }
    }

    private sealed record EventRow(string Id, string OrganizationId, string Title, string? StartsOn, string? EndsOn, string Purpose, string PurposeTextJa,
        string PurposeTextEn, string Channels, string SenderLegalName, long LifetimeMonths, string AllowedOrigins, string ThirdParties, long FormVersion, long UpdatedAt);

    private const string EventColumns = """
        id AS Id, organization_id AS OrganizationId, title AS Title, starts_on AS StartsOn, ends_on AS EndsOn, purpose AS Purpose,
        purpose_text_ja AS PurposeTextJa, purpose_text_en AS PurposeTextEn, channels AS Channels, sender_legal_name AS SenderLegalName,
        lifetime_months AS LifetimeMonths, allowed_origins AS AllowedOrigins, third_parties AS ThirdParties, form_version AS FormVersion, updated_at AS UpdatedAt
        """;

    /// <summary>The event of this organization, or (organizationId null) of any organization — for the public form.</summary>
    public async Task<EventView?> FindAsync(string? organizationId, string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        const string sql = $"SELECT {EventColumns} FROM consent_events WHERE id = @id AND (@organizationId IS NULL OR organization_id = @organizationId)";
        var row = await connection.QuerySingleOrDefaultAsync<EventRow>(new CommandDefinition(sql, new { id, organizationId }, cancellationToken: cancellationToken));
        if (row is null) return null;
        var channels = row.Channels.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var texts = (await VersionsAsync(connection, id, cancellationToken))
            .Where(t => channels.Contains(t.Channel))
            .GroupBy(t => (t.Channel, t.Language)).Select(g => g.MaxBy(t => t.Version)!).ToList();
        return ToView(row, texts);
    }

    public async Task<IReadOnlyList<EventView>> ListAsync(string organizationId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        const string sql = $"SELECT {EventColumns} FROM consent_events WHERE organization_id = @organizationId ORDER BY created_at DESC";
        var rows = await connection.QueryAsync<EventRow>(new CommandDefinition(sql, new { organizationId }, cancellationToken: cancellationToken));
        return rows.Select(r => ToView(r, [])).ToList();
    }

    public async Task<IReadOnlyList<TextVersion>> AllVersionsAsync(string eventId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await VersionsAsync(connection, eventId, cancellationToken);
    }

    private static async Task<IReadOnlyList<TextVersion>> VersionsAsync(System.Data.Common.DbConnection connection, string eventId, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT channel AS Channel, language AS Language, version AS Version, body AS Body, hash AS Hash, created_at AS CreatedAt
            FROM consent_texts WHERE event_id = @eventId ORDER BY channel, language, version
            """;
        var rows = await connection.QueryAsync<(string Channel, string Language, long Version, string Body, string Hash, long CreatedAt)>(
            new CommandDefinition(sql, new { eventId }, cancellationToken: cancellationToken));
        return rows.Select(r => new TextVersion(r.Channel, r.Language, (int)r.Version, r.Body, r.Hash, DateTimeOffset.FromUnixTimeMilliseconds(r.CreatedAt))).ToList();
    }

    private static EventView ToView(EventRow row, IReadOnlyList<TextVersion> texts) => new()
    {
        Id = row.Id, OrganizationId = row.OrganizationId, Title = row.Title,
        StartsOn = row.StartsOn is null ? null : DateOnly.Parse(row.StartsOn), EndsOn = row.EndsOn is null ? null : DateOnly.Parse(row.EndsOn),
        Purpose = row.Purpose, PurposeText = new LocalizedText { Ja = row.PurposeTextJa, En = row.PurposeTextEn },
        Channels = row.Channels.Split(' ', StringSplitOptions.RemoveEmptyEntries), SenderLegalName = row.SenderLegalName,
        LifetimeMonths = (int)row.LifetimeMonths, AllowedOrigins = row.AllowedOrigins.Split(' ', StringSplitOptions.RemoveEmptyEntries),
        ThirdParties = row.ThirdParties.Split('\n', StringSplitOptions.RemoveEmptyEntries), FormVersion = (int)row.FormVersion, Texts = texts,
        UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(row.UpdatedAt),
    };
}
