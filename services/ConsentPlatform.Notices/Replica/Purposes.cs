using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults.Data;
using Dapper;

namespace ConsentPlatform.Notices.Replica;

/// <summary>
/// The organization's purposes: the purpose codes of its events in Consent, replicated here
/// (EventPurposeSaved) as the gate's other inputs are, so a rep picks one the person could have
/// consented to instead of typing a guess.
/// </summary>
public sealed class Purposes(NoticesDatabase database)
{
    public static async Task SaveAsync(Transaction tx, EventPurposeSaved message)
    {
        var insert = tx.Database.Dialect.InsertIfAbsent(
            "event_purposes",
            "event_id, organization_id, purpose, saved_at",
            "@EventId, @OrganizationId, @Purpose, @at",
            key: "event_id");
        const string update = "UPDATE event_purposes SET purpose = @Purpose, saved_at = @at WHERE event_id = @EventId AND saved_at < @at";
        var args = new { message.EventId, message.OrganizationId, message.Purpose, at = message.SavedAt.ToUnixTimeMilliseconds() };
        if (await tx.Connection.ExecuteAsync(insert, args, tx.Inner) == 0)
            await tx.Connection.ExecuteAsync(update, args, tx.Inner);
    }

    public async Task<IReadOnlyList<string>> ListAsync(string organizationId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        const string sql = "SELECT DISTINCT purpose FROM event_purposes WHERE organization_id = @organizationId ORDER BY purpose";
        return (await connection.QueryAsync<string>(new CommandDefinition(sql, new { organizationId }, cancellationToken: ct))).ToList();
    }

    /// <summary>The purpose error for a call or a gate check, named "purpose"; null when the code is one of the organization's.</summary>
    public async Task<string?> ProblemAsync(string organizationId, string purpose, CancellationToken ct)
    {
        var known = await ListAsync(organizationId, ct);
        if (known.Contains(purpose.Trim(), StringComparer.Ordinal)) return null;
        return known.Count == 0
            ? "Your organization has no purposes yet: a purpose comes from an event's purpose code in Consent; create an event first."
            : $"Unknown purpose; your organization's purposes are: {string.Join(", ", known)}.";
    }
}
