using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EBranch.Core.Common;
using EBranch.Core.Data;
using EBranch.Core.Dues;
using EBranch.Core.Hosting;
using EBranch.Core.Identity;
using EBranch.Core.Points;
using EBranch.Core.WeChatUsers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

// Bench-only helper (never part of the product). Reads ConnectionStrings__Postgres and Security__PiiKey from the environment.
//   users   --count N --emulator URL --out FILE             N emulator WeChat users bound to N demo members (those with unpaid bills
//                                                          first), one session each through Core's SessionService; FILE: token<TAB>memberId<TAB>openid
//   load    --url URL --users FILE --count N [--concurrency C] [--method GET] --out JSON
//                                                          POST (or GET) once per user (each request a different member's token)
//   verify-checkins --users FILE --count N --out JSON      each member: exactly one check_ins row today and one checkin point entry
//   orders  --gateway URL --emulator URL --users FILE --count N --capture URL --out FILE
//                                                          one dues order per member through the gateway, paid at the emulator;
//                                                          waits until the emulator's N notifications reached the capture endpoint
//   storm   --gateway URL --capture URL --orders FILE --copies K [--concurrency C] --out JSON
//                                                          replays each captured signed notification K times concurrently, then verifies
//   profile --users FILE [--count N]                        CPU and wall time per call of the services behind the read scenarios, in-process
//   report  --results DIR                                  prints the table of DIR/*.json and writes DIR/summary.json
var command = args.FirstOrDefault() ?? "";
string Arg(string name, string? fallback = null)
{
    var i = Array.IndexOf(args, "--" + name);
    return i > 0 && i + 1 < args.Length ? args[i + 1] : fallback ?? throw new ArgumentException($"--{name} is required");
}
int IntArg(string name, int? fallback = null) => int.Parse(Arg(name, fallback?.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

switch (command)
{
    case "users": await Users(); break;
    case "load": await LoadCmd(); break;
    case "verify-checkins": await VerifyCheckIns(); break;
    case "orders": await Orders(); break;
    case "storm": await Storm(); break;
    case "report": Report.Print(Arg("results")); break;
    case "profile": await Profile(); break;
    default:
        Console.Error.WriteLine("usage: users | load | verify-checkins | orders | storm | report (see bench/Tools/Program.cs)");
        return 2;
}
return Environment.ExitCode;

ServiceProvider Core()
{
    var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
    var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration);
    services.AddEBranchCore(configuration).AddEBranchDomain();
    return services.BuildServiceProvider();
}

List<(string Token, Guid MemberId, string OpenId)> ReadUsers(string file, int count)
    => File.ReadLines(file).Take(count).Select(l => l.Split('\t')).Select(p => (p[0], Guid.Parse(p[1]), p[2])).ToList();

async Task Users()
{
    var count = IntArg("count");
    using var emulator = new HttpClient { BaseAddress = new Uri(Arg("emulator")) };
    await using var sp = Core();
    var factory = sp.GetRequiredService<EBranchDbFactory>();
    var sessions = sp.GetRequiredService<SessionService>();
    List<Guid> members;
    await using (var db = factory.CreateForSystem())
    {
        members = await db.Members.AsNoTracking()
            .Where(m => !db.WeChatUsers.Any(u => u.MemberId == m.Id))
            .OrderByDescending(m => db.DuesBills.Any(b => b.MemberId == m.Id && b.Status == BillStatus.Unpaid)).ThenBy(m => m.Id)
            .Select(m => m.Id).Take(count).ToListAsync();
    }
    if (members.Count < count)
    {
        throw new InvalidOperationException($"only {members.Count} unbound members, {count} wanted");
    }
    var openIds = new string[count];
    await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
    {
        using var response = await emulator.PostAsJsonAsync("/_emulator/users", new { }, ct);
        response.EnsureSuccessStatusCode();
        openIds[i] = (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("openid").GetString()!;
    });
    // Logged in today already (as after the mini-program's launch), so the scenarios measure themselves, not the day's login.
    var loggedIn = DateTimeOffset.UtcNow;
    var users = members.Select((m, i) => new WeChatUser { OpenId = openIds[i], MemberId = m, LastLoginAt = loggedIn }).ToList();
    foreach (var chunk in users.Chunk(2000))
    {
        await using var db = factory.CreateForSystem();
        db.WeChatUsers.AddRange(chunk);
        await db.SaveChangesAsync();
    }
    var tokens = new string[count];
    await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        tokens[i] = (await sessions.IssueAsync(users[i].Id, ct)).Token);
    await File.WriteAllLinesAsync(Arg("out"), users.Select((u, i) => $"{tokens[i]}\t{u.MemberId}\t{u.OpenId}"));
    Console.WriteLine($"{count} users bound to members, sessions issued");
}

async Task LoadCmd()
{
    var url = Arg("url");
    var method = new HttpMethod(Arg("method", "POST"));
    var users = ReadUsers(Arg("users"), IntArg("count"));
    var result = await Load.RunAsync(users.Select(u => (Func<HttpRequestMessage>)(() =>
    {
        var request = new HttpRequestMessage(method, url) { Content = method == HttpMethod.Post ? new StringContent("", Encoding.UTF8, "application/json") : null };
        request.Headers.Authorization = new("Bearer", u.Token);
        return request;
    })).ToList(), IntArg("concurrency", 64));
    await File.WriteAllTextAsync(Arg("out"), result.ToJsonString());
    Console.WriteLine(result.ToJsonString());
}

async Task VerifyCheckIns()
{
    var ids = ReadUsers(Arg("users"), IntArg("count")).Select(u => u.MemberId).ToList();
    await using var sp = Core();
    await using var db = sp.GetRequiredService<EBranchDbFactory>().CreateForSystem();
    var today = DistrictTime.Today(TimeProvider.System);
    var source = "checkin:" + today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    var checkIns = await db.CheckIns.Where(c => ids.Contains(c.MemberId) && c.Day == today).GroupBy(c => c.MemberId)
        .Select(g => new { g.Key, N = g.Count() }).ToListAsync();
    var entries = await db.PointEntries.Where(e => ids.Contains(e.MemberId) && e.Action == PointActions.CheckIn && e.SourceKey == source)
        .GroupBy(e => e.MemberId).Select(g => new { g.Key, N = g.Count() }).ToListAsync();
    var ok = checkIns.Count == ids.Count && checkIns.All(c => c.N == 1) && entries.Count == ids.Count && entries.All(e => e.N == 1);
    var check = $"{checkIns.Count(c => c.N == 1)}/{ids.Count} members with exactly 1 check-in today, {entries.Count(e => e.N == 1)}/{ids.Count} with exactly 1 checkin point entry";
    await File.WriteAllTextAsync(Arg("out"), new JsonObject { ["ok"] = ok, ["check"] = check }.ToJsonString());
    Console.WriteLine((ok ? "OK   " : "FAIL ") + check);
}

async Task Orders()
{
    var count = IntArg("count");
    var users = ReadUsers(Arg("users"), int.MaxValue);
    using var gateway = new HttpClient { BaseAddress = new Uri(Arg("gateway")), Timeout = TimeSpan.FromSeconds(60) };
    using var emulator = new HttpClient { BaseAddress = new Uri(Arg("emulator")), Timeout = TimeSpan.FromSeconds(60) };
    using var capture = new HttpClient { BaseAddress = new Uri(Arg("capture")) };
    Dictionary<Guid, int> months;
    await using (var sp = Core())
    await using (var db = sp.GetRequiredService<EBranchDbFactory>().CreateForSystem())
    {
        var ids = users.Select(u => u.MemberId).ToList();
        months = (await db.DuesBills.Where(b => ids.Contains(b.MemberId) && b.Status == BillStatus.Unpaid).GroupBy(b => b.MemberId)
            .Select(g => new { g.Key, Month = g.Min(b => b.Month) }).ToListAsync()).ToDictionary(x => x.Key, x => x.Month);
    }
    var payers = users.Where(u => months.ContainsKey(u.MemberId)).Take(count).ToList();
    if (payers.Count < count)
    {
        throw new InvalidOperationException($"only {payers.Count} bench members have unpaid bills, {count} wanted");
    }
    var orders = new string[count];
    var failures = 0;
    await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/dues/orders")
        {
            Content = JsonContent.Create(new { months = new[] { months[payers[i].MemberId] }, extraFen = 0 }),
        };
        request.Headers.Authorization = new("Bearer", payers[i].Token);
        using var response = await gateway.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            if (Interlocked.Increment(ref failures) <= 3)
            {
                Console.Error.WriteLine($"order for {payers[i].MemberId}: {(int)response.StatusCode} {text}");
            }
            return;
        }
        orders[i] = JsonDocument.Parse(text).RootElement.GetProperty("outTradeNo").GetString()!;
    });
    if (failures > 0)
    {
        throw new InvalidOperationException($"{failures} of {count} orders could not be created");
    }
    await capture.DeleteAsync("/captured");
    await Parallel.ForEachAsync(orders, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (no, ct) =>
    {
        using var response = await emulator.PostAsJsonAsync($"/_emulator/orders/{no}/pay", new { outcome = "success" }, ct);
        response.EnsureSuccessStatusCode();
    });
    var deadline = DateTime.UtcNow.AddSeconds(60);
    while (int.Parse(await capture.GetStringAsync("/captured/count"), CultureInfo.InvariantCulture) < count)
    {
        if (DateTime.UtcNow > deadline)
        {
            throw new InvalidOperationException("the emulator's notifications did not all arrive at the capture endpoint");
        }
        await Task.Delay(100);
    }
    await File.WriteAllLinesAsync(Arg("out"), orders.Select((o, i) => $"{o}\t{payers[i].MemberId}"));
    Console.WriteLine($"{count} orders created through the gateway and paid at the emulator; {count} signed notifications captured");
}

async Task Storm()
{
    var copies = IntArg("copies");
    var gateway = Arg("gateway").TrimEnd('/');
    var orders = File.ReadLines(Arg("orders")).Select(l => l.Split('\t')).ToDictionary(p => p[0], p => Guid.Parse(p[1]));
    using var capture = new HttpClient { BaseAddress = new Uri(Arg("capture")) };
    var captured = await capture.GetFromJsonAsync<JsonElement[]>("/captured") ?? [];
    // The K copies of one notification are adjacent, so they are in flight at the same time.
    var requests = captured.SelectMany(n => Enumerable.Repeat(n, copies)).Select(n => (Func<HttpRequestMessage>)(() =>
    {
        var request = new HttpRequestMessage(HttpMethod.Post, gateway + "/api/v1/pay/notify")
        {
            Content = new StringContent(n.GetProperty("body").GetString()!, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Wechatpay-Timestamp", n.GetProperty("timestamp").GetString());
        request.Headers.Add("Wechatpay-Nonce", n.GetProperty("nonce").GetString());
        request.Headers.Add("Wechatpay-Signature", n.GetProperty("signature").GetString());
        request.Headers.Add("Wechatpay-Serial", n.GetProperty("serial").GetString());
        return request;
    })).ToList();
    var age = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - captured.Select(n => long.Parse(n.GetProperty("timestamp").GetString()!, CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Min();
    var result = await Load.RunAsync(requests, IntArg("concurrency", 64));

    // Correctness: exactly the captured orders paid, once each, every bill of theirs paid by its order, one dues point entry per member.
    var numbers = orders.Keys.ToList();
    var members = orders.Values.ToList();
    await using var sp = Core();
    await using var db = sp.GetRequiredService<EBranchDbFactory>().CreateForSystem();
    var deadline = DateTime.UtcNow.AddSeconds(30);
    int paid, credited;
    do
    {
        paid = await db.PayOrders.CountAsync(o => numbers.Contains(o.OutTradeNo) && o.Status == PayOrderStatus.Paid);
        credited = await db.PayOrders.CountAsync(o => numbers.Contains(o.OutTradeNo) && o.PointsCredited);
        if (credited == numbers.Count || DateTime.UtcNow > deadline) break;
        await Task.Delay(200);
    } while (true);
    var billsPaid = await db.DuesBills.CountAsync(b => members.Contains(b.MemberId) && b.PaidByOrderId != null);
    var duesEntries = await db.PointEntries.Where(e => members.Contains(e.MemberId) && e.Action == PointActions.DuesPayment)
        .GroupBy(e => e.MemberId).Select(g => g.Count()).ToListAsync();
    var expected = numbers.Count;
    var total = result["requests"]!.GetValue<long>();
    var ok2xx = result["status2xx"]!.GetValue<long>();
    var ok = captured.Length == expected && total == (long)expected * copies && ok2xx == total && paid == expected && credited == expected
        && billsPaid == expected && duesEntries.Count == expected && duesEntries.All(n => n == 1);
    result["ok"] = ok;
    result["check"] = $"{ok2xx}/{total} answered 2xx, {paid}/{expected} orders paid ({credited} credited), {billsPaid} bills paid by them, "
        + $"{duesEntries.Count(n => n == 1)}/{expected} members with exactly 1 dues point entry; oldest notification {age}s old at replay";
    await File.WriteAllTextAsync(Arg("out"), result.ToJsonString());
    Console.WriteLine((ok ? "OK   " : "FAIL ") + result["check"]);
}

async Task Profile()
{
    var users = ReadUsers(Arg("users"), IntArg("count", 300));
    await using var sp = Core();
    var factory = sp.GetRequiredService<EBranchDbFactory>();
    var space = sp.GetRequiredService<EBranch.Core.PersonalSpace.PersonalSpaceService>();
    var rankings = sp.GetRequiredService<RankingService>();
    var points = sp.GetRequiredService<PointsEngine>();
    var checkIns = sp.GetRequiredService<EBranch.Core.CheckIns.CheckInService>();
    var sessions = sp.GetRequiredService<SessionService>();
    var regions = sp.GetRequiredService<EBranch.Core.Regions.RegionService>();
    (string Name, Func<(string Token, Guid MemberId, string OpenId), Task> Call)[] calls = new (string Name, Func<(string Token, Guid MemberId, string OpenId), Task> Call)[]
    {
        ("raw Npgsql query by id", async u =>
        {
            await using var connection = new Npgsql.NpgsqlConnection(factory.Options.ConnectionString);
            await connection.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand("SELECT name FROM members WHERE id = $1", connection) { Parameters = { new() { Value = u.MemberId } } };
            await command.ExecuteScalarAsync();
        }),
        ("context only", async _ => { await using var db = factory.CreateForSystem(); await Task.CompletedTask; }),
        ("context + 1 query by id", async u => { await using var db = factory.CreateForSystem(); await db.Members.Where(m => m.Id == u.MemberId).Select(m => m.Name).FirstAsync(); }),
        ("session validate (cached)", async u => await sessions.ValidateAsync(u.Token)),
        ("regions tree (cached)", async _ => await regions.GetTreeAsync()),
        ("points balance", async u => await points.BalanceAsync(u.MemberId)),
        ("check-in status", async u => await checkIns.StatusAsync(u.MemberId)),
        ("rank of (week, branch)", async u =>
        {
            await using var db = factory.CreateForSystem();
            var org = await db.Members.Where(m => m.Id == u.MemberId).Select(m => m.OrganizationId).FirstAsync();
            await rankings.RankOfAsync(org, u.MemberId, PointPeriod.Week);
        }),
        ("personal space (whole)", async u => await space.GetAsync(u.MemberId)),
    };
    // Does EF compile the query again on every call? (counts EF's own "compiling query" events)
    var compiles = 0;
    var logged = new DbContextOptionsBuilder<PostgresEBranchDbContext>()
        .UseNpgsql(factory.Options.ConnectionString).UseSnakeCaseNamingConvention()
        .LogTo(_ => Interlocked.Increment(ref compiles), [Microsoft.EntityFrameworkCore.Diagnostics.CoreEventId.QueryCompilationStarting])
        .Options;
    foreach (var u in users.Take(10))
    {
        await using var db = new PostgresEBranchDbContext(logged, EBranch.Core.Accounts.Caller.System, TimeProvider.System);
        await db.Members.Where(m => m.Id == u.MemberId).Select(m => m.Name).FirstAsync();
    }
    Console.WriteLine($"EF query compilations for 10 executions of one query: {compiles}");
    var process = Process.GetCurrentProcess();
    var redis = sp.GetService<StackExchange.Redis.IConnectionMultiplexer>();
    var redisSession = new StackExchange.Redis.Profiling.ProfilingSession();
    redis?.RegisterProfiler(() => redisSession);
    long sqlCommands = 0, sqlTicks = 0;
    var statements = new System.Collections.Concurrent.ConcurrentDictionary<string, (int Count, long Ticks)>();
    using var listener = new ActivityListener
    {
        ShouldListenTo = source => source.Name == "Npgsql",
        Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
        ActivityStopped = activity =>
        {
            Interlocked.Increment(ref sqlCommands);
            Interlocked.Add(ref sqlTicks, activity.Duration.Ticks);
            var text = (activity.GetTagItem("db.query.text") ?? activity.GetTagItem("db.statement"))?.ToString() ?? activity.DisplayName;
            statements.AddOrUpdate(string.Join(' ', text.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries)).PadRight(90)[..90].TrimEnd(),
                _ => (1, activity.Duration.Ticks), (_, v) => (v.Count + 1, v.Ticks + activity.Duration.Ticks));
        },
    };
    ActivitySource.AddActivityListener(listener);
    var checkInUsers = users.Skip(users.Count / 2).ToList();
    calls = [.. calls,
        ("ranking endpoint (3 calls)", async u =>
        {
            await using var db = factory.CreateForSystem();
            var org = await db.Members.Where(m => m.Id == u.MemberId).Select(m => m.OrganizationId).FirstAsync();
            await rankings.GetAsync(org, PointPeriod.Week, 20);
            await rankings.RankOfAsync(org, u.MemberId, PointPeriod.Week);
        }),
        ("check-in (first of the day)", async u => await checkIns.CheckInAsync(u.MemberId)),
    ];
    Console.WriteLine($"{"call",-28} {"wall ms",8} {"cpu ms",8} {"SQL cmds",9} {"SQL ms",8} {"Redis cmds",11}");
    foreach (var (name, call) in calls)
    {
        var set = name.StartsWith("check-in", StringComparison.Ordinal) ? checkInUsers : users;
        var warm = set.Take(20).ToList();
        var measured = set.Skip(20).Take(Math.Max(1, name.StartsWith("check-in", StringComparison.Ordinal) ? checkInUsers.Count - 20 : set.Count)).ToList();
        foreach (var u in warm) await call(u); // warm: query compilation, caches
        redisSession.FinishProfiling();
        Interlocked.Exchange(ref sqlCommands, 0);
        Interlocked.Exchange(ref sqlTicks, 0);
        statements.Clear();
        process.Refresh();
        var cpu = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        foreach (var u in measured) await call(u);
        process.Refresh();
        var n = (double)measured.Count;
        var redisCommands = redisSession.FinishProfiling().Count();
        Console.WriteLine($"{name,-28} {wall.Elapsed.TotalMilliseconds / n,8:0.00} {(process.TotalProcessorTime - cpu).TotalMilliseconds / n,8:0.00} "
            + $"{Interlocked.Read(ref sqlCommands) / n,9:0.0} {TimeSpan.FromTicks(Interlocked.Read(ref sqlTicks)).TotalMilliseconds / n,8:0.00} {redisCommands / n,11:0.0}");
        if (args.Contains("--statements"))
        {
            foreach (var (text, (count, ticks)) in statements.OrderByDescending(x => x.Value.Ticks))
            {
                Console.WriteLine($"    {count / n,5:0.0}x {TimeSpan.FromTicks(ticks).TotalMilliseconds / n,7:0.00} ms  {text}");
            }
        }
    }
}

/// <summary>A closed-loop load of a fixed list of requests at a fixed concurrency (each request sent exactly once).</summary>
internal static class Load
{
    public static async Task<JsonObject> RunAsync(IReadOnlyList<Func<HttpRequestMessage>> requests, int concurrency)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, PooledConnectionLifetime = Timeout.InfiniteTimeSpan, UseProxy = false };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        var latencies = new double[requests.Count];
        var statuses = new int[requests.Count];
        var next = -1;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < requests.Count)
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var request = requests[i]();
                    using var response = await client.SendAsync(request);
                    await response.Content.LoadIntoBufferAsync();
                    statuses[i] = (int)response.StatusCode;
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    statuses[i] = 0;
                }
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        })).ToArray();
        await Task.WhenAll(workers);
        var seconds = clock.Elapsed.TotalSeconds;
        Array.Sort(latencies);
        double Pct(double p) => latencies.Length == 0 ? 0 : latencies[Math.Min(latencies.Length - 1, (int)Math.Ceiling(p * latencies.Length) - 1)];
        var byStatus = new JsonObject();
        foreach (var g in statuses.GroupBy(s => s).OrderBy(g => g.Key))
        {
            byStatus[g.Key.ToString(CultureInfo.InvariantCulture)] = g.Count();
        }
        return new JsonObject
        {
            ["requests"] = (long)requests.Count, ["seconds"] = Math.Round(seconds, 3), ["rps"] = Math.Round(requests.Count / seconds, 1),
            ["p50_ms"] = Math.Round(Pct(0.50), 2), ["p99_ms"] = Math.Round(Pct(0.99), 2),
            ["status2xx"] = (long)statuses.Count(s => s is >= 200 and < 300), ["errors"] = (long)statuses.Count(s => s is < 200 or >= 300),
            ["status5xx"] = (long)statuses.Count(s => s >= 500), ["statuses"] = byStatus, ["concurrency"] = concurrency,
        };
    }
}
