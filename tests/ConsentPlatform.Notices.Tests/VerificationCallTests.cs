using System.Collections.Concurrent;
using System.Xml.Linq;
using ConsentPlatform.Contracts;
using ConsentPlatform.Notices.Sending;
using ConsentPlatform.Telephony;
using ConsentPlatform.Testing;
using Dapper;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ConsentPlatform.Notices.Verification;
using ConsentPlatform.ServiceDefaults.Messaging;

namespace ConsentPlatform.Notices.Tests;

/// <summary>
/// PlaceVerificationCall: Directory's code for a landline, read out by a call placed through the fake
/// Twilio's Calls API (or the dev call log), at most once per request.
/// </summary>
public sealed class VerificationCallTests : IAsyncLifetime
{
    private const string Landline = "+81312345678";
    private const string Code = "615243";
    private const string JapaneseDigits = "6、 1、 5、 2、 4、 3";
    private FakeTwilio _twilio = null!;
    private readonly LogCapture _logs = new();

    public async Task InitializeAsync() => _twilio = await FakeTwilio.StartAsync();

    public async Task DisposeAsync() => await _twilio.DisposeAsync();

    private NoticesFactory StartWithTwilio(int timeoutSeconds = 10, IDictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Sms:Provider"] = "Twilio", ["Sms:Twilio:AccountSid"] = FakeTwilio.AccountSid, ["Sms:Twilio:AuthToken"] = FakeTwilio.AuthToken,
            ["Sms:Twilio:From"] = "+15005550006", ["Sms:Twilio:BaseUrl"] = _twilio.BaseAddress.ToString(),
            ["Notices:PublicBaseUrl"] = "http://127.0.0.1:9", ["Notices:ShortLinkBaseUrl"] = "https://links.example.test/r/", ["Sms:RequestTimeoutSeconds"] = timeoutSeconds.ToString(),
        };
        foreach (var (key, value) in more ?? new Dictionary<string, string?>()) settings[key] = value;
        var factory = new NoticesFactory(settings) { ConfigureTestServices = services => services.AddSingleton<ILoggerProvider>(_logs) };
        _ = factory.Services;
        return factory;
    }

    /// <summary>What Directory's OneTimeCodes writes to its outbox for a landline.</summary>
    private static PlaceVerificationCall Command(string number = Landline, string code = Code, string language = "ja") => new()
    {
        RequestId = Guid.NewGuid(), PhoneNumber = number, Code = code, Purpose = "directory_opt_out", OrganizationId = "org_directory", Language = language,
    };

    private static async Task<(string Status, string ToNumber, string Code, long Attempts, string? Sid, string? Error)?> RowAsync(NoticesFactory factory, Guid requestId)
    {
        await using var connection = await factory.Services.GetRequiredService<NoticesDatabase>().OpenAsync();
        return await connection.QuerySingleOrDefaultAsync<(string, string, string, long, string?, string?)?>(
            "SELECT status, to_number, code, attempts, sid, error FROM outgoing_calls WHERE id = @id", new { id = requestId.ToString() });
    }

    private static async Task<bool> HandledAsync(NoticesFactory factory, Guid messageId)
    {
        await using var connection = await factory.Services.GetRequiredService<NoticesDatabase>().OpenAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM inbox_messages WHERE message_id = @id AND consumer = @consumer",
            new { id = messageId.ToString(), consumer = Inbox.KeyOf<PlaceVerificationCallConsumer, PlaceVerificationCall>() }) > 0;
    }

    private static int Occurrences(string text, string part) => (text.Length - text.Replace(part, "").Length) / part.Length;

    [Fact]
    public async Task A_verification_call_reaches_that_number_once_reading_the_code_digit_by_digit_twice_and_the_code_is_then_cleared()
    {
        await using var notices = StartWithTwilio();
        var command = Command();

        await notices.Bus.Publish(command);

        await Eventually.AssertAsync(async () => (await RowAsync(notices, command.RequestId))?.Status == VoiceCallQueue.Placed, TimeSpan.FromSeconds(15), "the call is placed");
        var call = Assert.Single(_twilio.Calls);
        Assert.Equal((Landline, "+15005550006"), (call.To, call.From));
        Assert.StartsWith("CA", call.Sid);
        var twiml = XElement.Parse(call.Twiml);
        Assert.Equal("Response", twiml.Name.LocalName);
        var says = twiml.Elements("Say").ToList();
        Assert.All(says, say => Assert.Equal("ja-JP", (string?)say.Attribute("language")));
        Assert.Equal(2, Occurrences(string.Concat(says.Select(s => s.Value)), JapaneseDigits));
        Assert.NotEmpty(twiml.Elements("Pause"));
        // Placed: the row keeps the provider's sid, and neither the number nor the code.
        var row = (await RowAsync(notices, command.RequestId))!.Value;
        Assert.Equal((call.Sid, "", ""), (row.Sid, row.ToNumber, row.Code));
        // Logs carry the request id, never the number or the code.
        Assert.Contains(_logs.Lines, line => line.Contains(command.RequestId.ToString()));
        Assert.DoesNotContain(_logs.Lines, line => line.Contains(Code) || line.Contains("312345678") || line.Contains("3-1234-5678"));
    }

    [Fact]
    public async Task A_call_in_english_is_read_in_en_US()
    {
        await using var notices = StartWithTwilio();
        var command = Command(code: "908172", language: "en");

        await notices.Bus.Publish(command);

        await Eventually.AssertAsync(() => !_twilio.Calls.IsEmpty, TimeSpan.FromSeconds(15), "the call is placed");
        var twiml = XElement.Parse(Assert.Single(_twilio.Calls).Twiml);
        Assert.All(twiml.Elements("Say"), say => Assert.Equal("en-US", (string?)say.Attribute("language")));
        Assert.Equal(2, Occurrences(twiml.Value, "9, 0, 8, 1, 7, 2"));
    }

    [Fact]
    public async Task A_redelivered_or_repeated_command_places_no_second_call()
    {
        await using var notices = StartWithTwilio();
        var consumed = new ConsumedCount();
        notices.Bus.ConnectConsumeMessageObserver(consumed);
        var command = Command();
        var messageId = NewId.NextGuid();

        await notices.Bus.Publish(command, c => c.MessageId = messageId);
        await Eventually.AssertAsync(async () => (await RowAsync(notices, command.RequestId))?.Status == VoiceCallQueue.Placed, TimeSpan.FromSeconds(15), "the call is placed");
        // The bus delivers the same message again, and Directory's outbox re-sends the command under a new message id.
        await notices.Bus.Publish(command, c => c.MessageId = messageId);
        var again = NewId.NextGuid();
        await notices.Bus.Publish(command, c => c.MessageId = again);

        await Eventually.AssertAsync(() => consumed.Count >= 3, TimeSpan.FromSeconds(10), "all three deliveries were consumed");
        Assert.True(await HandledAsync(notices, again));
        // Long enough for the worker to poll many times over.
        await Task.Delay(1000);
        Assert.Single(_twilio.Calls);
        Assert.Single(_twilio.CallArrivals);
    }

    [Theory]
    [InlineData(FakeFault.TooManyRequests)]
    [InlineData(FakeFault.ServiceUnavailable)]
    public async Task A_refusal_that_took_nothing_is_retried_and_places_exactly_one_call(FakeFault fault)
    {
        await using var notices = StartWithTwilio();
        var faults = 0;
        _twilio.NextFault = () => Interlocked.Increment(ref faults) == 1 ? fault : FakeFault.None;
        var command = Command();

        await notices.Bus.Publish(command);

        await Eventually.AssertAsync(async () => (await RowAsync(notices, command.RequestId))?.Status == VoiceCallQueue.Placed, TimeSpan.FromSeconds(15), "the call is placed");
        Assert.Single(_twilio.Calls);
        Assert.Equal(2, _twilio.CallArrivals.Count);
        Assert.Equal(2, (await RowAsync(notices, command.RequestId))!.Value.Attempts);
    }

    [Fact]
    public async Task A_refused_connection_is_rescheduled_rather_than_given_up()
    {
        // Nothing listens on the port at first: the request never reached a server, so trying again is safe.
        var port = FreePort.Next();
        await using var notices = StartWithTwilio(more: new Dictionary<string, string?> { ["Sms:Twilio:BaseUrl"] = $"http://127.0.0.1:{port}" });
        var command = Command();

        await notices.Bus.Publish(command);

        await Eventually.AssertAsync(async () => (await RowAsync(notices, command.RequestId))?.Error == "connection_refused", TimeSpan.FromSeconds(15),
            "the refused request is rescheduled");
        Assert.Equal(VoiceCallQueue.Pending, (await RowAsync(notices, command.RequestId))!.Value.Status);
    }

    [Theory]
    [InlineData(FakeFault.HangAfterAccepting, "timeout")]
    [InlineData(FakeFault.ErrorAfterAccepting, "20500")]
    public async Task A_request_that_may_have_reached_the_provider_is_never_made_again(FakeFault fault, string error)
    {
        await using var notices = StartWithTwilio(timeoutSeconds: 1);
        _twilio.NextFault = () => fault;
        var command = Command();

        await notices.Bus.Publish(command);

        await Eventually.AssertAsync(async () => (await RowAsync(notices, command.RequestId))?.Status == VoiceCallQueue.Unknown, TimeSpan.FromSeconds(15),
            "the call's outcome is recorded as unknown");
        var row = (await RowAsync(notices, command.RequestId))!.Value;
        Assert.Equal((error, "", ""), (row.Error, row.ToNumber, row.Code));
        // A retry would come within a second (the first backoff is half a second); none comes.
        await Task.Delay(2500);
        Assert.Single(_twilio.CallArrivals);
        Assert.Single(_twilio.Calls);
    }

    [Fact]
    public async Task An_erased_number_is_never_called()
    {
        await using var notices = StartWithTwilio();
        var hash = notices.HashOf(Landline);
        await notices.Bus.Publish(new ErasureRequested { RequestId = Guid.NewGuid(), ContactHash = hash, RequestedAt = notices.Clock.Now });
        await Eventually.AssertAsync(() => notices.Index.Find(hash).ErasedAt > 0, TimeSpan.FromSeconds(10), "erasure replicated");
        var command = Command(number: "03-1234-5678");
        var messageId = NewId.NextGuid();

        await notices.Bus.Publish(command, c => c.MessageId = messageId);

        await Eventually.AssertAsync(() => HandledAsync(notices, messageId), TimeSpan.FromSeconds(10), "the command was consumed");
        Assert.Null(await RowAsync(notices, command.RequestId));
        await Task.Delay(500);
        Assert.Empty(_twilio.CallArrivals);
    }

    [Fact]
    public async Task An_erasure_cancels_a_call_still_waiting_for_its_turn()
    {
        // Half a call per second: the first call takes the slot, the second waits two seconds for its own.
        await using var notices = StartWithTwilio(more: new Dictionary<string, string?> { ["Voice:CallsPerSecond"] = "0.5" });
        var first = Command(number: "+81662223333");
        await notices.Bus.Publish(first);
        await Eventually.AssertAsync(() => !_twilio.Calls.IsEmpty, TimeSpan.FromSeconds(15), "the first call is placed");
        var second = Command();
        await notices.Bus.Publish(second);
        await Eventually.AssertAsync(async () => (await RowAsync(notices, second.RequestId))?.Status == VoiceCallQueue.Pending, TimeSpan.FromSeconds(10), "the second call is queued");

        await notices.Bus.Publish(new ErasureRequested { RequestId = Guid.NewGuid(), ContactHash = notices.HashOf(Landline), RequestedAt = notices.Clock.Now });

        await Eventually.AssertAsync(async () => (await RowAsync(notices, second.RequestId))?.Status == VoiceCallQueue.Cancelled, TimeSpan.FromSeconds(10),
            "the queued call is cancelled");
        await Task.Delay(2500);
        Assert.DoesNotContain(_twilio.Calls, c => c.To == Landline);
        Assert.Equal(("", ""), ((await RowAsync(notices, second.RequestId))!.Value.ToNumber, (await RowAsync(notices, second.RequestId))!.Value.Code));
    }

    [Theory]
    [InlineData("not a number", Code)]
    [InlineData("03-1234", Code)]
    [InlineData(Landline, "12ab56")]
    [InlineData(Landline, "12")]
    public async Task A_number_that_does_not_parse_or_a_code_that_is_not_digits_places_no_call(string number, string code)
    {
        await using var notices = StartWithTwilio();
        var command = Command(number: number, code: code);
        var messageId = NewId.NextGuid();

        await notices.Bus.Publish(command, c => c.MessageId = messageId);

        await Eventually.AssertAsync(() => HandledAsync(notices, messageId), TimeSpan.FromSeconds(10), "the command was consumed");
        Assert.Null(await RowAsync(notices, command.RequestId));
        Assert.Empty(_twilio.CallArrivals);
    }

    [Fact]
    public async Task The_dev_provider_lists_the_words_read_out_on_the_dev_call_log_with_the_number_masked()
    {
        await using var notices = new NoticesFactory();
        var (org, _) = await notices.CreateOrganizationAsync();
        // The company verifying its own landline: its code is the company's to see.
        var command = Command() with { OrganizationId = org, Purpose = "directory_verification" };

        await notices.Bus.Publish(command);

        using var browser = await BrowserSession.SignInAsync(notices, org);
        string page = "";
        await Eventually.AssertAsync(async () => (page = await (await browser.GetAsync(DevCallLog.PagePath)).TextAsync()).Contains(JapaneseDigits),
            TimeSpan.FromSeconds(10), "the call is listed on the dev call log");
        Assert.Contains(PhoneNumbers.Parse(Landline).Number.FormatMasked(), page);
        Assert.DoesNotContain("03-1234-5678", page);
        Assert.DoesNotContain("0312345678", page);
        Assert.DoesNotContain(Landline, page);
        Assert.Equal(2, Occurrences(page, JapaneseDigits));
        await Eventually.AssertAsync(async () => (await RowAsync(notices, command.RequestId))?.Status == VoiceCallQueue.Placed, TimeSpan.FromSeconds(10), "the call is placed");
        Assert.Equal(("", ""), ((await RowAsync(notices, command.RequestId))!.Value.ToNumber, (await RowAsync(notices, command.RequestId))!.Value.Code));
        // The log is an organization page: without a session it is not shown.
        using var anonymous = notices.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        Assert.DoesNotContain(JapaneseDigits, await (await anonymous.GetAsync(DevCallLog.PagePath)).TextAsync());
    }

    [Fact]
    public async Task The_command_as_directory_writes_it_for_a_landline_opt_out_is_read_out_in_japanese()
    {
        await using var notices = new NoticesFactory();
        var (org, _) = await notices.CreateOrganizationAsync();
        var landline = PhoneNumbers.Parse("06-6222-3333").Number;
        Assert.False(landline.CanReceiveSms);
        // As Directory's OneTimeCodes.IssueAsync writes it: challenge id, E.164, six digits, no language (Japanese by default).
        var command = new PlaceVerificationCall { RequestId = Guid.NewGuid(), PhoneNumber = landline.E164, Code = "048210", Purpose = "directory_opt_out", OrganizationId = org };

        await notices.Bus.Publish(command);

        await Eventually.AssertAsync(async () => (await RowAsync(notices, command.RequestId))?.Status == VoiceCallQueue.Placed, TimeSpan.FromSeconds(10), "the call is placed");
        // The person's code: not the organization's whose entry they opted out from.
        Assert.Empty(await DevCallLog.ListAsync(notices.Services.GetRequiredService<NoticesDatabase>(), org, default));
        var call = Assert.Single(await DevCallLog.ListAsync(notices.Services.GetRequiredService<NoticesDatabase>(), null, default));
        Assert.Equal((command.RequestId.ToString(), "ja", landline.FormatMasked()), (call.RequestId, call.Language, call.MaskedTo));
        Assert.Equal(2, Occurrences(call.SpokenText, "0、 4、 8、 2、 1、 0"));
    }

    [Fact]
    public void The_voice_caller_id_falls_back_to_an_E164_sms_sender_and_is_otherwise_required_at_start_up()
    {
        static NoticesOptions Read(Dictionary<string, string?> values) => NoticesOptions.Read(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        Dictionary<string, string?> Twilio(params (string Key, string Value)[] more)
        {
            var values = new Dictionary<string, string?>
            {
                ["Sms:Provider"] = "Twilio", ["Sms:Twilio:AccountSid"] = FakeTwilio.AccountSid, ["Sms:Twilio:AuthToken"] = FakeTwilio.AuthToken,
                ["Notices:PublicBaseUrl"] = "https://notices.example.com",
            };
            foreach (var (key, value) in more) values[key] = value;
            return values;
        }

        var fallback = Read(Twilio(("Sms:Twilio:From", "+15005550006")));
        Assert.Empty(fallback.Errors);
        Assert.Equal("+15005550006", fallback.VoiceFrom);
        Assert.Equal(1, fallback.VoiceCallsPerSecond);
        var own = Read(Twilio(("Sms:Twilio:From", "ACME"), ("Voice:Twilio:From", "+81312340000"), ("Voice:CallsPerSecond", "5")));
        Assert.Empty(own.Errors);
        Assert.Equal(("+81312340000", 5.0), (own.VoiceFrom, own.VoiceCallsPerSecond));
        Assert.Contains(Read(Twilio(("Sms:Twilio:From", "ACME"))).Errors, e => e.StartsWith("Voice:Twilio:From is missing"));
        Assert.Contains(Read(Twilio(("Sms:Twilio:MessagingServiceSid", "MG0000"))).Errors, e => e.StartsWith("Voice:Twilio:From is missing"));
        Assert.Contains(Read(Twilio(("Sms:Twilio:From", "+15005550006"), ("Voice:Twilio:From", "ACME"))).Errors, e => e.StartsWith("Voice:Twilio:From: 'ACME'"));
        Assert.Contains(Read(new() { ["Voice:CallsPerSecond"] = "0" }).Errors, e => e.StartsWith("Voice:CallsPerSecond"));
        // The embedded default needs no caller id.
        Assert.Empty(Read(new()).Errors);
    }

    [Fact]
    public void The_twiml_escapes_what_it_reads_out()
    {
        var twiml = VoiceScript.Twiml("1<&\"2", "ja");

        var parsed = XElement.Parse(twiml);
        Assert.Equal(2, Occurrences(string.Concat(parsed.Elements("Say").Select(s => s.Value)), "1、 <、 &、 \"、 2"));
        Assert.Contains("1、 &lt;、 &amp;、 &quot;、 2", twiml);
    }

    /// <summary>Counts the bus's finished deliveries of PlaceVerificationCall, so a test knows a redelivery has been dealt with.</summary>
    private sealed class ConsumedCount : IConsumeMessageObserver<PlaceVerificationCall>
    {
        private int _count;
        public int Count => _count;
        public Task PreConsume(ConsumeContext<PlaceVerificationCall> context) => Task.CompletedTask;

        public Task PostConsume(ConsumeContext<PlaceVerificationCall> context)
        {
            Interlocked.Increment(ref _count);
            return Task.CompletedTask;
        }

        public Task ConsumeFault(ConsumeContext<PlaceVerificationCall> context, Exception exception) => Task.CompletedTask;
    }
}

/// <summary>Every log line the service writes, formatted with its scope-free state, for checking what logs may not carry.</summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => _lines.ToList();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            capture._lines.Enqueue($"{category} {formatter(state, exception)} {values} {exception}");
        }
    }
}
