using System.Collections.Concurrent;
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
    private const string NotInstalled =
        "PostgreSQL 15 not installed (apt-get install postgresql); set " + RequirePostgresVariable + "=1 to make this a failure";
    private const string RequiredButMissing =
        "PostgreSQL is required (" + RequirePostgresVariable + "=1) but its binaries are missing: apt-get install postgresql";

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);
    private static readonly ConcurrentDictionary<PostgresNode, byte> Live = new();
    private static readonly Lazy<Task<PostgresNode>> SharedNode = new(() => StartAsync());

    private readonly string _binaries;
    private readonly bool _asServiceUser;
    private readonly string _dataFolder;
    private readonly string _logFile;
    private int _databases;

    static PostgresNode()
    {
        // A cluster outlives the test host unless stopped; this is the last chance to take it down.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var node in Live.Keys) node.KillNow();
        };
    }

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
    public static async Task<PostgresNode> StartAsync(CancellationToken cancellationToken = default)
    {
        if (!IsInstalled) throw new InvalidOperationException(IsRequired ? RequiredButMissing : NotInstalled);
        var asServiceUser = Environment.IsPrivilegedProcess;
        // Under /tmp, not a TMPDIR below /root: the postgres user must be able to reach it, and a
        // unix socket path may not exceed 107 bytes.
        var folder = Path.Combine(asServiceUser ? "/tmp" : Path.GetTempPath(), "cp-pg-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5)));
        Directory.CreateDirectory(folder);
        var node = new PostgresNode(Binaries, asServiceUser, folder);
        Live.TryAdd(node, 0);
        try
        {
            if (asServiceUser) await node.RunAsync("/bin/chown", [ServiceUser, folder], asUser: false, cancellationToken);
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

    public async ValueTask DisposeAsync()
    {
        if (!Live.TryRemove(this, out _)) return;
        try
        {
            if (PostmasterPid() is not null)
                await RunAsync(Path.Combine(_binaries, "pg_ctl"), ["-D", _dataFolder, "-m", "immediate", "-w", "stop"], asUser: true, default);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            KillNow();
        }
        NpgsqlConnection.ClearAllPools();
        TempDirectory.DeleteQuietly(Folder);
    }

    private async Task LaunchAsync(CancellationToken cancellationToken)
    {
        // fsync off: the tests kill the server process, never the machine, and a durable
        // commit per statement would make every test wait on the disk the other engineers share.
        var options = string.Join(' ',
            $"-p {Port}", $"-k {Folder}", "-c listen_addresses=127.0.0.1", "-c fsync=off", "-c full_page_writes=off",
            "-c max_connections=400", "-c shared_buffers=64MB");
        await RunAsync(Path.Combine(_binaries, "pg_ctl"), ["-D", _dataFolder, "-l", _logFile, "-o", options, "-w", "-t", "60", "start"], asUser: true, cancellationToken);
    }

    private int? PostmasterPid()
    {
        try
        {
            var first = File.ReadLines(Path.Combine(_dataFolder, "postmaster.pid")).FirstOrDefault();
            return int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && ProcessRunner.IsAlive(pid) ? pid : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private void KillNow()
    {
        if (PostmasterPid() is { } pid) ProcessRunner.KillHard(pid);
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
