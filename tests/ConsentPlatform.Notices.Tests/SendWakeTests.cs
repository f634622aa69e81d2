using System.Net.Http.Json;
using System.Text.Json;
using ConsentPlatform.Contracts;
using ConsentPlatform.Notices.Calls;
using ConsentPlatform.Notices.Sending;
using ConsentPlatform.Testing;

namespace ConsentPlatform.Notices.Tests;

/// <summary>
/// A queued SMS leaves when the transaction that queued it commits, not at the send workers' next poll: the
/// store wakes them. The poll here is a minute, so a message seen within seconds was woken.
/// </summary>
public sealed class SendWakeTests : IAsyncLifetime
{
    private const string CallingNumber = "+81312345678";
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(10);
    private readonly NoticesFactory _factory = new(new Dictionary<string, string?> { ["Sms:PollMilliseconds"] = "60000" });
    private HttpClient _client = null!;
    private string _org = "";

    public async Task InitializeAsync()
    {
        (_org, _client) = await _factory.CreateOrganizationAsync("Acme K.K.");
        await _factory.PublishCallingNumberAsync(_org, CallingNumber);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
    }

    private async Task<IReadOnlyList<DevInboxMessage>> InboxAsync() =>
        (await _client.GetFromJsonAsync<List<DevInboxMessage>>("/api/notices/dev-inbox", JsonSerializerOptions.Web))!;

    [Fact]
    public async Task A_planned_calls_notice_leaves_at_once_although_the_workers_poll_once_a_minute()
    {
        await _factory.RecordSmsConsentAsync(_org, "090-2222-0101");
        // Let the workers find the queue empty and settle into their minute-long wait.
        await Task.Delay(500);
        var created = await _client.PostAsJsonAsync("/api/notices/calls", new { phoneNumber = "090-2222-0101", callerName = "Sato", topic = "renewal", callingNumber = CallingNumber, language = "en", purpose = "sales" });
        var notice = (await created.Content.ReadFromJsonAsync<CallView>(JsonSerializerOptions.Web))!.Notices[0];

        await Eventually.AssertAsync(async () => (await InboxAsync()).Any(m => m.Links.Contains(notice.Link!)), Soon, "the notice reaches the dev inbox within seconds");
    }

    [Fact]
    public async Task A_verification_code_leaves_at_once_although_the_workers_poll_once_a_minute()
    {
        await Task.Delay(500);
        await _factory.Bus.Publish(new SendVerificationCode { RequestId = Guid.NewGuid(), PhoneNumber = "+819022220102", Code = "615243", Purpose = "dsr" });

        using var anonymous = _factory.CreateClient();
        await Eventually.AssertAsync(async () => (await (await anonymous.GetAsync("/notices/dev-inbox/people")).TextAsync()).Contains("615243"), Soon,
            "the code reaches the people's dev inbox within seconds");
    }
}
