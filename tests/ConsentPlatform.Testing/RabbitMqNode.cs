using System.Collections;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ConsentPlatform.Testing;

/// <summary>
/// A private RabbitMQ node started from the machine's <c>rabbitmq-server</c> (Debian's package):
/// own node name, ports and data folder, so a test can stop, kill and restart it the way
/// Testcontainers would, on machines without a container engine.
/// </summary>
public sealed class RabbitMqNode : IAsyncDisposable
{
    /// <summary>Set to 1 (CI does) to turn "no broker here" from a skip into a failure.</summary>
    public const string RequireBrokerVariable = "CONSENTPLATFORM_REQUIRE_BROKER";

    private const string DebianWrapper = "/usr/sbin/rabbitmq-server";
    private const string DebianScripts = "/usr/lib/rabbitmq/bin";
    private const string RequiredButMissing =
        "rabbitmq-server is required (" + RequireBrokerVariable + "=1) but not installed: apt-get install rabbitmq-server";
    private const string NotInstalled =
        "rabbitmq-server not installed (apt-get install rabbitmq-server); set " + RequireBrokerVariable + "=1 to make this a failure";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(10);
    private static readonly Lazy<Installation?> Found = new(Locate);

    // If the test host ends without disposing a node (a crash, a killed run), the Erlang VM
    // would outlive it and keep its ports; this is the last chance to take it down.
    private static readonly ConcurrentDictionary<RabbitMqNode, byte> Live = new();

    private readonly Installation _installation;
    private readonly string _folder;
    private readonly IReadOnlyDictionary<string, string?> _environment;
    private readonly OutputBuffer _output = new();
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private Process? _process;
    private bool _disposed;

    static RabbitMqNode()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var node in Live.Keys)
            {
                node.KillNow();
            }
        };
    }

    private RabbitMqNode(Installation installation)
    {
        _installation = installation;
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5));
        NodeName = $"cp-test-{id}@localhost";
        Port = FreePort.Next();
        DistributionPort = FreePort.Next();
        _folder = Path.Combine(TempRootFor(installation.SwitchesUser), $"cp-rabbitmq-{id}");
        PidFile = Path.Combine(_folder, "rabbit.pid");
        LogFile = Path.Combine(_folder, "log", NodeName + ".log");
        _environment = BuildEnvironment();
    }

    /// <summary>Whether a <c>rabbitmq-server</c> executable was found (on PATH or at /usr/sbin).</summary>
    public static bool IsInstalled => Found.Value is not null;

    /// <summary>Whether <see cref="RequireBrokerVariable"/> asks for missing RabbitMQ to be a failure.</summary>
    public static bool IsRequired =>
        Environment.GetEnvironmentVariable(RequireBrokerVariable)?.Trim().ToLowerInvariant() is "1" or "true" or "yes";

    /// <summary>Why broker tests are skipped here, or null when they run (installed, or required so they fail loudly).</summary>
    public static string? SkipReason => IsInstalled || IsRequired ? null : NotInstalled;

    public string NodeName { get; }

    public string Host => "127.0.0.1";

    /// <summary>The AMQP port; kept across <see cref="RestartAsync"/>.</summary>
    public int Port { get; }

    /// <summary>The Erlang distribution port (what rabbitmqctl talks to).</summary>
    public int DistributionPort { get; }

    // The built-in guest user may connect from loopback only, which is all this node listens on.
    public string Username => "guest";

    public string Password => "guest";

    public string VirtualHost => "/";

    public Uri AmqpUri => new($"amqp://{Username}:{Password}@{Host}:{Port}/");

    /// <summary>Mnesia, logs and pid file; kept across restarts so durable queues and messages survive.</summary>
    public string DataFolder => _folder;

    public string LogFile { get; }

    public string PidFile { get; }

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>How long the last start or restart took until the node accepted AMQP connections.</summary>
    public TimeSpan LastStartDuration { get; private set; }

    /// <summary>Everything the node and its wrapper scripts wrote to stdout/stderr (last 500 lines).</summary>
    public string Output => _output.Text;

    /// <summary>
    /// Environment entries (in the services' <c>Bus__*</c> form) that point a service at this node.
    /// </summary>
    public Dictionary<string, string?> BusEnvironment() => new()
    {
        ["Bus__Transport"] = "RabbitMq",
        ["Bus__RabbitMq__Host"] = Host,
        ["Bus__RabbitMq__Port"] = Port.ToString(CultureInfo.InvariantCulture),
        ["Bus__RabbitMq__VirtualHost"] = VirtualHost,
        ["Bus__RabbitMq__Username"] = Username,
        ["Bus__RabbitMq__Password"] = Password,
    };

    /// <summary>Starts a new node and waits until it accepts AMQP connections (about 5–8 s).</summary>
    public static async Task<RabbitMqNode> StartAsync(CancellationToken cancellationToken = default)
    {
        var installation = Found.Value
            ?? throw new InvalidOperationException(IsRequired ? RequiredButMissing : NotInstalled);
        var node = new RabbitMqNode(installation);
        try
        {
            await node.CreateFolderAsync(cancellationToken);
            await node.LaunchAsync(cancellationToken);
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    /// <summary>Graceful shutdown (<c>rabbitmqctl stop</c>), waiting until the VM has exited and the port is closed.</summary>
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

    /// <summary>SIGKILL to the Erlang VM (beam.smp), as in a crash or power loss; waits until the port is closed.</summary>
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

    /// <summary>
    /// Starts the node again with the same name, ports and data folder (stopping it first if it
    /// is running), so durable queues and persistent messages are still there.
    /// </summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_process is not null)
            {
                await StopCoreAsync(cancellationToken);
            }

            await LaunchAsync(cancellationToken);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Runs <c>rabbitmqctl -n NODE ...</c> and returns its stdout; throws with its output on a non-zero exit.</summary>
    public async Task<string> RabbitMqCtlAsync(IEnumerable<string> arguments, CancellationToken cancellationToken = default)
    {
        var list = arguments.ToList();
        var result = await CtlAsync(list, TimeSpan.FromSeconds(60), cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"rabbitmqctl -n {NodeName} {string.Join(' ', list)} failed with exit code {result.ExitCode}:{Environment.NewLine}{result.Combined}");
        }

        return result.StandardOutput;
    }

    /// <summary>Names of the queues in <paramref name="virtualHost"/>.</summary>
    public async Task<IReadOnlyList<string>> ListQueuesAsync(string virtualHost = "/", CancellationToken cancellationToken = default)
    {
        var queues = await ListQueueCountsAsync(virtualHost, cancellationToken);
        return queues.Select(q => q.Name).ToList();
    }

    /// <summary>Messages in a queue (ready plus unacknowledged); throws if the queue does not exist.</summary>
    public async Task<long> GetQueueMessageCountAsync(string queue, string virtualHost = "/", CancellationToken cancellationToken = default)
    {
        var queues = await ListQueueCountsAsync(virtualHost, cancellationToken);
        foreach (var (name, messages) in queues)
        {
            if (name == queue)
            {
                return messages ?? throw new InvalidOperationException(
                    $"RabbitMQ reports no message count for queue '{queue}' right now (is its leader or process down?).");
            }
        }

        throw new InvalidOperationException(
            $"Queue '{queue}' does not exist in vhost '{virtualHost}' on {NodeName}; queues there: [{string.Join(", ", queues.Select(q => q.Name))}].");
    }

    /// <summary>The last lines of the node's own log file (the first place to look when a broker test fails).</summary>
    public string ReadLogTail(int lines = 40)
    {
        try
        {
            var all = File.ReadAllLines(LogFile);
            return string.Join(Environment.NewLine, all.Skip(Math.Max(0, all.Length - lines)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"(no log at {LogFile}: {e.Message})";
        }
    }

    public override string ToString() => $"{NodeName} amqp://{Host}:{Port}";

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
            if (_process is not null)
            {
                try
                {
                    using var cts = new CancellationTokenSource(StopTimeout);
                    await StopCoreAsync(cts.Token);
                }
                catch (Exception)
                {
                    // Disposal must not leave a VM behind, whatever went wrong with the graceful stop.
                    KillNow();
                }
            }
        }
        finally
        {
            Live.TryRemove(this, out _);
            TempDirectory.DeleteQuietly(_folder);
            _lifecycle.Release();
        }
    }

    private async Task<List<(string Name, long? Messages)>> ListQueueCountsAsync(string virtualHost, CancellationToken cancellationToken)
    {
        var json = await RabbitMqCtlAsync(
            ["list_queues", "-q", "-p", virtualHost, "--formatter", "json", "name", "messages"], cancellationToken);
        var start = json.IndexOf('[', StringComparison.Ordinal);
        if (start < 0)
        {
            throw new InvalidOperationException($"Unexpected list_queues output from {NodeName}: {json}");
        }

        using var document = JsonDocument.Parse(json[start..]);
        var queues = new List<(string, long?)>();
        foreach (var item in document.RootElement.EnumerateArray())
        {
            var name = item.GetProperty("name").GetString() ?? "";
            long? messages = item.TryGetProperty("messages", out var m) && m.ValueKind == JsonValueKind.Number ? m.GetInt64() : null;
            queues.Add((name, messages));
        }

        return queues;
    }

    private async Task CreateFolderAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.Combine(_folder, "mnesia"));
        Directory.CreateDirectory(Path.Combine(_folder, "log"));
        // No plugins: the management plugin alone adds seconds to every start.
        await File.WriteAllTextAsync(Path.Combine(_folder, "enabled_plugins"), "[].", cancellationToken);
        await File.WriteAllTextAsync(
            Path.Combine(_folder, "rabbitmq.conf"),
            // Its own file, so the node does not pick up /etc/rabbitmq/rabbitmq.conf. Classic queues on storage
            // version 2, as deploy/ runs them (ADR 0045).
            "classic_queue.default_version = 2\n",
            cancellationToken);

        if (!_installation.SwitchesUser)
        {
            // Run as ourselves, the node and rabbitmqctl both read $HOME/.erlang.cookie; writing it
            // up front avoids the two racing to create different ones.
            var cookie = Path.Combine(_folder, ".erlang.cookie");
            await File.WriteAllTextAsync(cookie, Convert.ToHexString(RandomNumberGenerator.GetBytes(16)), cancellationToken);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(cookie, UnixFileMode.UserRead);
            }

            return;
        }

        // Debian's wrapper re-executes the node as the rabbitmq user, which must be able to
        // write here or the node dies with failed_to_create_feature_flags_file_directory.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(_folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                                          UnixFileMode.GroupRead | UnixFileMode.GroupExecute |
                                          UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        var chown = await ProcessRunner.RunAsync(
            "chown", ["-R", "rabbitmq:rabbitmq", _folder], null, TimeSpan.FromSeconds(30), cancellationToken);
        if (chown.ExitCode != 0)
        {
            throw new InvalidOperationException($"chown -R rabbitmq:rabbitmq {_folder} failed: {chown.Combined}");
        }
    }

    private IReadOnlyDictionary<string, string?> BuildEnvironment()
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);

        // A RABBITMQ_* variable inherited from the developer's shell or CI (a node name, a
        // config file) would silently change which node we start or talk to.
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string name && name.StartsWith("RABBITMQ_", StringComparison.Ordinal))
            {
                environment[name] = null;
            }
        }

        environment["RABBITMQ_NODENAME"] = NodeName;
        environment["RABBITMQ_NODE_IP_ADDRESS"] = Host;
        environment["RABBITMQ_NODE_PORT"] = Port.ToString(CultureInfo.InvariantCulture);
        environment["RABBITMQ_DIST_PORT"] = DistributionPort.ToString(CultureInfo.InvariantCulture);
        environment["RABBITMQ_MNESIA_BASE"] = Path.Combine(_folder, "mnesia");
        environment["RABBITMQ_LOG_BASE"] = Path.Combine(_folder, "log");
        environment["RABBITMQ_PID_FILE"] = PidFile;
        environment["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(_folder, "enabled_plugins");
        environment["RABBITMQ_CONFIG_FILE"] = Path.Combine(_folder, "rabbitmq.conf");
        // Absent on purpose, so /etc/rabbitmq's files of the same names are not read either.
        environment["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(_folder, "advanced.config");
        environment["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(_folder, "rabbitmq-env.conf");
        // Keep Erlang distribution on loopback like AMQP; nothing outside needs to reach a test node.
        environment["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}";
        // rabbitmqctl's own distribution listener defaults to the 11 ports 35672-35682; parallel
        // test runs calling it at once would exhaust them, so let the kernel pick (0 = any).
        environment["RABBITMQ_CTL_DIST_PORT_MIN"] = "0";
        environment["RABBITMQ_CTL_DIST_PORT_MAX"] = "0";
        if (!_installation.SwitchesUser)
        {
            environment["HOME"] = _folder;
        }

        return environment;
    }

    private async Task LaunchAsync(CancellationToken cancellationToken)
    {
        // A pid file left by a killed VM would make us signal or wait on a pid that is not ours.
        File.Delete(PidFile);
        await WaitForPortsFreeAsync(cancellationToken);

        var startInfo = new ProcessStartInfo(_installation.Server)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = _folder,
        };
        ProcessRunner.ApplyEnvironment(startInfo, _environment);

        var clock = Stopwatch.StartNew();
        _output.Add("", $"--- starting {NodeName} on port {Port} ({_installation.Server}) ---");
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
            KillNow();
            throw;
        }

        LastStartDuration = clock.Elapsed;
    }

    private async Task WaitUntilReadyAsync(Process process, Stopwatch clock, CancellationToken cancellationToken)
    {
        var lastAttempt = "";
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                throw StartFailure($"exited with code {process.ExitCode} while starting", lastAttempt);
            }

            var remaining = StartTimeout - clock.Elapsed;
            if (remaining <= TimeSpan.Zero)
            {
                throw StartFailure($"did not finish starting within {StartTimeout.TotalSeconds:0} s", lastAttempt);
            }

            // await_startup returns at once (exit 69) until the VM has registered its name, and
            // blocks once it has; so poll it until it blocks and then succeeds.
            var seconds = (int)Math.Clamp(Math.Ceiling(remaining.TotalSeconds), 1, 60);
            var result = await CtlAsync(
                ["await_startup", "--timeout", seconds.ToString(CultureInfo.InvariantCulture)],
                remaining + TimeSpan.FromSeconds(15),
                cancellationToken);
            if (result.ExitCode == 0)
            {
                break;
            }

            lastAttempt = result.Combined;
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }

        // The broker answers rabbitmqctl before every listener is necessarily up; clients need AMQP.
        while (!await FreePort.AcceptsConnectionsAsync(Host, Port, TimeSpan.FromSeconds(1), cancellationToken))
        {
            if (process.HasExited || clock.Elapsed > StartTimeout)
            {
                throw StartFailure($"reported started but does not accept connections on {Host}:{Port}", lastAttempt);
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

        if (process.HasExited)
        {
            Detach();
            return;
        }

        ProcessResult? result = null;
        try
        {
            // With the pid file, stop waits until the VM process has gone, not just the app.
            result = await CtlAsync(["stop", PidFile], StopTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
        }

        if (result is not { ExitCode: 0 })
        {
            await KillCoreAsync(cancellationToken);
            throw new InvalidOperationException(
                $"rabbitmqctl stop did not stop {NodeName} (it was killed instead): {result?.Combined ?? "timed out"}");
        }

        await WaitForExitOrKillTreeAsync(process, cancellationToken);
        await WaitForPortClosedAsync(cancellationToken);
        Detach();
    }

    private async Task KillCoreAsync(CancellationToken cancellationToken)
    {
        var process = _process;
        if (process is null)
        {
            return;
        }

        var vmPid = ReadVmPid();
        if (vmPid is { } pid && ProcessRunner.IsAlive(pid))
        {
            ProcessRunner.KillHard(pid);
        }

        // su and the shells between us and the VM end once it does; if the VM never wrote its
        // pid (killed during boot), this takes down the whole tree instead.
        await WaitForExitOrKillTreeAsync(process, cancellationToken);

        if (vmPid is { } vm)
        {
            var clock = Stopwatch.StartNew();
            while (ProcessRunner.IsAlive(vm))
            {
                if (clock.Elapsed > ExitTimeout)
                {
                    throw new InvalidOperationException($"The Erlang VM of {NodeName} (pid {vm}) is still alive after SIGKILL.");
                }

                await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
            }
        }

        await WaitForPortClosedAsync(cancellationToken);
        Detach();
    }

    private async Task WaitForExitOrKillTreeAsync(Process process, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(ExitTimeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            ProcessRunner.KillTree(process);
            await process.WaitForExitAsync(cancellationToken);
        }
    }

    private async Task WaitForPortClosedAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (await FreePort.AcceptsConnectionsAsync(Host, Port, TimeSpan.FromMilliseconds(500), cancellationToken))
        {
            if (clock.Elapsed > ExitTimeout)
            {
                throw new InvalidOperationException($"Port {Port} of {NodeName} still accepts connections after the node was stopped.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
        }
    }

    private async Task WaitForPortsFreeAsync(CancellationToken cancellationToken)
    {
        // Right after a kill the old listeners can take a moment to be released.
        var clock = Stopwatch.StartNew();
        while (!FreePort.IsFree(Port) || !FreePort.IsFree(DistributionPort))
        {
            if (clock.Elapsed > ExitTimeout)
            {
                throw new InvalidOperationException(
                    $"Cannot start {NodeName}: port {Port} or {DistributionPort} on {Host} is in use by another process.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }
    }

    private Task<ProcessResult> CtlAsync(IReadOnlyList<string> arguments, TimeSpan timeout, CancellationToken cancellationToken) =>
        ProcessRunner.RunAsync(_installation.Ctl, ["-n", NodeName, .. arguments], _environment, timeout, cancellationToken);

    private int? ReadVmPid()
    {
        try
        {
            return int.TryParse(File.ReadAllText(PidFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private void KillNow()
    {
        if (ReadVmPid() is { } pid && ProcessRunner.IsAlive(pid))
        {
            ProcessRunner.KillHard(pid);
        }

        if (_process is { } process)
        {
            ProcessRunner.KillTree(process);
            process.WaitForExit(ExitTimeout);
        }

        Detach();
    }

    private void Detach()
    {
        _process?.Dispose();
        _process = null;
        Live.TryRemove(this, out _);
        // Once the VM is gone its pid can be reused by an unrelated process, which a later
        // KillNow (at test-host exit) must never signal.
        try
        {
            File.Delete(PidFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private InvalidOperationException StartFailure(string what, string lastAttempt)
    {
        var message = new StringBuilder()
            .AppendLine($"RabbitMQ node {NodeName} (AMQP {Host}:{Port}, dist {DistributionPort}, folder {_folder}) {what}.")
            .AppendLine("Last rabbitmqctl await_startup output:")
            .AppendLine(string.IsNullOrWhiteSpace(lastAttempt) ? "(none)" : lastAttempt.Trim())
            .AppendLine($"Node log {LogFile}, last 40 lines:")
            .AppendLine(ReadLogTail(40))
            .AppendLine("Node process output, last 40 lines:")
            .AppendLine(_output.Tail(40));
        return new InvalidOperationException(message.ToString());
    }

    private static string TempRootFor(bool switchesUser)
    {
        var root = Path.GetTempPath();
        if (!switchesUser || OperatingSystem.IsWindows())
        {
            return root;
        }

        // The rabbitmq user must be able to reach the folder; a TMPDIR under /root would not do.
        for (var directory = new DirectoryInfo(root); directory is not null; directory = directory.Parent)
        {
            if (!directory.UnixFileMode.HasFlag(UnixFileMode.OtherExecute))
            {
                return "/tmp";
            }
        }

        return root;
    }

    private static Installation? Locate()
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        var server = FindOnPath("rabbitmq-server") ?? (File.Exists(DebianWrapper) ? DebianWrapper : null);
        if (server is null)
        {
            return null;
        }

        var isDebianWrapper = new FileInfo(server).ResolveLinkTarget(returnFinalTarget: true)?.Name == "rabbitmq-script-wrapper";
        var root = Environment.IsPrivilegedProcess;
        if (isDebianWrapper && !root && File.Exists(Path.Combine(DebianScripts, "rabbitmq-server")))
        {
            // Debian's wrapper refuses users other than root and rabbitmq (and sends the
            // rabbitmq user's output to /var/log); the scripts behind it run as anyone.
            return new Installation(
                Path.Combine(DebianScripts, "rabbitmq-server"), Path.Combine(DebianScripts, "rabbitmqctl"), SwitchesUser: false);
        }

        var ctl = Path.Combine(Path.GetDirectoryName(server)!, "rabbitmqctl");
        if (!File.Exists(ctl))
        {
            ctl = FindOnPath("rabbitmqctl") ?? ctl;
        }

        return new Installation(server, ctl, SwitchesUser: isDebianWrapper && root);
    }

    private static string? FindOnPath(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <param name="SwitchesUser">Debian's wrapper run as root: it re-executes as the rabbitmq user (su), with that user's HOME and cookie.</param>
    private sealed record Installation(string Server, string Ctl, bool SwitchesUser);
}
