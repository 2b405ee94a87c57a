using EBranch.Testing;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace EBranch.Tests.Reliability;

/// <summary>
/// Redis and PostgreSQL servers of the reliability tests' own, on their own ports, so they can be stopped
/// and restarted without touching the shared servers other tests use. The binaries are installed by
/// scripts/services.sh; their absence is a failure, not a skip.
/// </summary>
public static class IsolatedServices
{
    public const string PostgresCluster = "ebranch_faults";

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    internal static async Task<(int Code, string Output)> RunAsync(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"'{file}' is not installed: the reliability tests need Redis and PostgreSQL (scripts/services.sh installs them).", ex);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, await stdout + await stderr);
        }
    }

    internal static async Task RunCheckedAsync(string file, params string[] args)
    {
        var (code, output) = await RunAsync(file, args);
        if (code != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited with {code}: {output}");
        }
    }
}

/// <summary>A redis-server of its own on a free loopback port, without persistence.</summary>
public sealed class IsolatedRedis : IAsyncDisposable
{
    private IsolatedRedis(int port) => Port = port;

    public int Port { get; }
    public string ConnectionString => $"127.0.0.1:{Port}";
    private string PidFile => Path.Combine(Path.GetTempPath(), $"ebranch-faults-redis-{Port}.pid");

    public static async Task<IsolatedRedis> StartAsync()
    {
        var redis = new IsolatedRedis(IsolatedServices.FreePort());
        await redis.StartAgainAsync();
        return redis;
    }

    public async Task StartAgainAsync()
    {
        await IsolatedServices.RunCheckedAsync("redis-server", "--port", Port.ToString(), "--bind", "127.0.0.1", "--daemonize", "yes", "--save", "",
            "--appendonly", "no", "--pidfile", PidFile, "--logfile", Path.Combine(Path.GetTempPath(), $"ebranch-faults-redis-{Port}.log"));
        await Eventually.WaitUntilAsync(async () => (await IsolatedServices.RunAsync("redis-cli", "-p", Port.ToString(), "ping")).Output.Contains("PONG"), $"redis on {Port}",
            TimeSpan.FromSeconds(10));
    }

    public async Task StopAsync()
    {
        await IsolatedServices.RunAsync("redis-cli", "-p", Port.ToString(), "shutdown", "nosave");
        await Eventually.WaitUntilAsync(async () => (await IsolatedServices.RunAsync("redis-cli", "-p", Port.ToString(), "ping")).Code != 0
            || !(await IsolatedServices.RunAsync("redis-cli", "-p", Port.ToString(), "ping")).Output.Contains("PONG"), $"redis on {Port} to stop", TimeSpan.FromSeconds(10));
    }

    /// <summary>What this server was asked since it started (INFO commandstats: total calls).</summary>
    public async Task<long> CommandsProcessedAsync()
    {
        var (_, output) = await IsolatedServices.RunAsync("redis-cli", "-p", Port.ToString(), "info", "stats");
        var line = output.Split('\n').First(l => l.StartsWith("total_commands_processed:", StringComparison.Ordinal));
        return long.Parse(line["total_commands_processed:".Length..].Trim());
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}

/// <summary>
/// A PostgreSQL cluster of the reliability tests' own (<see cref="IsolatedServices.PostgresCluster"/>, created
/// once on a free port with <c>pg_createcluster</c>), which the tests may restart. Left stopped afterwards.
/// </summary>
public sealed class IsolatedPostgres : IAsyncDisposable
{
    private IsolatedPostgres(string version, int port)
    {
        Version = version;
        Port = port;
    }

    public string Version { get; }
    public int Port { get; }
    public string ServerConnectionString => $"Host=127.0.0.1;Port={Port};Username=ebranch;Password=ebranch;Database=postgres;Timeout=5;Command Timeout=15";

    public static async Task<IsolatedPostgres> StartAsync()
    {
        if (!Directory.Exists("/usr/lib/postgresql"))
        {
            throw new InvalidOperationException("PostgreSQL is not installed: the reliability tests need it (scripts/services.sh installs it).");
        }
        var version = Directory.GetDirectories("/usr/lib/postgresql").Select(Path.GetFileName).OrderBy(v => int.TryParse(v, out var n) ? n : 0).Last()!;
        var (_, clusters) = await IsolatedServices.RunAsync("pg_lsclusters", "-h");
        var mine = clusters.Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).FirstOrDefault(p => p.Length > 2 && p[0] == version && p[1] == IsolatedServices.PostgresCluster);
        int port;
        if (mine is null)
        {
            port = IsolatedServices.FreePort();
            await IsolatedServices.RunCheckedAsync("pg_createcluster", version, IsolatedServices.PostgresCluster, "--port", port.ToString());
        }
        else
        {
            port = int.Parse(mine[2]);
        }
        var postgres = new IsolatedPostgres(version, port);
        await postgres.CtlAsync("start");
        var exists = await postgres.PsqlAsync("SELECT 1 FROM pg_roles WHERE rolname='ebranch'");
        if (!exists.Contains('1'))
        {
            await postgres.PsqlAsync("CREATE ROLE ebranch LOGIN SUPERUSER PASSWORD 'ebranch'");
        }
        return postgres;
    }

    private async Task<string> PsqlAsync(string sql)
    {
        var (code, output) = await IsolatedServices.RunAsync("runuser", "-u", "postgres", "--", "psql", "-p", Port.ToString(), "-qtAc", sql);
        return code == 0 ? output : throw new InvalidOperationException($"psql: {output}");
    }

    /// <summary>start | stop | restart, then waits until the server answers (or no longer does).</summary>
    public async Task CtlAsync(string action)
    {
        var (code, output) = await IsolatedServices.RunAsync("pg_ctlcluster", Version, IsolatedServices.PostgresCluster, action);
        if (code != 0 && !(action == "start" && output.Contains("already running")) && !(action == "stop" && output.Contains("not running")))
        {
            throw new InvalidOperationException($"pg_ctlcluster {action}: {output}");
        }
        if (action != "stop")
        {
            await Eventually.WaitUntilAsync(async () => (await IsolatedServices.RunAsync("pg_isready", "-q", "-h", "127.0.0.1", "-p", Port.ToString())).Code == 0, $"PostgreSQL on {Port}",
                TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>A fresh database on this cluster and the configuration a host needs to use it.</summary>
    public async Task<Dictionary<string, string?>> CreateDatabaseAsync(string purpose)
    {
        var name = $"ebranch_faults_{purpose}_{Guid.NewGuid():N}"[..40].ToLowerInvariant();
        await using (var connection = new NpgsqlConnection(ServerConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }
        return new Dictionary<string, string?>
        {
            ["Security:PiiKey"] = EBranch.Testing.TestEnvironment.PiiKey,
            ["Database:MigrateOnStart"] = "true",
            ["ConnectionStrings:Postgres"] = new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = name }.ConnectionString,
        };
    }

    public async ValueTask DisposeAsync() => await CtlAsync("stop");
}
