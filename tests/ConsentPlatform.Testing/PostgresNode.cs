using System.Globalization;
using System.Security.Cryptography;
using Npgsql;

namespace ConsentPlatform.Testing;

/// <summary>
/// A private PostgreSQL cluster started from Debian's binaries (<c>/usr/lib/postgresql/15/bin</c>):
/// <c>initdb</c> into a temporary folder, its own port and unix socket directory, started and
/// stopped with <c>pg_ctl</c>, and killed with SIGKILL to the postmaster for fault tests — what
/// <see cref="RabbitMqNode"/> does for the broker, on machines without a container engine.
/// PostgreSQL refuses to run as root, so as root every command runs as the <c>postgres</c> user
/// (Debian's package creates it) through <c>runuser</c>, and the folder is handed to that user.
/// </summary>
public sealed class PostgresNode : IAsyncDisposable
{
    /// <summary>Set to 1 (CI does) to turn "no PostgreSQL here" from a skip into a failure.</summary>
    public const string RequirePostgresVariable = "CONSENTPLATFORM_REQUIRE_POSTGRES";

    /// <summary>Where the binaries are looked for; overridable for other layouts.</summary>
    public const string BinariesVariable = "CONSENTPLATFORM_POSTGRES_BIN";

    private const string DebianBinaries = "/usr/lib/postgresql/15/bin";
    private const string ServiceUser = "postgres";
    private const string FolderPrefix = "cp-pg-";
    // The test process that made the folder (pid and start time), so a later run can tell an abandoned folder.
    private const string OwnerFile = "owner";
    private const string NotInstalled =
        "PostgreSQL 15 not installed (apt-get install postgresql); set " + RequirePostgresVariable + "=1 to make this a failure";
    private const string RequiredButMissing =
        "PostgreSQL is required (" + RequirePostgresVariable + "=1) but its binaries are missing: apt-get install postgresql";

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);
    private static readonly Lazy<Task<PostgresNode>> SharedNode = new(() => StartAsync());

    private readonly string _binaries;
    private readonly bool _asServiceUser;
    private readonly string _dataFolder;
    private readonly string _logFile;
    private int _databases;
    private bool _durable;
    private int _disposed;

    private PostgresNode(string binaries, bool asServiceUser, string folder)
    {
        _binaries = binaries;
        _asServiceUser = asServiceUser;
        Folder = folder;
        _dataFolder = Path.Combine(folder, "data");
        _logFile = Path.Combine(folder, "postgres.log");
        Port = FreePort.Next();
    }

    private static string Binaries => Environment.GetEnvironmentVariable(BinariesVariable) is { Length: > 0 } configured ? configured : DebianBinaries;

    public static bool IsInstalled => !OperatingSystem.IsWindows() && File.Exists(Path.Combine(Binaries, "initdb")) && File.Exists(Path.Combine(Binaries, "pg_ctl"));

    public static bool IsRequired =>
        Environment.GetEnvironmentVariable(RequirePostgresVariable)?.Trim().ToLowerInvariant() is "1" or "true" or "yes";

    /// <summary>Why PostgreSQL tests are skipped here, or null when they run (installed, or required so they fail loudly).</summary>
    public static string? SkipReason => IsInstalled || IsRequired ? null : NotInstalled;

    /// <summary>The cluster this test run shares (one per test process, started on first use); test classes take a database each.</summary>
    public static Task<PostgresNode> SharedAsync() => SharedNode.Value;

    /// <summary>The cluster's folder: data directory, log and the unix socket.</summary>
    public string Folder { get; }

    public string Host => "127.0.0.1";

    /// <summary>The TCP port; kept across restarts.</summary>
    public int Port { get; }

    public string Username => ServiceUser;

    /// <summary>The connection string of one database of this cluster.</summary>
    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = Host,
        Port = Port,
        Username = Username,
        Database = database,
        // Test data only, so the server's detail (the conflicting key, the offending value) may show in failures.
        IncludeErrorDetail = true,
    }.ConnectionString;

    /// <summary>Creates an empty cluster and starts it (about 2–4 s).</summary>
    public static Task<PostgresNode> StartAsync(CancellationToken cancellationToken = default) => StartAsync(durable: false, cancellationToken);

    /// <summary>
    /// A cluster with PostgreSQL's durable defaults (fsync, full-page writes, synchronous commit), for
    /// benchmarks whose figures must be what a production server would give, not the tests' shortcut.
    /// </summary>
    public static Task<PostgresNode> StartDurableAsync(CancellationToken cancellationToken = default) => StartAsync(durable: true, cancellationToken);

    private static async Task<PostgresNode> StartAsync(bool durable, CancellationToken cancellationToken)
    {
        if (!IsInstalled) throw new InvalidOperationException(IsRequired ? RequiredButMissing : NotInstalled);
        var asServiceUser = Environment.IsPrivilegedProcess;
        // Under /tmp, not a TMPDIR below /root: the postgres user must be able to reach it, and a
        // unix socket path may not exceed 107 bytes.
        var parent = asServiceUser ? "/tmp" : Path.GetTempPath();
        RemoveAbandoned(parent);
        var folder = Path.Combine(parent, FolderPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5)));
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, OwnerFile), ProcessIdentity(Environment.ProcessId));
        var node = new PostgresNode(Binaries, asServiceUser, folder) { _durable = durable };
        try
        {
            if (asServiceUser) await node.RunAsync("/bin/chown", [ServiceUser, folder], asUser: false, cancellationToken);
            await node.StartReaperAsync(cancellationToken);
            await node.RunAsync(Path.Combine(node._binaries, "initdb"),
                ["-D", node._dataFolder, "-U", ServiceUser, "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"], asUser: true, cancellationToken);
            await node.LaunchAsync(cancellationToken);
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    /// <summary>A new, empty database on this cluster; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "cp_test", CancellationToken cancellationToken = default)
    {
        var name = $"{prefix}_{Interlocked.Increment(ref _databases)}_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync(cancellationToken);
        await using var create = connection.CreateCommand();
        create.CommandText = $"CREATE DATABASE \"{name}\"";
        await create.ExecuteNonQueryAsync(cancellationToken);
        return ConnectionString(name);
    }

    /// <summary>A clean shutdown (pg_ctl stop, fast mode).</summary>
    public Task StopAsync(CancellationToken cancellationToken = default) =>
        RunAsync(Path.Combine(_binaries, "pg_ctl"), ["-D", _dataFolder, "-m", "fast", "-w", "stop"], asUser: true, cancellationToken);

    /// <summary>SIGKILL to the postmaster, as a crashed server; its backends notice and exit. Start it again with <see cref="RestartAsync"/>.</summary>
    public async Task KillAsync(CancellationToken cancellationToken = default)
    {
        if (PostmasterPid() is not { } pid) return;
        ProcessRunner.KillHard(pid);
        var deadline = DateTime.UtcNow + CommandTimeout;
        while (ProcessRunner.IsAlive(pid) && DateTime.UtcNow < deadline) await Task.Delay(50, cancellationToken);
        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>Starts the cluster again on the same port and data (crash recovery after <see cref="KillAsync"/>).</summary>
    public Task RestartAsync(CancellationToken cancellationToken = default) => LaunchAsync(cancellationToken);

    public string ReadLogTail(int lines = 40)
    {
        try { return string.Join(Environment.NewLine, File.ReadLines(_logFile).TakeLast(lines)); }
        catch (IOException) { return "(no log)"; }
    }

    public override string ToString() => $"PostgreSQL {Host}:{Port} ({Folder})";

    /// <summary>Stops the cluster (immediate mode, then SIGKILL if it has not gone) and deletes its folder.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        try
        {
            if (PostmasterPid() is not null)
                await RunAsync(Path.Combine(_binaries, "pg_ctl"), ["-D", _dataFolder, "-m", "immediate", "-w", "-t", "20", "stop"], asUser: true, default);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            // pg_ctl failed or timed out: the kill below takes the postmaster down regardless.
        }
        KillAndWait(_dataFolder);
        NpgsqlConnection.ClearAllPools();
        TempDirectory.DeleteQuietly(Folder);
    }

    private async Task LaunchAsync(CancellationToken cancellationToken)
    {
        // fsync off: the tests kill the server process, never the machine, and a durable
        // commit per statement would make every test wait on the disk the other engineers share.
        var options = string.Join(' ',
            $"-p {Port}", $"-k {Folder}", "-c listen_addresses=127.0.0.1", _durable ? "" : "-c fsync=off -c full_page_writes=off",
            "-c max_connections=400", "-c shared_buffers=64MB");
        await RunAsync(Path.Combine(_binaries, "pg_ctl"), ["-D", _dataFolder, "-l", _logFile, "-o", options, "-w", "-t", "60", "start"], asUser: true, cancellationToken);
    }

    private int? PostmasterPid() => PostmasterPidOf(_dataFolder);

    /// <summary>
    /// The live postmaster of a data folder. postmaster.pid can outlive its process (SIGKILL), and
    /// the pid may since name another process, so the process must also name this folder.
    /// </summary>
    private static int? PostmasterPidOf(string dataFolder)
    {
        try
        {
            var first = File.ReadLines(Path.Combine(dataFolder, "postmaster.pid")).FirstOrDefault();
            if (!int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || !ProcessRunner.IsAlive(pid)) return null;
            if (OperatingSystem.IsLinux() && !File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Contains(dataFolder, StringComparison.Ordinal)) return null;
            return pid;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Starts a shell, outside this process's tree, that waits for this test process to end and
    /// then stops the cluster and deletes its folder. The shared cluster has no owner to dispose
    /// it, and the test host's own exit handlers cannot do it: the test runner kills the host
    /// about 100 ms after the run ends, and a killed or crashed host runs no code at all.
    /// </summary>
    private async Task StartReaperAsync(CancellationToken cancellationToken)
    {
        var stop = _asServiceUser ? $"/usr/sbin/runuser -u {ServiceUser} -- " : "";
        var script = string.Join('\n',
            $"tail --pid={Environment.ProcessId} -s 0.5 -f /dev/null",
            $"{stop}'{Path.Combine(_binaries, "pg_ctl")}' -D '{_dataFolder}' -m immediate -w -t 20 stop",
            // pg_ctl failed (the folder is half made, or the server hangs): the postmaster, if it still runs this folder, is killed.
            $"pid=$(head -n 1 '{_dataFolder}/postmaster.pid') && grep -qF '{_dataFolder}' /proc/$pid/cmdline && kill -9 $pid && sleep 1",
            $"rm -rf '{Folder}'");
        // setsid and the trailing & leave the shell an orphan of init, out of reach of a kill of the host's process tree.
        await RunAsync("/usr/bin/setsid", ["/bin/sh", "-c", $"({script}) </dev/null >/dev/null 2>&1 &"], asUser: false, cancellationToken);
    }

    /// <summary>
    /// SIGKILL to the postmaster of a data folder, if one runs, and a short wait for it to go. Its
    /// backends notice the postmaster's death on their own and exit without touching the folder.
    /// </summary>
    private static void KillAndWait(string dataFolder)
    {
        if (PostmasterPidOf(dataFolder) is not { } pid) return;
        ProcessRunner.KillHard(pid);
        for (var waited = 0; ProcessRunner.IsAlive(pid) && waited < 5_000; waited += 50) Thread.Sleep(50);
    }

    /// <summary>
    /// Deletes the cluster folders whose reaper did not run (it was killed too, or the machine
    /// restarted), with the postmaster each may still run. A folder is
    /// abandoned when the test process that made it is gone; a folder without that record (older
    /// runs) only when its postmaster is gone too, since then nothing can still be using it.
    /// </summary>
    private static void RemoveAbandoned(string parent)
    {
        string[] folders;
        try { folders = Directory.GetDirectories(parent, FolderPrefix + "*"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; }

        foreach (var folder in folders)
        {
            var dataFolder = Path.Combine(folder, "data");
            string? owner;
            try { owner = File.ReadAllText(Path.Combine(folder, OwnerFile)).Trim(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { owner = null; }

            var ownerAlive = owner is not null && int.TryParse(owner.Split(' ')[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ownerPid)
                && ProcessIdentity(ownerPid) == owner;
            if (ownerAlive) continue;
            if (owner is null)
            {
                // Still being created, or from a run before the owner record: leave any that may be in use.
                if (PostmasterPidOf(dataFolder) is not null || Directory.GetLastWriteTimeUtc(folder) > DateTime.UtcNow.AddMinutes(-10)) continue;
            }
            KillAndWait(dataFolder);
            TempDirectory.DeleteQuietly(folder);
        }
    }

    /// <summary>A pid with its start time, so a later process that reuses the pid is not taken for the owner.</summary>
    private static string ProcessIdentity(int pid)
    {
        if (!OperatingSystem.IsLinux()) return pid.ToString(CultureInfo.InvariantCulture);
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the parenthesised command name; the start time is field 22 of stat, the 20th of these.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return ProcessRunner.IsAlive(pid) ? $"{pid} {fields[19]}" : "";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or IndexOutOfRangeException)
        {
            return "";
        }
    }

    private async Task RunAsync(string program, IReadOnlyList<string> arguments, bool asUser, CancellationToken cancellationToken)
    {
        var (file, args) = asUser && _asServiceUser
            ? ("/usr/sbin/runuser", (IReadOnlyList<string>)["-u", ServiceUser, "--", program, .. arguments])
            : (program, arguments);
        var result = await ProcessRunner.RunAsync(file, args, null, CommandTimeout, cancellationToken);
        if (result.ExitCode != 0)
            throw new InvalidOperationException(
                $"{Path.GetFileName(program)} {string.Join(' ', arguments)} exited with {result.ExitCode}:{Environment.NewLine}{result.Combined}{Environment.NewLine}Log, last lines:{Environment.NewLine}{ReadLogTail()}");
    }
}
