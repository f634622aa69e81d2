using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ConsentPlatform.Consent.Scrub;
using ConsentPlatform.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Mvc.Testing;
using static ConsentPlatform.Consent.Tests.FormHelpers;

namespace ConsentPlatform.Consent.Tests;

public sealed class ScrubTests(ConsentFactory factory) : IClassFixture<ConsentFactory>
{
    private static string Noon => new DateTimeOffset(DateTime.SpecifyKind(DateTime.UtcNow.Date.AddDays(1).AddHours(12), DateTimeKind.Unspecified), TimeSpan.FromHours(9)).ToString("O");

    private static StringContent Csv(string text) => new(text, Encoding.UTF8, "text/csv");

    [Fact]
    public async Task Scrub_answers_every_row_with_the_same_rules_as_the_check()
    {
        var (org, client) = await factory.CreateOrganizationAsync();
        var formId = (await client.CreateEventAsync()).GetProperty("id").GetString()!;
        using var browser = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await browser.SubmitFormAsync(formId, [Field("channels", "call"), Field("phone", "090-9999-0001")]);
        await browser.SubmitFormAsync(formId, [Field("channels", "call"), Field("phone", "090-9999-0002")]);
        await factory.PublishAsync(Api.OptOut(factory.HashOf("090-9999-0002"), org, "call_refused", "seminar", "call"));
        await Eventually.AssertAsync(async () => (await client.CheckAsync(new { phoneNumber = "090-9999-0002", channel = "call", purpose = "seminar", at = Noon })).Reasons().Contains("refused_on_call"),
            TimeSpan.FromSeconds(10), "the refusal is applied");

        var response = await client.PostAsync($"/api/consent/scrubs?channel=call&purpose=seminar&at={Uri.EscapeDataString(Noon)}",
            Csv("name,phone\n\"Sato, Taro\",090-9999-0001\nSuzuki,+81 90 9999 0002\nTanaka,0120-444-444\nNobody,12\n"));

        var job = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.Created, job.ToString());
        Assert.Equal(("done", 4, 1, 3), (job.GetProperty("status").GetString(), job.GetProperty("rowsChecked").GetInt32(), job.GetProperty("allowed").GetInt32(), job.GetProperty("denied").GetInt32()));
        var result = await client.GetStringAsync(response.Headers.Location + "/result");
        Assert.Equal(
            "name,phone,decision,reasons\n\"Sato, Taro\",090-9999-0001,allow,\nSuzuki,+81 90 9999 0002,deny,refused_on_call no_consent\nTanaka,0120-444-444,deny,no_consent\nNobody,12,deny,invalid_number\n",
            result.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Progress_is_visible_on_the_status_endpoint_while_the_list_is_still_streaming_in()
    {
        var (org, client) = await factory.CreateOrganizationAsync();
        var jobs = factory.Services.GetRequiredService<ScrubJobs>();
        var engine = factory.Services.GetRequiredService<ScrubEngine>();
        // The upload side of POST /scrubs, driven directly: through the in-memory test server the
        // endpoint did not start before the whole body had been sent, so it cannot show a half-received upload.
        var (id, progress) = await jobs.StartAsync(org, "sms", "seminar", null, CancellationToken.None);
        var pipe = new Pipe();
        var output = new StringWriter();
        var run = engine.RunAsync(new StreamReader(pipe.Reader.AsStream()), output, org, "sms", "seminar", DateTimeOffset.UtcNow, progress, CancellationToken.None);

        await pipe.Writer.WriteAsync(Encoding.UTF8.GetBytes("phone\n" + Rows(0)));
        await Eventually.AssertAsync(async () =>
                (await client.GetFromJsonAsync<JsonElement>($"/api/consent/scrubs/{id}")) is var job
                && job.GetProperty("status").GetString() == "running" && job.GetProperty("rowsChecked").GetInt32() >= 499,
            TimeSpan.FromSeconds(10), "the status shows the first half checked while the rest has not arrived");
        Assert.False(run.IsCompleted);

        await pipe.Writer.WriteAsync(Encoding.UTF8.GetBytes(Rows(500)));
        await pipe.Writer.CompleteAsync();
        await run;
        await jobs.CompleteAsync(id, progress, "sha256:test", CancellationToken.None);
        var done = await client.GetFromJsonAsync<JsonElement>($"/api/consent/scrubs/{id}");
        Assert.Equal(("done", 1000), (done.GetProperty("status").GetString(), done.GetProperty("rowsChecked").GetInt32()));
    }

    private static string Rows(int from) => string.Concat(Enumerable.Range(from, 500).Select(i => $"090-1000-{i:0000}\n"));

    [Theory]
    [InlineData("name,phone\n\"Sato,090-1234-5678\nSuzuki,090-1234-5679\n", "Row")]
    [InlineData("name,phone\nSa\"to,090-1234-5678\n", "Row 2")]
    [InlineData("name,email\nSato,a@example.jp\n", "no phone column")]
    [InlineData("", "empty")]
    public async Task Unreadable_call_list_is_refused_naming_the_file_and_leaves_nothing_behind(string csv, string message)
    {
        var (org, client) = await factory.CreateOrganizationAsync();
        var response = await client.PostAsync("/api/consent/scrubs?channel=call&purpose=seminar", Csv(csv));

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, body);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(message, JsonDocument.Parse(body).RootElement.GetProperty("errors").GetProperty("file")[0].GetString());
        Assert.Equal(0, await factory.QueryScalarAsync<int>("SELECT COUNT(*) FROM scrub_jobs WHERE organization_id = @org", new { org }));
    }

    [Theory]
    [InlineData("channel=fax&purpose=seminar", "channel")]
    [InlineData("channel=call", "purpose")]
    public async Task Scrub_with_bad_parameters_is_refused_naming_them(string query, string field)
    {
        var (_, client) = await factory.CreateOrganizationAsync();
        var response = await client.PostAsync($"/api/consent/scrubs?{query}", Csv("phone\n090-1234-5678\n"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task Scrub_of_something_that_is_not_csv_is_415()
    {
        var (_, client) = await factory.CreateOrganizationAsync();
        var response = await client.PostAsJsonAsync("/api/consent/scrubs?channel=call&purpose=seminar", new { phone = "090-1234-5678" });
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }
}
