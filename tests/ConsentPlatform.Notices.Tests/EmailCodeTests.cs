using ConsentPlatform.Contracts;
using ConsentPlatform.Testing;
using Dapper;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ConsentPlatform.Notices.Verification;
using ConsentPlatform.ServiceDefaults.Messaging;

namespace ConsentPlatform.Notices.Tests;

/// <summary>SendVerificationCode by email: the dev inbox of the embedded default, SMTP, erasure, and commands that name both or neither contact.</summary>
public sealed class EmailCodeTests
{
    private static async Task<bool> HandledAsync(NoticesFactory factory, Guid messageId)
    {
        await using var connection = await factory.Services.GetRequiredService<NoticesDatabase>().OpenAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM inbox_messages WHERE message_id = @id AND consumer = @consumer",
            new { id = messageId.ToString(), consumer = Inbox.KeyOf<SendVerificationCodeConsumer, SendVerificationCode>() }) > 0;
    }

    private static async Task<(string Status, string To, string Body)?> QueuedAsync(NoticesFactory factory, Guid requestId)
    {
        await using var connection = await factory.Services.GetRequiredService<NoticesDatabase>().OpenAsync();
        return await connection.QuerySingleOrDefaultAsync<(string, string, string)?>("SELECT status, to_address, body FROM outgoing_emails WHERE id = @id",
            new { id = requestId.ToString() });
    }

    [Fact]
    public async Task A_code_by_email_is_shown_on_the_dev_inbox_page_and_the_address_and_code_are_cleared_once_sent()
    {
        await using var factory = new NoticesFactory();
        var (org, _) = await factory.CreateOrganizationAsync();
        var requestId = Guid.NewGuid();

        await factory.Bus.Publish(new SendVerificationCode { RequestId = requestId, Email = "Hanako.Yamada@Example.JP", Code = "615243", Purpose = "dsr" });

        // The person's own code: on the Development page that stands in for their mailbox, never on an organization's.
        using var anonymous = factory.CreateClient();
        string page = "";
        await Eventually.AssertAsync(async () => (page = await (await anonymous.GetAsync("/notices/dev-inbox/people")).TextAsync()).Contains("615243"),
            TimeSpan.FromSeconds(10), "the email is listed on the dev inbox page");
        using var browser = await BrowserSession.SignInAsync(factory, org);
        Assert.DoesNotContain("615243", await (await browser.GetAsync("/notices/dev-inbox")).TextAsync());
        Assert.Contains("hanako.yamada@example.jp", page, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("個人データのご請求（削除・利用停止など）の確認コード", page);
        await Eventually.AssertAsync(async () => (await QueuedAsync(factory, requestId))?.Status == "sent", TimeSpan.FromSeconds(10), "the queued email is marked sent");
        var sent = (await QueuedAsync(factory, requestId))!.Value;
        Assert.Equal(("", ""), (sent.To, sent.Body));
        // Transactional: no SMS went out for it.
        await using var connection = await factory.Services.GetRequiredService<NoticesDatabase>().OpenAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM outgoing_messages"));
    }

    [Fact]
    public async Task The_smtp_provider_delivers_the_code_to_the_smtp_server()
    {
        await using var smtp = new FakeSmtp();
        await using var factory = new NoticesFactory(new Dictionary<string, string?>
        {
            ["Notices:Email:Provider"] = "Smtp", ["Notices:Smtp:Host"] = "127.0.0.1", ["Notices:Smtp:Port"] = smtp.Port.ToString(),
            ["Notices:Smtp:EnableSsl"] = "false", ["Notices:Smtp:From"] = "no-reply@consent.example",
        });
        _ = factory.Services;
        var requestId = Guid.NewGuid();

        await factory.Bus.Publish(new SendVerificationCode { RequestId = requestId, Email = "taro@example.jp", Code = "908172", Purpose = "dsr" });

        await Eventually.AssertAsync(() => !smtp.Received.IsEmpty, TimeSpan.FromSeconds(15), "the SMTP server receives the email");
        var mail = Assert.Single(smtp.Received);
        Assert.Equal(("no-reply@consent.example", "taro@example.jp"), (mail.From, mail.To));
        Assert.Contains("908172", mail.Body);
        await Eventually.AssertAsync(async () => (await QueuedAsync(factory, requestId))?.Status == "sent", TimeSpan.FromSeconds(10), "the queued email is marked sent");
        await using var connection = await factory.Services.GetRequiredService<NoticesDatabase>().OpenAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM dev_emails"));
    }

    [Fact]
    public void Smtp_without_a_host_or_a_valid_sender_is_refused_at_start_up_naming_the_keys()
    {
        static NoticesOptions Read(Dictionary<string, string?> values) =>
            NoticesOptions.Read(new ConfigurationBuilder().AddInMemoryCollection(values).Build());

        var missing = Read(new() { ["Notices:Email:Provider"] = "Smtp" });
        Assert.Contains(missing.Errors, e => e.StartsWith("Notices:Smtp:Host is missing"));
        Assert.Contains(missing.Errors, e => e.StartsWith("Notices:Smtp:From is missing"));
        var bad = Read(new() { ["Notices:Email:Provider"] = "Smtp", ["Notices:Smtp:Host"] = "mail", ["Notices:Smtp:From"] = "no at sign", ["Notices:Smtp:EnableSsl"] = "sometimes" });
        Assert.Contains(bad.Errors, e => e.StartsWith("Notices:Smtp:From: 'no at sign'"));
        Assert.Contains(bad.Errors, e => e.StartsWith("Notices:Smtp:EnableSsl"));
        Assert.Contains(Read(new() { ["Notices:Email:Provider"] = "Pigeon" }).Errors, e => e.StartsWith("Notices:Email:Provider"));
        Assert.Empty(Read(new()).Errors);
        Assert.Equal(Sending.EmailProvider.DevInbox, Read(new()).EmailProvider);
    }

    [Fact]
    public async Task A_code_to_an_erased_email_is_not_sent()
    {
        await using var factory = new NoticesFactory();
        var hash = factory.Hasher.HashEmail("erased@example.jp");
        await factory.Bus.Publish(new ErasureRequested { RequestId = Guid.NewGuid(), ContactHash = hash, RequestedAt = factory.Clock.Now });
        await Eventually.AssertAsync(() => factory.Index.Find(hash).ErasedAt > 0, TimeSpan.FromSeconds(10), "erasure replicated");
        var messageId = NewId.NextGuid();
        var requestId = Guid.NewGuid();

        await factory.Bus.Publish(new SendVerificationCode { RequestId = requestId, Email = "Erased@example.jp", Code = "112233", Purpose = "dsr" }, c => c.MessageId = messageId);

        await Eventually.AssertAsync(() => HandledAsync(factory, messageId), TimeSpan.FromSeconds(10), "the command was consumed");
        Assert.Null(await QueuedAsync(factory, requestId));
    }

    [Theory]
    [InlineData("+819022220009", "both@example.jp")]
    [InlineData(null, null)]
    [InlineData(null, "not an email")]
    public async Task A_command_naming_both_or_neither_contact_or_a_bad_email_sends_nothing(string? phoneNumber, string? email)
    {
        await using var factory = new NoticesFactory();
        var messageId = NewId.NextGuid();
        var requestId = Guid.NewGuid();

        await factory.Bus.Publish(new SendVerificationCode { RequestId = requestId, PhoneNumber = phoneNumber, Email = email, Code = "445566", Purpose = "dsr" },
            c => c.MessageId = messageId);

        await Eventually.AssertAsync(() => HandledAsync(factory, messageId), TimeSpan.FromSeconds(10), "the command was consumed");
        Assert.Null(await QueuedAsync(factory, requestId));
        await using var connection = await factory.Services.GetRequiredService<NoticesDatabase>().OpenAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM outgoing_messages WHERE id = @id", new { id = requestId.ToString() }));
    }
}
