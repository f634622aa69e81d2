using ConsentPlatform.Consent.Ledger;
using ConsentPlatform.Contracts;
using Microsoft.Extensions.DependencyInjection;

namespace ConsentPlatform.Consent.Tests;

/// <summary>
/// Issue 13, "consent expired": a grant whose expires_at has passed ends without anyone acting, so the ledger's
/// sweep announces it (ConsentExpired) for the CRM, once, and never for a grant that was withdrawn.
/// </summary>
public sealed class ExpiryTests(ConsentFactory factory) : IClassFixture<ConsentFactory>
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private ExpiryAnnouncer Announcer => factory.Services.GetRequiredService<ExpiryAnnouncer>();

    private static LedgerRow Grant(string hash, string channel, DateTimeOffset? expiresAt) => new()
    {
        Id = Guid.NewGuid().ToString(), ReceiptId = Guid.NewGuid().ToString(), SubjectId = Guid.NewGuid().ToString(), OrganizationId = "org_expiry",
        Action = LedgerRow.Granted, Channel = channel, Purpose = "seminar-followup", ContactHash = hash, PhoneHash = hash, Method = "web_form",
        RecordedAt = Now.AddDays(-30).ToUnixTimeMilliseconds(), ExpiresAt = expiresAt?.ToUnixTimeMilliseconds(),
    };

    private async Task AppendAsync(params LedgerRow[] rows)
    {
        var database = factory.Services.GetRequiredService<ConsentDatabase>();
        await using var transaction = await database.BeginAsync();
        await factory.Services.GetRequiredService<LedgerStore>().AppendAsync(transaction, rows, CancellationToken.None);
        await transaction.CommitAsync();
    }

    private Task<int> ExpiriesAnnouncedAsync(string consentId) =>
        factory.QueryScalarAsync<int>("SELECT COUNT(*) FROM outbox_messages WHERE message_type = @type AND body LIKE @id",
            new { type = typeof(ConsentExpired).FullName, id = $"%{consentId}%" });

    [Fact]
    public async Task A_grant_whose_expiry_has_passed_is_announced_once_however_often_the_sweep_runs()
    {
        var hash = factory.HashOf("090-7100-0001");
        var expired = Grant(hash, Channels.Sms, Now.AddMinutes(-5));
        var current = Grant(hash, Channels.Call, Now.AddDays(1));
        await AppendAsync(expired, current);

        await Announcer.SweepAsync(CancellationToken.None);
        await Announcer.SweepAsync(CancellationToken.None);

        Assert.Equal(1, await ExpiriesAnnouncedAsync(expired.Id));
        Assert.Equal(0, await ExpiriesAnnouncedAsync(current.Id));
        var body = await factory.QueryScalarAsync<string>("SELECT body FROM outbox_messages WHERE message_type = @type AND body LIKE @id",
            new { type = typeof(ConsentExpired).FullName, id = $"%{expired.Id}%" });
        Assert.Contains(hash, body);
        Assert.Contains("seminar-followup", body);
    }

    [Fact]
    public async Task A_withdrawn_grant_is_not_announced_when_its_expiry_passes()
    {
        var hash = factory.HashOf("090-7100-0002");
        var grant = Grant(hash, Channels.Sms, Now.AddMinutes(-5));
        var withdrawal = grant with
        {
            Id = Guid.NewGuid().ToString(), Action = LedgerRow.Withdrawn, Method = "withdrawal", RecordedAt = Now.AddDays(-1).ToUnixTimeMilliseconds(),
            ExpiresAt = null, Withdraws = grant.Id,
        };
        await AppendAsync(grant, withdrawal);

        await Announcer.SweepAsync(CancellationToken.None);

        Assert.Equal(0, await ExpiriesAnnouncedAsync(grant.Id));
    }

    [Fact]
    public async Task Erasing_a_contact_removes_the_record_of_its_announced_expiries()
    {
        var hash = factory.HashOf("090-7100-0003");
        var grant = Grant(hash, Channels.Email, Now.AddMinutes(-5));
        await AppendAsync(grant);
        await Announcer.SweepAsync(CancellationToken.None);
        Assert.Equal(1, await factory.QueryScalarAsync<int>("SELECT COUNT(*) FROM consent_expiries WHERE consent_id = @id", new { id = grant.Id }));

        var database = factory.Services.GetRequiredService<ConsentDatabase>();
        await using (var transaction = await database.BeginAsync())
        {
            await factory.Services.GetRequiredService<LedgerStore>().EraseAsync(transaction, [hash], CancellationToken.None);
            await transaction.CommitAsync();
        }

        Assert.Equal(0, await factory.QueryScalarAsync<int>("SELECT COUNT(*) FROM consent_expiries WHERE consent_id = @id", new { id = grant.Id }));
    }
}
