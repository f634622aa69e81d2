using System.Diagnostics;
using ConsentPlatform.Testing;

namespace ConsentPlatform.Host.Tests;

/// <summary>Bad configuration stops a real process within seconds with one line naming the setting.</summary>
public sealed class StartupFailureTests
{
    private static readonly string ValidKey = Convert.ToBase64String(new byte[32]);
    private const string Twilio = "Sms__Provider=Twilio;Sms__Twilio__AccountSid=AC00000000000000000000000000000000;Sms__Twilio__AuthToken=token;Sms__Twilio__From=+15005550006";

    /// <summary>Project, settings, the key the message must name. At least one bad value per settings section of every service.</summary>
    public static TheoryData<string, string, string> Cases => new()
    {
        { "ConsentPlatform.Host", "Database__Provider=Oracle", "Database:Provider" },
        { "ConsentPlatform.Host", "Bus__Transport=Kafka", "Bus:Transport" },
        { "ConsentPlatform.Host", "Database__DataFolder=/proc/consentplatform", "Database:DataFolder" },
        { "ConsentPlatform.Host", "Outbox__BatchSize=0", "Outbox:BatchSize" },
        { "ConsentPlatform.Host", "Identity__CacheSeconds=-1", "Identity:CacheSeconds" },
        { "ConsentPlatform.Host", "RateLimiting__PublicRequestsPerMinute=lots", "RateLimiting:PublicRequestsPerMinute" },
        { "ConsentPlatform.Host", "Responses__Crm__BatchSize=-5", "Responses:Crm:BatchSize" },
        { "ConsentPlatform.Directory", "Hashing__Key=", "Hashing:Key" },
        { "ConsentPlatform.Directory", "Directory__RefreshSeconds=0", "Directory:RefreshSeconds" },
        { "ConsentPlatform.Directory", "Telemetry__OtlpEndpoint=collector:4317", "Telemetry:OtlpEndpoint" },
        { "ConsentPlatform.Notices", "Database__Provider=SqlServer", "ConnectionStrings:Notices" },
        { "ConsentPlatform.Notices", "Notices__QuietHours__AllowedFrom=8am", "Notices:QuietHours:AllowedFrom" },
        { "ConsentPlatform.Notices", "Sms__RatePerSecond=fast", "Sms:RatePerSecond" },
        { "ConsentPlatform.Notices", "Voice__CallsPerSecond=0", "Voice:CallsPerSecond" },
        { "ConsentPlatform.Responses", "MASSTRANSIT_USAGE_TELEMETRY=true", "MASSTRANSIT_USAGE_TELEMETRY" },
        { "ConsentPlatform.Responses", "Responses__LinkCacheSize=abc", "Responses:LinkCacheSize" },
        { "ConsentPlatform.Consent", "Consent__ImportMaxRows=abc", "Consent:ImportMaxRows" },
        { "ConsentPlatform.Consent", "Bus__Transport=RabbitMq;Bus__RabbitMq__Port={free};Bus__StartTimeoutSeconds=3", "Bus:RabbitMq:Host" },
        // Short links texted to real phones must not point at plain http or this machine.
        { "ConsentPlatform.Host", Twilio + ";Notices__PublicBaseUrl=http://links.example.com", "Notices:PublicBaseUrl" },
        { "ConsentPlatform.Host", Twilio + ";Notices__PublicBaseUrl=https://127.0.0.1:8443", "Notices:PublicBaseUrl" },
        { "ConsentPlatform.Notices", Twilio + ";Notices__PublicBaseUrl=https://notices.example.com;Notices__ShortLinkBaseUrl=https://localhost/r/", "Notices:ShortLinkBaseUrl" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_configuration_stops_start_up_with_one_clear_message_naming_the_key(string project, string settings, string key)
    {
        using var folder = new TempDirectory();
        var startInfo = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = folder.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, project + ".dll"));
        startInfo.ArgumentList.Add("--urls");
        startInfo.ArgumentList.Add($"http://127.0.0.1:{FreePort.Next()}");
        startInfo.Environment["Database__DataFolder"] = folder.Combine("data");
        startInfo.Environment["Hashing__Key"] = ValidKey;
        startInfo.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var setting in settings.Replace("{free}", FreePort.Next().ToString()).Split(';'))
        {
            var (name, value) = (setting[..setting.IndexOf('=')], setting[(setting.IndexOf('=') + 1)..]);
            startInfo.Environment[name] = value;
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(startInfo)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try { await process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException) { process.Kill(entireProcessTree: true); Assert.Fail($"{project} kept running with {settings}; output: {await stdout}"); }

        var error = (await stderr).Trim();
        // Generous for a loaded CI machine, still far below anything that looks like a hang.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}");
        Assert.Equal(2, process.ExitCode);
        Assert.StartsWith("ConsentPlatform could not start:", error);
        Assert.Contains(key, error);
        Assert.DoesNotContain("   at ", error); // a sentence, not a stack trace
        Assert.DoesNotContain('\n', error);    // and nothing after it
        // Settings are checked before anything is written: a bad value leaves no database behind.
        // (The broker is the one thing that can only be found missing after migration.)
        if (key != "Bus:RabbitMq:Host")
            Assert.Empty(System.IO.Directory.Exists(folder.Combine("data")) ? System.IO.Directory.GetFiles(folder.Combine("data"), "*.db*") : []);
    }
}
