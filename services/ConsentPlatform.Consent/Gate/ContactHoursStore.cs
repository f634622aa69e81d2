using System.Collections.Concurrent;
using Dapper;

namespace ConsentPlatform.Consent.Gate;

/// <summary>Per-organization quiet hours, kept in memory for the gate and in the database as the record.</summary>
public sealed class ContactHoursStore(ConsentDatabase database, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, ContactHours> _hours = new(StringComparer.Ordinal);

    public ContactHours For(string organizationId) => _hours.TryGetValue(organizationId, out var hours) ? hours : ContactHours.Default;

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        const string sql = "SELECT organization_id AS OrganizationId, start_minute AS StartMinute, end_minute AS EndMinute FROM contact_windows";
        foreach (var row in await connection.QueryAsync<(string OrganizationId, int StartMinute, int EndMinute)>(new CommandDefinition(sql, cancellationToken: cancellationToken)))
            _hours[row.OrganizationId] = new ContactHours(TimeOnly.MinValue.AddMinutes(row.StartMinute), TimeOnly.MinValue.AddMinutes(row.EndMinute));
    }

    public async Task SaveAsync(string organizationId, ContactHours hours, CancellationToken cancellationToken)
    {
        await using var transaction = await database.BeginAsync(cancellationToken);
        var parameters = new
        {
            organizationId,
            start = (int)hours.Start.ToTimeSpan().TotalMinutes,
            end = (int)hours.End.ToTimeSpan().TotalMinutes,
            now = time.GetUtcNow().ToUnixTimeMilliseconds(),
        };
        const string update = "UPDATE contact_windows SET start_minute = @start, end_minute = @end, updated_at = @now WHERE organization_id = @organizationId";
        var insert = database.Dialect.InsertIfAbsent(
            "contact_windows",
            "organization_id, start_minute, end_minute, updated_at",
            "@organizationId, @start, @end, @now",
            key: "organization_id");
        if (await transaction.Connection.ExecuteAsync(new CommandDefinition(update, parameters, transaction.Inner, cancellationToken: cancellationToken)) == 0)
            await transaction.Connection.ExecuteAsync(new CommandDefinition(insert, parameters, transaction.Inner, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        _hours[organizationId] = hours;
    }
}
