using ConsentPlatform.ServiceDefaults.Web;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;

namespace ConsentPlatform.ServiceDefaults.Tests.Web;

public sealed class FormTokensTests
{
    private static readonly IDataProtectionProvider KeyRing = new EphemeralDataProtectionProvider();

    private static HttpRequest Post(params (string Name, string Value)[] headers)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = HttpMethods.Post;
        context.Request.Scheme = "https";
        context.Request.Host = new HostString("consent.example.com");
        foreach (var (name, value) in headers) context.Request.Headers[name] = value;
        return context.Request;
    }

    [Fact]
    public void Token_is_accepted_for_its_own_form_and_refused_for_another()
    {
        var tokens = new FormTokens(KeyRing, TimeProvider.System);
        var token = tokens.Issue("consent-form", "ev_1");

        Assert.Null(tokens.Check(Post(), "consent-form", "ev_1", token));
        Assert.Contains("another form", tokens.Check(Post(), "consent-form", "ev_2", token));
        Assert.Contains("another form", tokens.Check(Post(), "response-form", "ev_1", token));
    }

    [Fact]
    public void Every_visitor_within_the_hour_gets_the_same_token_and_the_next_hour_a_new_one_that_both_pass()
    {
        var clock = new Clock(DateTimeOffset.UtcNow);
        var tokens = new FormTokens(KeyRing, clock);
        var first = tokens.Issue("response-form", "abc");
        Assert.Equal(first, tokens.Issue("response-form", "abc"));

        clock.Advance(TimeSpan.FromHours(1));
        var second = tokens.Issue("response-form", "abc");

        Assert.NotEqual(first, second);
        Assert.Null(tokens.Check(Post(), "response-form", "abc", first));
        Assert.Null(tokens.Check(Post(), "response-form", "abc", second));
    }

    [Fact]
    public void Token_older_than_its_lifetime_is_refused()
    {
        // Issued as if eight days ago: its expiry (issue time + seven days) has passed on the real clock.
        var tokens = new FormTokens(KeyRing, new Clock(DateTimeOffset.UtcNow - FormTokens.Lifetime - TimeSpan.FromDays(1)));
        var token = tokens.Issue("response-form", "abc");

        Assert.Contains("expired", tokens.Check(Post(), "response-form", "abc", token));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not-a-token")]
    [InlineData("CfDJ8AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void Missing_or_garbled_token_is_refused(string? token)
    {
        var tokens = new FormTokens(KeyRing, TimeProvider.System);
        Assert.NotNull(tokens.Check(Post(), "response-form", "abc", token));
    }

    [Theory]
    [InlineData("Sec-Fetch-Site", "same-origin", true)]
    [InlineData("Sec-Fetch-Site", "none", true)]
    [InlineData("Sec-Fetch-Site", "same-site", false)]
    [InlineData("Sec-Fetch-Site", "cross-site", false)]
    [InlineData("Origin", "https://consent.example.com", true)]
    [InlineData("Origin", "https://CONSENT.example.com", true)]
    [InlineData("Origin", "http://consent.example.com", false)]
    [InlineData("Origin", "https://consent.example.com:8443", false)]
    [InlineData("Origin", "https://events.example.com", false)]
    [InlineData("Origin", "null", false)]
    public void Post_must_come_from_our_own_origin_when_the_browser_says_where_it_came_from(string header, string value, bool accepted)
    {
        Assert.Equal(accepted, FormTokens.IsSameOrigin(Post((header, value))));
    }

    [Fact]
    public void Post_without_fetch_metadata_or_origin_is_not_from_a_browser_and_rests_on_the_token()
    {
        Assert.True(FormTokens.IsSameOrigin(Post()));
    }

    [Fact]
    public void Fetch_metadata_wins_over_origin()
    {
        Assert.False(FormTokens.IsSameOrigin(Post(("Sec-Fetch-Site", "cross-site"), ("Origin", "https://consent.example.com"))));
    }

    private sealed class Clock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
        public void Advance(TimeSpan by) => now += by;
    }
}
