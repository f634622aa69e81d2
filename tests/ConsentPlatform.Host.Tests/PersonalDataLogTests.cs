using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace ConsentPlatform.Host.Tests;

/// <summary>Logs carry ids, never numbers or emails (issue 12, finding 10).</summary>
public sealed partial class PersonalDataLogTests : IAsyncLifetime
{
    private const string Number = "090-3141-5926";
    private const string Email = "Hanako.LogCheck@Example.JP";
    // Every form the number may take in a log line: as typed, national, E.164 (raw and URL-encoded) all contain these digits.
    private static readonly string[] Traces = ["31415926", "3141-5926", "hanako.logcheck", "logcheck%40", "LogCheck@"];

    private readonly HostFactory _host = new();
    private readonly CapturedLog _log = new();
    private WebApplicationFactory<HostAssembly> _app = null!;

    public Task InitializeAsync()
    {
        _app = _host.WithWebHostBuilder(b => b.ConfigureLogging(logging => logging.AddProvider(_log)));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task The_public_flows_and_the_contact_apis_log_neither_the_number_nor_the_email_they_were_given()
    {
        var (_, key) = await CreateOrganizationAsync();
        using var anonymous = _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var api = _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        api.DefaultRequestHeaders.Authorization = new("Bearer", key);

        var sent = new List<HttpResponseMessage>
        {
            await anonymous.GetAsync($"/api/public/directory/lookup?number={Uri.EscapeDataString(Number)}"),
            await anonymous.GetAsync("/api/public/directory/lookup?number=%2B81" + Number[1..].Replace("-", "")),
            await anonymous.GetAsync($"/lookup?number={Uri.EscapeDataString(Number)}"),
            await anonymous.PostAsJsonAsync("/api/public/directory/opt-out", new { callerNumber = "03-1234-5678", phoneNumber = Number }),
            await anonymous.PostAsJsonAsync("/api/public/consent/requests", new { kind = "stop_use", phoneNumber = Number }),
            await anonymous.PostAsJsonAsync("/api/public/consent/requests", new { kind = "erasure", email = Email }),
            await api.GetAsync($"/api/consent/contacts?phoneNumber={Uri.EscapeDataString(Number)}"),
            await api.GetAsync($"/api/consent/contacts?email={Uri.EscapeDataString(Email)}"),
            await api.PostAsJsonAsync("/api/consent/checks", new { phoneNumber = Number, channel = "sms", purpose = "marketing" }),
            await api.GetAsync($"/api/consent/contacts?phoneNumber={Uri.EscapeDataString(Number)}&email=not-an-email"),
        };
        var optOutPage = await (await anonymous.GetAsync("/r/no-such-code")).Content.ReadAsStringAsync();
        sent.Add(await anonymous.PostAsync("/r/opt-out", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__formToken"] = System.Net.WebUtility.HtmlDecode(FormToken().Match(optOutPage).Groups[1].Value), ["phoneNumber"] = Number, ["lang"] = "en",
        })));
        // Let the messages these started (codes to send, opt-outs) be handled, and logged, too.
        await Testing.Eventually.AssertAsync(() => _log.Lines.Any(l => l.Contains("Data-subject request")), TimeSpan.FromSeconds(10), "the requests to be handled");
        await Task.Delay(TimeSpan.FromSeconds(2));

        Assert.All(sent, r => Assert.True((int)r.StatusCode < 500, $"{r.RequestMessage!.RequestUri} answered {(int)r.StatusCode}"));
        Assert.Contains(_log.Lines, l => l.Contains("/api/public/directory/lookup"));
        var leaks = _log.Lines.Where(l => Traces.Any(t => l.Contains(t, StringComparison.OrdinalIgnoreCase))).ToList();
        Assert.True(leaks.Count == 0, $"{leaks.Count} of {_log.Lines.Count} log lines carry the number or the email:\n" + string.Join("\n", leaks.Take(10)));
    }

    private async Task<(string, string)> CreateOrganizationAsync()
    {
        var identity = (ServiceDefaults.Identity.IdentityStore)_app.Services.GetService(typeof(ServiceDefaults.Identity.IdentityStore))!;
        var org = await identity.CreateOrganizationAsync("Log K.K.");
        var key = await identity.CreateKeyAsync(org.Id, ServiceDefaults.Identity.Scopes.All.ToArray(), "test");
        return (org.Id, key.Key);
    }

    [GeneratedRegex("name=\"__formToken\" value=\"([^\"]+)\"")]
    private static partial Regex FormToken();

    /// <summary>Every log line at the levels the host writes by default, with its category.</summary>
    private sealed class CapturedLog : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public IReadOnlyCollection<string> Lines => _lines.ToArray();

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

        public void Dispose() { }

        private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
        }
    }
}
