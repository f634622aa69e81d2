using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Versioning;
using System.Text;

namespace ConsentPlatform.Testing;

/// <summary>
/// One of our web services running as a separate OS process (<c>dotnet X.dll</c>) on a loopback
/// port, for broker tests and benchmarks that need real process boundaries: it can be killed
/// or restarted like a pod.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private const string ReadinessPath = "/health/ready";
    private static readonly TimeSpan DefaultReadyTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);

    // Last resort if the test host ends without disposing: a service left running would keep
    // its port and its database files.
    private static readonly ConcurrentDictionary<ServiceProcess, byte> Live = new();

    private readonly string _assemblyPath;
    private readonly IReadOnlyDictionary<string, string?> _environment;
    private readonly OutputBuffer _output = new();
    private readonly HttpClient _probe;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private Process? _process;
    private bool _disposed;

    static ServiceProcess()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var service in Live.Keys)
            {
                if (service._process is { } process)
                {
                    ProcessRunner.KillTree(process);
                }
            }
        };
    }

    private readonly TimeSpan _readyTimeout;

    private ServiceProcess(string name, string assemblyPath, IDictionary<string, string?> environment, TimeSpan? readyTimeout)
    {
        Name = name;
        _readyTimeout = readyTimeout ?? DefaultReadyTimeout;
        _assemblyPath = assemblyPath;
        Port = FreePort.Next();
        BaseAddress = new Uri($"http://127.0.0.1:{Port}/");

        var merged = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["DOTNET_NOLOGO"] = "1",
            // The test host's own URL settings must not compete with --urls.
            ["ASPNETCORE_URLS"] = null,
            ["ASPNETCORE_HTTP_PORTS"] = null,
            ["ASPNETCORE_HTTPS_PORTS"] = null,
        };
        foreach (var (key, value) in environment)
        {
            merged[key] = value;
        }

        _environment = merged;
        _probe = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
    }

    /// <summary>The project name, e.g. ConsentPlatform.Directory.</summary>
    public string Name { get; }

    public int Port { get; }

    /// <summary>http://127.0.0.1:{port}/ — the same across <see cref="RestartAsync"/>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The process's stdout and stderr, last 500 lines (stderr lines prefixed "err: ").</summary>
    public string Output => _output.Text;

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Operating-system id of the current process, e.g. to sample its memory in a benchmark.</summary>
    public int? ProcessId => _process is { HasExited: false } process ? process.Id : null;

    /// <summary>How long the last start took until /health/ready answered 200.</summary>
    public TimeSpan LastStartDuration { get; private set; }

    /// <summary>
    /// Starts <c>services/{projectName}/bin/{Configuration}/{tfm}/{projectName}.dll</c> of this
    /// repository (built beforehand) and waits until <c>/health/ready</c> returns 200.
    /// The configuration is the calling test assembly's (Debug or Release), falling back to the other.
    /// <paramref name="readyTimeout"/> (default 90 s) bounds this start and every restart.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static Task<ServiceProcess> StartAsync(
        string projectName,
        IDictionary<string, string?> environment,
        CancellationToken cancellationToken = default,
        TimeSpan? readyTimeout = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(projectName);
        ArgumentNullException.ThrowIfNull(environment);
        // Captured here, before any await: inside the async part the caller would be this assembly.
        var caller = Assembly.GetCallingAssembly();
        var assemblyPath = LocateServiceAssembly(projectName, caller);
        return StartCoreAsync(projectName, assemblyPath, environment, cancellationToken, readyTimeout);
    }

    /// <summary>Starts any ASP.NET Core app by the path of its built dll (e.g. a baseline app for a benchmark).</summary>
    public static Task<ServiceProcess> StartAssemblyAsync(
        string assemblyPath,
        IDictionary<string, string?> environment,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(assemblyPath);
        ArgumentNullException.ThrowIfNull(environment);
        if (!File.Exists(assemblyPath))
        {
            throw new FileNotFoundException($"No built assembly at {assemblyPath}.", assemblyPath);
        }

        return StartCoreAsync(Path.GetFileNameWithoutExtension(assemblyPath), Path.GetFullPath(assemblyPath), environment, cancellationToken);
    }

    /// <summary>An HttpClient whose BaseAddress is this service.</summary>
    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress };

    /// <summary>SIGKILL to the process and its children, as in a crash; waits until it has gone.</summary>
    public async Task KillAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken);
        try
        {
            await KillCoreAsync(cancellationToken);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>SIGTERM (ASP.NET Core's graceful shutdown), then SIGKILL if it has not exited within 10 s.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken);
        try
        {
            await StopCoreAsync(cancellationToken);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Starts the service again on the same port with the same environment (stopping it first if running).</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            await StopCoreAsync(cancellationToken);
            await LaunchAsync(cancellationToken);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    public override string ToString() => $"{Name} {BaseAddress}";

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        await _lifecycle.WaitAsync();
        try
        {
            _disposed = true;
            await StopCoreAsync(CancellationToken.None);
        }
        finally
        {
            Live.TryRemove(this, out _);
            _probe.Dispose();
            _lifecycle.Release();
        }
    }

    private static async Task<ServiceProcess> StartCoreAsync(
        string name, string assemblyPath, IDictionary<string, string?> environment, CancellationToken cancellationToken, TimeSpan? readyTimeout = null)
    {
        var service = new ServiceProcess(name, assemblyPath, environment, readyTimeout);
        try
        {
            await service.LaunchAsync(cancellationToken);
            return service;
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
    }

    private async Task LaunchAsync(CancellationToken cancellationToken)
    {
        await WaitForPortFreeAsync(cancellationToken);

        var startInfo = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            // The content root (appsettings*.json) is the working directory by default.
            WorkingDirectory = Path.GetDirectoryName(_assemblyPath)!,
        };
        startInfo.ArgumentList.Add(_assemblyPath);
        startInfo.ArgumentList.Add("--urls");
        startInfo.ArgumentList.Add($"http://127.0.0.1:{Port}");
        ProcessRunner.ApplyEnvironment(startInfo, _environment);

        var clock = Stopwatch.StartNew();
        _output.Add("", $"--- starting {Name} on {BaseAddress} ---");
        var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) => _output.Add("", e.Data);
        process.ErrorDataReceived += (_, e) => _output.Add("err: ", e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        Live[this] = 0;

        try
        {
            await WaitUntilReadyAsync(process, clock, cancellationToken);
        }
        catch
        {
            await KillCoreAsync(CancellationToken.None);
            throw;
        }

        LastStartDuration = clock.Elapsed;
    }

    private async Task WaitUntilReadyAsync(Process process, Stopwatch clock, CancellationToken cancellationToken)
    {
        var lastProbe = "no answer yet";
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                // Let the output readers catch the process's last words (usually the start-up exception).
                process.WaitForExit();
                throw Failure($"exited with code {process.ExitCode} before {ReadinessPath} answered 200");
            }

            if (clock.Elapsed > _readyTimeout)
            {
                throw Failure($"was not ready within {_readyTimeout.TotalSeconds:0} s (last {ReadinessPath}: {lastProbe})", timeout: true);
            }

            try
            {
                using var response = await _probe.GetAsync(ReadinessPath, cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }

                lastProbe = $"{(int)response.StatusCode} {response.ReasonPhrase}";
            }
            catch (HttpRequestException e)
            {
                lastProbe = e.Message;
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                lastProbe = "request timed out";
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }
    }

    private async Task StopCoreAsync(CancellationToken cancellationToken)
    {
        var process = _process;
        if (process is null)
        {
            return;
        }

        if (!process.HasExited && ProcessRunner.Terminate(process.Id))
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            cts.CancelAfter(StopGrace);
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                _output.Add("", $"--- {Name} did not exit within {StopGrace.TotalSeconds:0} s of SIGTERM; killing ---");
            }
        }

        await KillCoreAsync(cancellationToken);
    }

    private async Task KillCoreAsync(CancellationToken cancellationToken)
    {
        var process = _process;
        if (process is null)
        {
            return;
        }

        ProcessRunner.KillTree(process);
        await process.WaitForExitAsync(cancellationToken);
        _output.Add("", $"--- {Name} exited with code {process.ExitCode} ---");
        process.Dispose();
        _process = null;
        Live.TryRemove(this, out _);
    }

    private async Task WaitForPortFreeAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (!FreePort.IsFree(Port))
        {
            if (clock.Elapsed > StopGrace)
            {
                throw new InvalidOperationException($"Cannot start {Name}: port {Port} on 127.0.0.1 is in use by another process.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }
    }

    private Exception Failure(string what, bool timeout = false)
    {
        var message = new StringBuilder()
            .AppendLine($"{Name} ({_assemblyPath}, {BaseAddress}) {what}.")
            .AppendLine("Output (last 500 lines):")
            .AppendLine(_output.Text)
            .ToString();
        return timeout ? new TimeoutException(message) : new InvalidOperationException(message);
    }

    private static string LocateServiceAssembly(string projectName, Assembly caller)
    {
        var root = FindRepositoryRoot();
        var tfm = TargetFrameworkMoniker(caller);
        var preferred = caller.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration is { Length: > 0 } configuration
            ? configuration
            : "Debug";
        string[] configurations = preferred switch
        {
            "Debug" => ["Debug", "Release"],
            "Release" => ["Release", "Debug"],
            _ => [preferred, "Debug", "Release"],
        };

        var tried = new List<string>();
        foreach (var candidate in configurations)
        {
            var path = Path.Combine(root, "services", projectName, "bin", candidate, tfm, projectName + ".dll");
            if (File.Exists(path))
            {
                return path;
            }

            tried.Add(path);
        }

        throw new FileNotFoundException(
            $"{projectName} is not built. Looked for:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", tried)}" +
            $"{Environment.NewLine}Build it first: dotnet build services/{projectName} -c {preferred}");
    }

    private static string TargetFrameworkMoniker(Assembly caller)
    {
        // ".NETCoreApp,Version=v10.0" -> "net10.0"; services and tests target the same framework.
        var name = caller.GetCustomAttribute<TargetFrameworkAttribute>()?.FrameworkName;
        const string marker = ",Version=v";
        var at = name?.IndexOf(marker, StringComparison.Ordinal) ?? -1;
        return at >= 0 ? "net" + name![(at + marker.Length)..] : $"net{Environment.Version.Major}.{Environment.Version.Minor}";
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ConsentPlatform.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException(
            $"Could not find the repository root (a folder holding ConsentPlatform.sln) above {AppContext.BaseDirectory}.");
    }
}
