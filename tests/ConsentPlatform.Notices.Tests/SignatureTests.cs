using System.Net;
using ConsentPlatform.Notices.Webhooks;
using ConsentPlatform.Testing;

namespace ConsentPlatform.Notices.Tests;

/// <summary>Acceptance 2: Twilio's published example, and 403 for anything that does not match.</summary>
public sealed class SignatureTests
{
    private const string Token = "12345";
    private const string Url = "https://mycompany.com/myapp.php?foo=1&bar=2";
    private const string Expected = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";

    private static Dictionary<string, string> Parameters() => new()
    {
        ["CallSid"] = "CA1234567890ABCDE", ["Caller"] = "+14158675309", ["Digits"] = "1234", ["From"] = "+14158675309", ["To"] = "+18005551212",
    };

    [Fact]
    public void Twilios_published_example_validates()
    {
        Assert.Equal(Expected, TwilioSignature.Compute(Token, Url, Parameters()));
        Assert.True(TwilioSignature.IsValid(Token, Url, Parameters(), Expected));
    }

    [Fact]
    public void A_changed_url_fails() => Assert.False(TwilioSignature.IsValid(Token, Url.Replace("bar=2", "bar=3"), Parameters(), Expected));

    [Fact]
    public void A_changed_token_fails() => Assert.False(TwilioSignature.IsValid("12346", Url, Parameters(), Expected));

    [Theory]
    [InlineData("CallSid")]
    [InlineData("Caller")]
    [InlineData("Digits")]
    [InlineData("From")]
    [InlineData("To")]
    public void Any_changed_parameter_fails(string name)
    {
        var changed = Parameters();
        changed[name] += "0";
        Assert.False(TwilioSignature.IsValid(Token, Url, changed, Expected));
        var removed = Parameters();
        removed.Remove(name);
        Assert.False(TwilioSignature.IsValid(Token, Url, removed, Expected));
    }

    [Theory]
    [InlineData("/notices/webhooks/twilio/status?m=0123456789abcdef0123456789abcdef")]
    [InlineData("/notices/webhooks/twilio/inbound")]
    public async Task Webhooks_answer_403_to_a_wrong_or_missing_signature_and_200_to_a_right_one(string path)
    {
        await using var factory = new NoticesFactory(new Dictionary<string, string?>
        {
            ["Sms:Provider"] = "Twilio", ["Sms:Twilio:AccountSid"] = FakeTwilio.AccountSid, ["Sms:Twilio:AuthToken"] = FakeTwilio.AuthToken,
            ["Sms:Twilio:From"] = "+15005550006", ["Sms:Twilio:BaseUrl"] = "http://127.0.0.1:9", ["Notices:PublicBaseUrl"] = "https://notices.example.com",
        });
        using var client = factory.CreateClient();
        var form = new Dictionary<string, string> { ["MessageSid"] = "SM1", ["MessageStatus"] = "delivered", ["From"] = "+819012345678", ["Body"] = "HELP" };
        var signed = TwilioSignature.Compute(FakeTwilio.AuthToken, "https://notices.example.com" + path, form);

        async Task<HttpStatusCode> PostAsync(string? signature, Dictionary<string, string> body)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(body) };
            if (signature is not null) request.Headers.Add("X-Twilio-Signature", signature);
            return (await client.SendAsync(request)).StatusCode;
        }

        Assert.Equal(HttpStatusCode.Forbidden, await PostAsync(null, form));
        Assert.Equal(HttpStatusCode.Forbidden, await PostAsync(Expected, form));
        Assert.Equal(HttpStatusCode.Forbidden, await PostAsync(signed, new Dictionary<string, string>(form) { ["Body"] = "STOP" }));
        Assert.Equal(HttpStatusCode.OK, await PostAsync(signed, form));
    }
}
