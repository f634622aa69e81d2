using ConsentPlatform.Telephony;

namespace ConsentPlatform.Telephony.Tests;

public class ContactWindowTests
{
    private static PhoneNumber P(string e164) => PhoneNumbers.Parse(e164).Number;

    private static DateTimeOffset Utc(int month, int day, int hour, int minute = 0) => new(2025, month, day, hour, minute, 0, TimeSpan.Zero);

    [Fact]
    public void Japanese_number_is_in_tokyo_time()
    {
        var zones = ContactWindow.TimeZonesFor(P("+819012345678"));

        Assert.Equal(["Asia/Tokyo"], zones.Select(z => z.Id));
        Assert.Equal(new DateTimeOffset(2025, 1, 15, 9, 0, 0, TimeSpan.FromHours(9)), ContactWindow.LocalTimes(P("+819012345678"), Utc(1, 15, 0))[0]);
    }

    [Theory]
    [InlineData(22, 59, false)] // 07:59 JST
    [InlineData(23, 0, true)]   // 08:00 JST
    [InlineData(11, 59, true)]  // 20:59 JST
    [InlineData(12, 0, false)]  // 21:00 JST, end is exclusive
    public void Default_window_is_eight_to_nine_local_time(int utcHour, int utcMinute, bool allowed)
    {
        Assert.Equal(allowed, ContactWindow.IsContactAllowed(P("+819012345678"), Utc(1, 15, utcHour, utcMinute)));
    }

    [Theory]
    [InlineData("+12125550123", "America/New_York")]
    [InlineData("+14155552671", "America/Los_Angeles")]
    [InlineData("+13125550123", "America/Chicago")]
    [InlineData("+13035550123", "America/Denver")]
    [InlineData("+16025550123", "America/Phoenix")]
    [InlineData("+19075550100", "America/Anchorage")]
    [InlineData("+18085550199", "Pacific/Honolulu")]
    [InlineData("+14165550123", "America/Toronto")]
    [InlineData("+16045550199", "America/Vancouver")]
    public void Nanp_area_code_gives_its_main_zone(string e164, string zone)
    {
        Assert.Equal([zone], ContactWindow.TimeZonesFor(P(e164)).Select(z => z.Id));
    }

    [Fact]
    public void Area_code_split_by_a_zone_line_is_allowed_only_when_both_sides_are()
    {
        var panhandle = P("+18505550123");
        Assert.Equal(2, ContactWindow.TimeZonesFor(panhandle).Length);

        // 08:30 in Tallahassee is 07:30 in Pensacola.
        Assert.False(ContactWindow.IsContactAllowed(panhandle, Utc(1, 15, 13, 30)));
        Assert.True(ContactWindow.IsContactAllowed(panhandle, Utc(1, 15, 14, 30)));
    }

    [Fact]
    public void Non_geographic_us_number_must_be_inside_the_window_everywhere_in_the_country()
    {
        var tollFree = P("+18005550199");
        Assert.True(ContactWindow.TimeZonesFor(tollFree).Length >= 7);

        // 12:00 New York is 07:00 Honolulu; 17:00 New York (winter) is 12:00 Honolulu and 14:00 Los Angeles.
        Assert.False(ContactWindow.IsContactAllowed(tollFree, Utc(1, 15, 17)));
        Assert.True(ContactWindow.IsContactAllowed(tollFree, Utc(1, 15, 22)));
    }

    [Fact]
    public void Country_spanning_zones_is_allowed_only_when_allowed_in_every_zone()
    {
        var russia = P("+79123456789");

        // 10:00 in Moscow is 17:00 in Vladivostok and 19:00 in Kamchatka: allowed everywhere.
        Assert.True(ContactWindow.IsContactAllowed(russia, Utc(1, 15, 7)));
        // 12:00 in Moscow is 21:00 in Kamchatka: not allowed there, so not allowed.
        Assert.False(ContactWindow.IsContactAllowed(russia, Utc(1, 15, 9)));
    }

    [Fact]
    public void Australian_landline_uses_its_state_and_mobile_uses_the_whole_country()
    {
        Assert.Equal(["Australia/Sydney"], ContactWindow.TimeZonesFor(P("+61293744000")).Select(z => z.Id));
        Assert.Contains(ContactWindow.TimeZonesFor(P("+61412345678")), z => z.Id == "Australia/Perth");
    }

    [Fact]
    public void China_uses_its_single_official_zone()
    {
        Assert.Equal(["Asia/Shanghai"], ContactWindow.TimeZonesFor(P("+8613800138000")).Select(z => z.Id));
    }

    [Fact]
    public void Number_without_a_known_zone_is_never_allowed()
    {
        var global = P("+80012345678");

        Assert.Empty(ContactWindow.TimeZonesFor(global));
        Assert.False(ContactWindow.IsContactAllowed(global, Utc(1, 15, 3)));
        Assert.False(ContactWindow.IsContactAllowed(default, Utc(1, 15, 3)));
    }

    [Fact]
    public void Window_may_run_over_midnight_and_an_empty_window_allows_nothing()
    {
        var tokyo = P("+81312345678");
        var start = new TimeOnly(22, 0);
        var end = new TimeOnly(6, 0);

        Assert.True(ContactWindow.IsContactAllowed(tokyo, Utc(1, 15, 14), start, end));  // 23:00 JST
        Assert.True(ContactWindow.IsContactAllowed(tokyo, Utc(1, 15, 18), start, end));  // 03:00 JST
        Assert.False(ContactWindow.IsContactAllowed(tokyo, Utc(1, 15, 3), start, end));  // 12:00 JST
        Assert.False(ContactWindow.IsContactAllowed(tokyo, Utc(1, 15, 3), start, start));
    }

    [Fact]
    public void Daylight_saving_time_is_applied()
    {
        var newYork = P("+12125550123");

        // 12:30 UTC is 07:30 EST in January but 08:30 EDT in July.
        Assert.False(ContactWindow.IsContactAllowed(newYork, Utc(1, 15, 12, 30)));
        Assert.True(ContactWindow.IsContactAllowed(newYork, Utc(7, 15, 12, 30)));
    }
}
