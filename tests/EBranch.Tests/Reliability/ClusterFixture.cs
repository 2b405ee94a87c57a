using System.Collections.Concurrent;
using System.Net;
using EBranch.Tests.Gateway;
using EBranch.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Quartz;

namespace EBranch.Tests.Reliability;

/// <summary>
/// A small production cluster on one PostgreSQL database and one Redis of its own: two gateways running the dues jobs on
/// clustered Quartz, two consoles (one address behind a load balancer), one WeChat emulator. Every log line of the four
/// hosts is captured from the first start (migrations and the demo district included) at Debug.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    /// <summary>Short, so the repeating dues jobs (order sync, order expiry) fire many times while the tests run.</summary>
    public static readonly TimeSpan JobInterval = TimeSpan.FromSeconds(2);

    public IsolatedRedis Redis { get; private set; } = null!;
    public EmulatorHost Emulator { get; private set; } = null!;
    public GatewayFixture A { get; } = new();
    public GatewayFixture B { get; } = new();
    public ConsoleHost Console1 { get; private set; } = null!;
    public ConsoleHost Console2 { get; private set; } = null!;
    public CapturedLogs Logs { get; } = new();
    public Dictionary<string, string?> Settings { get; private set; } = null!;

    /// <summary>Every job execution the cluster's started schedulers reported, from the moment the fixture was up.</summary>
    public ConcurrentQueue<JobRun> Runs { get; } = new();

    /// <summary>Instance id → host name, for the schedulers that are started.</summary>
    public Dictionary<string, string> Nodes { get; } = [];

    public async Task InitializeAsync()
    {
        if (!Reliability.Enabled)
        {
            return;
        }
        Redis = await IsolatedRedis.StartAsync();
        Emulator = await EmulatorHost.StartAsync();
        Settings = await TestEnvironment.CreateDatabaseAsync("cluster", demo: true);
        Settings["ConnectionStrings:Redis"] = Redis.ConnectionString;
        var gatewaySettings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Redis"] = Redis.ConnectionString,
            ["Jobs:Enabled"] = "true",
            ["Dues:JobInterval"] = JobInterval.ToString(),
        };
        await A.StartAsync(Settings, Emulator, gatewaySettings, b => Logs.AddTo(b, "gateway-a"));
        await B.StartAsync(Settings, Emulator, gatewaySettings, b => Logs.AddTo(b, "gateway-b"));

        // The console's own configuration: its appsettings.json turns the dues jobs off.
        var console = new Dictionary<string, string?>(Settings);
        foreach (var (key, value) in Emulator.ProductSettings(A.Url + "/api/v1/pay/notify"))
        {
            console[key] = value;
        }
        Console1 = await ConsoleHost.StartAsync(console, b => Logs.AddTo(b, "console-1"));
        Console2 = await ConsoleHost.StartAsync(console, b => Logs.AddTo(b, "console-2"));

        foreach (var (name, services) in new[] { ("gateway-a", A.Services), ("gateway-b", B.Services), ("console-1", Console1.Services), ("console-2", Console2.Services) })
        {
            var scheduler = await services.GetRequiredService<ISchedulerFactory>().GetScheduler();
            if (scheduler.Status == SchedulerStatus.Running)
            {
                Nodes[scheduler.SchedulerInstanceId] = name;
                scheduler.ListenerManager.AddJobListener(new Recorder(Runs), []);
            }
        }
    }

    /// <summary>A browser: one cookie jar, sent to whichever console the load balancer picks.</summary>
    public (HttpClient One, HttpClient Two, CookieContainer Cookies) Browser()
    {
        var cookies = new CookieContainer();
        return (Console1.NewClient(cookies), Console2.NewClient(cookies), cookies);
    }

    /// <summary>A setting the gateways run with (database, PII key, WeChat configuration).</summary>
    public string GatewaySetting(string key) => (Settings.TryGetValue(key, out var value) ? value : Emulator.ProductSettings(A.Url)[key])!;

    public async Task DisposeAsync()
    {
        if (!Reliability.Enabled)
        {
            return;
        }
        foreach (var console in new[] { Console2, Console1 }.Where(c => c is not null))
        {
            await console.DisposeAsync();
        }
        await B.DisposeAsync();
        await A.DisposeAsync();
        if (Emulator is not null)
        {
            await Emulator.DisposeAsync();
        }
        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }
        // The four hosts and their schedulers shared one connection pool: give its idle connections back to the shared server now.
        await using var connection = new NpgsqlConnection(Settings["ConnectionStrings:Postgres"]);
        NpgsqlConnection.ClearPool(connection);
    }

    public sealed record JobRun(string Node, JobKey Job, TriggerKey Trigger, DateTimeOffset? ScheduledFireTime, string FireInstanceId, bool Failed);

    private sealed class Recorder(ConcurrentQueue<JobRun> runs) : IJobListener
    {
        public string Name => "cluster-fixture-recorder";

        public ValueTask JobToBeExecuted(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask JobExecutionVetoed(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask JobWasExecuted(IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken = default)
        {
            runs.Enqueue(new JobRun(context.Scheduler.SchedulerInstanceId, context.JobDetail.Key, context.Trigger.Key, context.ScheduledFireTimeUtc,
                context.FireInstanceId, jobException is not null));
            return ValueTask.CompletedTask;
        }
    }
}
