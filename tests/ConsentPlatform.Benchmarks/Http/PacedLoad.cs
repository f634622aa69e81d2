using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace ConsentPlatform.Benchmarks.Http;

/// <summary>
/// Open-loop HTTP load at a fixed rate (Debian's wrk has no fixed-rate mode). Each request has a
/// scheduled start time; latency is measured from that time, not from when a connection became
/// free, so a stalled server shows up in the percentiles instead of quietly lowering the rate
/// (no coordinated omission).
///
///   dotnet run -c Release --project tests/ConsentPlatform.Benchmarks -- http-load
///       --url http://127.0.0.1:5104/api/public/directory/lookup?number=0312345678
///       [--rate 5000] [--seconds 30] [--warmup 5] [--connections 64] [--header "Name: value"] [--method GET|HEAD]
///       [--urls-file FILE  (one URL per line, used round-robin)]
///       [--bodies-file FILE (one request body per line, used round-robin; POST unless --method says otherwise)]
///       [--content-type application/json]
/// </summary>
public static class PacedLoad
{
    public static async Task<int> RunAsync(string[] args)
    {
        var urls = new List<string>();
        var headers = new List<(string, string)>();
        double rate = 5000;
        int seconds = 30, warmup = 5, connections = 64;
        var method = HttpMethod.Get;
        var bodies = new List<byte[]>();
        var contentType = "application/json";
        string? methodOption = null;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--url": urls.Add(Next()); break;
                case "--urls-file": urls.AddRange(File.ReadAllLines(Next()).Where(l => l.Length > 0)); break;
                case "--rate": rate = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--seconds": seconds = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--warmup": warmup = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--connections": connections = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--method": methodOption = Next().ToUpperInvariant(); break;
                case "--bodies-file": bodies.AddRange(File.ReadAllLines(Next()).Where(l => l.Length > 0).Select(System.Text.Encoding.UTF8.GetBytes)); break;
                case "--content-type": contentType = Next(); break;
                case "--header":
                    var header = Next();
                    headers.Add((header[..header.IndexOf(':')].Trim(), header[(header.IndexOf(':') + 1)..].Trim()));
                    break;
                default:
                    await Console.Error.WriteLineAsync($"unknown option {args[i]}; see Http/PacedLoad.cs");
                    return 2;
            }
        }
        method = new HttpMethod(methodOption ?? (bodies.Count > 0 ? "POST" : "GET"));
        if (urls.Count == 0 || rate <= 0 || seconds < 1)
        {
            await Console.Error.WriteLineAsync("usage: http-load --url URL [--rate 5000] [--seconds 30] [--warmup 5] [--connections 64] [--header 'K: V']");
            return 2;
        }

        using var client = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = TimeSpan.FromMinutes(10),
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
        }) { Timeout = TimeSpan.FromSeconds(10) };

        Console.WriteLine($"http-load: {method} {urls[0]}{(urls.Count > 1 ? $" (+{urls.Count - 1} more)" : "")} at {rate:0} req/s for {seconds} s after {warmup} s warm-up, {connections} connections");
        var total = (long)(rate * (warmup + seconds));
        var latencies = new long[(long)(rate * seconds) + 1];
        long measured = 0, errors = 0, non2xx = 0, late = 0;
        var statuses = new System.Collections.Concurrent.ConcurrentDictionary<int, long>();
        var clock = Stopwatch.StartNew();
        var inFlight = new List<Task>(capacity: 1024);
        var warmupTicks = TimeSpan.FromSeconds(warmup).Ticks;

        for (long n = 0; n < total; n++)
        {
            var due = TimeSpan.FromTicks((long)(n * TimeSpan.TicksPerSecond / rate));
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(2)) await Task.Delay(wait);
            else if (wait < TimeSpan.FromMilliseconds(-50)) Interlocked.Increment(ref late);
            var counted = due.Ticks >= warmupTicks;
            var url = urls[(int)(n % urls.Count)];
            inFlight.Add(SendAsync(url, bodies.Count == 0 ? null : bodies[(int)(n % bodies.Count)], due, counted));
            if (inFlight.Count >= 1024)
            {
                inFlight.RemoveAll(t => t.IsCompleted);
            }
        }
        await Task.WhenAll(inFlight);
        var elapsed = clock.Elapsed.TotalSeconds - warmup;

        var count = (int)Math.Min(measured, latencies.Length);
        Array.Sort(latencies, 0, count);
        double P(double q) => count == 0 ? double.NaN : latencies[Math.Min(count - 1, (int)Math.Ceiling(q * count) - 1)] / (double)TimeSpan.TicksPerMillisecond;
        Console.WriteLine($"requests:   {count} measured in {elapsed:0.0} s = {count / elapsed:0} req/s (target {rate:0}); errors {errors}; non-2xx/3xx {non2xx}; generator late >50 ms: {late}");
        Console.WriteLine($"statuses:   {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}");
        Console.WriteLine(FormattableString.Invariant($"latency ms: p50 {P(0.50):0.00}  p90 {P(0.90):0.00}  p99 {P(0.99):0.00}  p99.9 {P(0.999):0.00}  max {P(1.0):0.00}  (from scheduled start)"));
        return errors == 0 ? 0 : 1;

        async Task SendAsync(string url, byte[]? body, TimeSpan due, bool counted)
        {
            try
            {
                using var request = new HttpRequestMessage(method, url);
                if (body is not null)
                {
                    request.Content = new ByteArrayContent(body);
                    request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
                }
                foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead);
                var latency = clock.Elapsed - due;
                if (!counted) return;
                statuses.AddOrUpdate((int)response.StatusCode, 1, (_, c) => c + 1);
                if ((int)response.StatusCode >= 400) Interlocked.Increment(ref non2xx);
                var slot = Interlocked.Increment(ref measured) - 1;
                if (slot < latencies.Length) latencies[slot] = latency.Ticks;
            }
            catch (Exception) when (counted)
            {
                Interlocked.Increment(ref errors);
            }
            catch (Exception)
            {
                // warm-up failures are not counted
            }
        }
    }
}
