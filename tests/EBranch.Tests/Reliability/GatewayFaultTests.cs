using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EBranch.Core.Demo;
using EBranch.Core.Dues;
using EBranch.Tests.Gateway;
using EBranch.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace EBranch.Tests.Reliability;

/// <summary>
/// WeChat misbehaving under real gateway endpoints: the emulator answers 5xx (or errcode -1), answers too late for
/// the product's timeouts (before or after the call took effect), or refuses access tokens (40001). The mini-program
/// gets a clean 503 ProblemDetails <c>service_unavailable</c> with a zh-CN title, the product retries only where it
/// is safe and only a bounded number of times (counted at the emulator), nothing is done twice at WeChat, and the
/// same action succeeds once the fault clears.
/// </summary>
[Collection(ReliabilityCollection.Name)]
[Trait(Reliability.Category, Reliability.Name)]
public sealed partial class GatewayFaultTests : IClassFixture<GatewayFaultTests.Setup>
{
    private const string Login = "/sns/jscode2session";
    private const string PhoneNumber = "/wxa/business/getuserphonenumber";
    private const string SubscribeSend = "/cgi-bin/message/subscribe/send";
    private const string Jsapi = "/v3/pay/transactions/jsapi";
    private const string Refunds = "/v3/refund/domestic/refunds";
    // Short client timeouts, so that "too slow" costs little; a forced token refresh is not repeated within 2 s.
    private static readonly TimeSpan MiniProgramTimeout = TimeSpan.FromSeconds(1.5), PayTimeout = TimeSpan.FromSeconds(1), ForceRefreshInterval = TimeSpan.FromSeconds(2);
    private const int TooSlowMs = 3000;

    private readonly Setup _setup;
    private readonly ITestOutputHelper _output;

    public GatewayFaultTests(Setup setup, ITestOutputHelper output)
    {
        _setup = setup;
        _output = output;
    }

    private GatewayFixture Gateway => _setup.Helper;
    private EmulatorHost Emulator => _setup.Emulator;

    /// <summary>
    /// The emulator, an in-process gateway on a fresh PostgreSQL database (no Redis: the shared test Redis holds one
    /// access token per appid for every test's emulator), and the same gateway as an OS process that receives the
    /// WeChat Pay notifications (see GatewayFaultTests.Killed.cs). The tests leave the process running.
    /// </summary>
    public sealed class Setup : IAsyncLifetime
    {
        public EmulatorHost Emulator { get; private set; } = null!;
        public GatewayFixture Helper { get; private set; } = null!;
        public GatewayProcess Process { get; private set; } = null!;
        public string ConnectionString { get; private set; } = "";
        public string StartTimes { get; private set; } = "";

        public async Task InitializeAsync()
        {
            if (!Reliability.Enabled)
            {
                return;
            }
            Emulator = await EmulatorHost.StartAsync();
            var database = await TestEnvironment.CreateDatabaseAsync("faults", demo: true);
            // No Redis for the process either: a lock held in Redis by the killed process would only make the restarted one wait out its lease.
            database.Remove("ConnectionStrings:Redis");
            // Two hosts and the tests share the PostgreSQL server with every other test: a modest pool each.
            ConnectionString = new Npgsql.NpgsqlConnectionStringBuilder(database["ConnectionStrings:Postgres"]) { MaxPoolSize = 20 }.ConnectionString;
            database["ConnectionStrings:Postgres"] = ConnectionString;
            var port = IsolatedServices.FreePort();
            var notifyUrl = $"http://127.0.0.1:{port}/api/v1/pay/notify";
            var clock = System.Diagnostics.Stopwatch.StartNew();
            Helper = new GatewayFixture();
            await Helper.StartAsync(database, Emulator, new Dictionary<string, string?>
            {
                ["ConnectionStrings:Redis"] = "",
                ["WeChat:Pay:NotifyUrl"] = notifyUrl,
                ["WeChat:Pay:Timeout"] = PayTimeout.ToString(),
                ["WeChat:MiniProgram:Timeout"] = MiniProgramTimeout.ToString(),
                ["WeChat:MiniProgram:ForceRefreshInterval"] = ForceRefreshInterval.ToString(),
            });
            var settings = new Dictionary<string, string?>(database) { ["Jobs:Enabled"] = "false" };
            foreach (var (key, value) in Emulator.ProductSettings(notifyUrl))
            {
                settings[key] = value;
            }
            var helperStarted = clock.ElapsedMilliseconds;
            Process = await GatewayProcess.StartAsync(settings, port);
            StartTimes = $"in-process gateway (migrations, demo district) started in {helperStarted} ms, the process in {clock.ElapsedMilliseconds - helperStarted} ms";
        }

        public async Task DisposeAsync()
        {
            if (!Reliability.Enabled)
            {
                return;
            }
            await Process.DisposeAsync();
            await Helper.DisposeAsync();
            await Emulator.DisposeAsync();
            // The database is not used again: close the idle connections the in-process gateway and the tests kept.
            Npgsql.NpgsqlConnection.ClearPool(new Npgsql.NpgsqlConnection(ConnectionString));
        }
    }

    [ReliabilityFact]
    public async Task Login_WeChat5xxBusyOrSlow_Answers503_WithoutRetrying_ThenSucceeds()
    {
        _output.WriteLine(_setup.StartTimes);
        foreach (var (what, fault, body) in Faults(Login))
        {
            await ClearFaultsAsync();
            var (openId, code) = await Emulator.NewUserAsync();
            var calls = await CallsAsync(Login);
            await FaultAsync(fault, body);

            await AssertUnavailableAsync(await Gateway.Client.PostAsJsonAsync("/api/v1/auth/login", new { code }), $"login, {what}");
            Assert.Equal(calls + 1, await CallsAsync(Login));
            await using (var db = Gateway.SystemDb())
            {
                Assert.False(await db.WeChatUsers.AnyAsync(u => u.OpenId == openId), what);
            }

            // The user simply tries again (a fresh wx.login code, as the mini-program does).
            var again = await Gateway.Client.PostAsJsonAsync("/api/v1/auth/login", new { code = await Emulator.NewCodeAsync(openId) });
            Assert.True(again.StatusCode == HttpStatusCode.OK, $"{what}: {(int)again.StatusCode} {await again.Content.ReadAsStringAsync()}");
        }
    }

    [ReliabilityFact]
    public async Task PhoneBinding_UnderWeChatFaults_AndA40001BurstAndStorm_RefreshesTheTokenOnce_AndFailsCleanly()
    {
        await ClearFaultsAsync();
        // Any token an earlier test forced ages past the interval, so this test's burst may force one.
        await Task.Delay(ForceRefreshInterval + TimeSpan.FromMilliseconds(200));
        var warm = await PhoneUserAsync("手机暖");
        await AssertBoundAsync(await BindAsync(warm), "warm-up");

        // 5xx, errcode -1, too slow: 503, one call, the code is not spent, and the same binding then succeeds.
        var n = 0;
        foreach (var (what, fault, body) in Faults(PhoneNumber))
        {
            await ClearFaultsAsync();
            var user = await PhoneUserAsync($"手机故障{n++}");
            var calls = await CallsAsync(PhoneNumber);
            await FaultAsync(fault, body);
            await AssertUnavailableAsync(await BindAsync(user), $"phone binding, {what}");
            Assert.Equal(calls + 1, await CallsAsync(PhoneNumber));
            await AssertBoundAsync(await BindAsync(user), $"after {what}");
        }

        // A longer outage does not use up the user's attempts (5 an hour): eight tries, eight 503s, none a 429; then bound.
        await ClearFaultsAsync();
        var patient = await PhoneUserAsync("手机耐心");
        await FaultAsync("/_emulator/faults/fail-next", new { count = 1000, status = 502, path = PhoneNumber, http = true });
        for (var i = 0; i < 8; i++)
        {
            await AssertUnavailableAsync(await BindAsync(patient), $"outage, try {i + 1}");
        }
        await ClearFaultsAsync();
        await AssertBoundAsync(await BindAsync(patient), "after the outage");

        // A burst: the token is revoked and six bindings need it at once. One forced stable_token, everyone bound.
        await ClearFaultsAsync();
        var burst = new List<PhoneUser>();
        for (var i = 0; i < 6; i++)
        {
            burst.Add(await PhoneUserAsync($"手机潮{i}"));
        }
        var (tokens, forced, calls0) = (await CounterAsync("stable_token"), await CounterAsync("forced_refreshes"), await CallsAsync(PhoneNumber));
        await FaultAsync("/_emulator/faults/invalidate-token", new { });
        foreach (var response in await Task.WhenAll(burst.Select(BindAsync)))
        {
            await AssertBoundAsync(response, "40001 burst");
        }
        Assert.Equal(tokens + 1, await CounterAsync("stable_token"));
        Assert.Equal(forced + 1, await CounterAsync("forced_refreshes"));
        var burstCalls = await CallsAsync(PhoneNumber) - calls0;
        _output.WriteLine($"40001 burst: {burstCalls} getuserphonenumber calls for {burst.Count} bindings, 1 forced refresh");
        Assert.InRange(burstCalls, burst.Count + 1, 2 * burst.Count);

        // A storm: every token is refused. Each binding calls at most twice, at most one forced refresh in all, 503 to each.
        var storm = new List<PhoneUser>();
        for (var i = 0; i < 4; i++)
        {
            storm.Add(await PhoneUserAsync($"手机暴{i}"));
        }
        (tokens, forced, calls0) = (await CounterAsync("stable_token"), await CounterAsync("forced_refreshes"), await CallsAsync(PhoneNumber));
        await FaultAsync("/_emulator/faults/reject-token", new { count = 1000 });
        foreach (var response in await Task.WhenAll(storm.Select(BindAsync)))
        {
            await AssertUnavailableAsync(response, "40001 storm");
        }
        var stormCalls = await CallsAsync(PhoneNumber) - calls0;
        var stormForced = await CounterAsync("forced_refreshes") - forced;
        _output.WriteLine($"40001 storm: {stormCalls} getuserphonenumber calls for {storm.Count} bindings, {stormForced} forced refreshes");
        Assert.InRange(stormCalls, storm.Count, 2 * storm.Count);
        Assert.InRange(stormForced, 0, 1);
        Assert.InRange(await CounterAsync("stable_token") - tokens, 0, 1);

        // Over: the same codes (never spent) bind everyone.
        await ClearFaultsAsync();
        foreach (var user in storm)
        {
            await AssertBoundAsync(await BindAsync(user), "after the storm");
        }
    }

    [ReliabilityFact]
    public async Task DuesOrder_WeChatPay5xxOrSlow_IsRetriedWithTheSameOutTradeNo_AndNothingIsOrderedTwice()
    {
        await ClearFaultsAsync();

        // 5xx on every attempt: three attempts (the first + two retries), 503, the order closed here and absent at WeChat.
        var (payer, memberId, openId) = await Gateway.NewPayingMemberAsync("支付五百");
        var calls = await CallsAsync(Jsapi);
        await FaultAsync("/_emulator/faults/fail-next", new { count = 3, status = 500, path = Jsapi });
        await AssertUnavailableAsync(await OrderAsync(payer), "prepay, 5xx");
        Assert.Equal(calls + 3, await CallsAsync(Jsapi));
        Assert.Empty(await OrdersAtWeChatAsync(openId));
        Assert.Equal([PayOrderStatus.Closed], await OrdersHereAsync(memberId));
        // Fault over: the same tap succeeds, one order at WeChat.
        var paid = await OrderAsync(payer);
        Assert.Equal(HttpStatusCode.OK, paid.StatusCode);
        var outTradeNo = (await paid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outTradeNo").GetString()!;
        Assert.Equal([outTradeNo], await OrdersAtWeChatAsync(openId));

        // 5xx twice, then an answer: one order, retried with the same out_trade_no.
        (payer, memberId, openId) = await Gateway.NewPayingMemberAsync("支付重试");
        calls = await CallsAsync(Jsapi);
        await FaultAsync("/_emulator/faults/fail-next", new { count = 2, status = 503, path = Jsapi });
        var retried = await OrderAsync(payer);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Equal(calls + 3, await CallsAsync(Jsapi));
        Assert.Equal([(await retried.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outTradeNo").GetString()!], await OrdersAtWeChatAsync(openId));

        // Too slow on every attempt (nothing reaches WeChat): 503 after three attempts, the order closed here, none at WeChat.
        (payer, memberId, openId) = await Gateway.NewPayingMemberAsync("支付超时");
        calls = await CallsAsync(Jsapi);
        await FaultAsync("/_emulator/faults/delay", new { milliseconds = TooSlowMs, count = 3, path = Jsapi });
        await AssertUnavailableAsync(await OrderAsync(payer), "prepay, timeouts");
        Assert.Equal(calls + 3, await CallsAsync(Jsapi));
        Assert.Empty(await OrdersAtWeChatAsync(openId));
        Assert.Equal([PayOrderStatus.Closed], await OrdersHereAsync(memberId));

        // Answers lost after WeChat created the order: the retries with the same out_trade_no find it, one order in all.
        (payer, memberId, openId) = await Gateway.NewPayingMemberAsync("支付丢包");
        calls = await CallsAsync(Jsapi);
        await FaultAsync("/_emulator/faults/delay", new { milliseconds = TooSlowMs, count = 2, path = Jsapi, after = true });
        var lost = await OrderAsync(payer);
        Assert.Equal(HttpStatusCode.OK, lost.StatusCode);
        Assert.Equal(calls + 3, await CallsAsync(Jsapi));
        outTradeNo = (await lost.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outTradeNo").GetString()!;
        Assert.Equal([outTradeNo], await OrdersAtWeChatAsync(openId));
        Assert.Equal([PayOrderStatus.Waiting], await OrdersHereAsync(memberId));
    }

    [ReliabilityFact]
    public async Task DuesReminders_UnderWeChatFaults_SendAtMostOneMessageEach_WithBoundedCalls()
    {
        await ClearFaultsAsync();
        var openIds = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var (_, memberId, openId) = await Gateway.NewPayingMemberAsync($"提醒{i}");
            openIds.Add(openId);
            // Two accepted subscriptions each: a second message would be delivered, so a duplicate would show.
            (await Emulator.Control.PostAsJsonAsync($"/_emulator/users/{openId}/subscriptions", new { templateIds = new[] { GatewayFixture.ReminderTemplateId }, count = 2 }))
                .EnsureSuccessStatusCode();
            if (i == 0)
            {
                await Gateway.RemindTodayAsync(memberId);
            }
        }
        var reminders = Gateway.Services.GetRequiredService<DuesReminderService>();

        // Every token refused; then errcode -1; then HTTP 502: nothing delivered, failures counted, one call per member
        // (two where a refused token was refreshed once), at most one forced refresh.
        var forced = await CounterAsync("forced_refreshes");
        foreach (var (what, fault, body) in new (string, string, object)[]
        {
            ("40001 storm", "/_emulator/faults/reject-token", new { count = 100_000 }),
            ("errcode -1", "/_emulator/faults/fail-next", new { count = 100_000, path = SubscribeSend }),
            ("HTTP 502", "/_emulator/faults/fail-next", new { count = 100_000, status = 502, path = SubscribeSend, http = true }),
        })
        {
            await ClearFaultsAsync();
            await FaultAsync(fault, body);
            var calls = await CallsAsync(SubscribeSend);
            var run = await reminders.SendDueRemindersAsync();
            var made = await CallsAsync(SubscribeSend) - calls;
            _output.WriteLine($"reminders, {what}: {run} with {made} subscribe/send calls");
            Assert.True(run.Candidates >= openIds.Count, what);
            Assert.Equal((0, run.Candidates), (run.Sent, run.Failed));
            Assert.InRange(made, 1, what.StartsWith("40001", StringComparison.Ordinal) ? run.Candidates + 1 : run.Candidates);
            Assert.Empty(await RemindersToAsync(openIds));
        }
        Assert.InRange(await CounterAsync("forced_refreshes") - forced, 0, 1);

        // Fault over, but one answer is lost after WeChat delivered the message: it is counted failed and not resent.
        await ClearFaultsAsync();
        await FaultAsync("/_emulator/faults/delay", new { milliseconds = TooSlowMs, count = 1, path = SubscribeSend, after = true });
        var before = await CallsAsync(SubscribeSend);
        var last = await reminders.SendDueRemindersAsync();
        Assert.Equal(last.Candidates, await CallsAsync(SubscribeSend) - before);
        Assert.Equal((1, 1), (last.Failed, last.Unconfirmed));
        var messages = await RemindersToAsync(openIds);
        Assert.Equal(openIds.Order(), messages.Order());

        // The job runs again that day: the reminder whose answer was lost is not sent a second time (its member still has
        // an accepted subscription, so a resend would be delivered and show here), nor any other.
        var again = await reminders.SendDueRemindersAsync();
        Assert.Equal((0, 0), (again.Sent, again.Unconfirmed));
        Assert.Equal(openIds.Order(), (await RemindersToAsync(openIds)).Order());
    }

    [ReliabilityFact]
    public async Task Refund_WeChatPay5xx_IsLeftForTheSync_AndALostAnswer_NeverRefundsTwice()
    {
        await ClearFaultsAsync();
        var township = await Gateway.AsConsoleUser<DuesRefundService>(DemoIdentities.TownshipAdmin);

        // 5xx on every attempt: approval still succeeds (the refund is owed), nothing at WeChat; the sync does it, once.
        var (memberId, outTradeNo) = await PaidOrderAsync("退款五百");
        var refundId = await (await Gateway.AsConsoleUser<DuesRefundService>(DemoIdentities.BranchSecretary)).RequestAsync(outTradeNo, "重复缴纳");
        var calls = await CallsAsync(Refunds);
        await FaultAsync("/_emulator/faults/fail-next", new { count = 3, status = 500, path = Refunds });
        await township.ApproveAsync(refundId);
        Assert.Equal(calls + 3, await CallsAsync(Refunds));
        Assert.Empty(await RefundsAtWeChatAsync(outTradeNo));
        await using (var db = Gateway.SystemDb())
        {
            Assert.Equal(RefundStatus.Approved, (await db.DuesRefunds.AsNoTracking().SingleAsync(r => r.Id == refundId)).Status);
        }
        await ClearFaultsAsync();
        await township.SyncAsync();
        await WaitForRefundedAsync(outTradeNo);
        calls = await CallsAsync(Refunds);
        await township.SyncAsync();
        Assert.Equal(calls, await CallsAsync(Refunds));
        Assert.Single(await RefundsAtWeChatAsync(outTradeNo));
        await AssertRefundedOnceAsync(memberId, outTradeNo);

        // The answer is lost after WeChat accepted the refund: the retry (same out_refund_no) finds it; one refund.
        (memberId, outTradeNo) = await PaidOrderAsync("退款丢包");
        refundId = await (await Gateway.AsConsoleUser<DuesRefundService>(DemoIdentities.BranchSecretary)).RequestAsync(outTradeNo, "重复缴纳");
        calls = await CallsAsync(Refunds);
        await FaultAsync("/_emulator/faults/delay", new { milliseconds = TooSlowMs, count = 1, path = Refunds, after = true });
        await township.ApproveAsync(refundId);
        Assert.Equal(calls + 2, await CallsAsync(Refunds));
        await WaitForRefundedAsync(outTradeNo);
        Assert.Single(await RefundsAtWeChatAsync(outTradeNo));
        await AssertRefundedOnceAsync(memberId, outTradeNo);
    }

    private static IEnumerable<(string What, string Fault, object Body)> Faults(string path) =>
    [
        ("HTTP 502", "/_emulator/faults/fail-next", new { count = 1, status = 502, path, http = true }),
        ("errcode -1", "/_emulator/faults/fail-next", new { count = 1, path }),
        ("too slow", "/_emulator/faults/delay", new { milliseconds = TooSlowMs, count = 1, path }),
    ];

    private static Task<HttpResponseMessage> OrderAsync(HttpClient payer)
        => payer.PostAsJsonAsync("/api/v1/dues/orders", new { months = new[] { DuesMonth.Current(TimeProvider.System) }, extraFen = 0 });

    private async Task<List<PayOrderStatus>> OrdersHereAsync(Guid memberId)
    {
        await using var db = Gateway.SystemDb();
        return await db.PayOrders.AsNoTracking().Where(o => o.MemberId == memberId).Select(o => o.Status).ToListAsync();
    }

    private async Task<List<string>> OrdersAtWeChatAsync(string openId)
        => (await WeChatPayBooksAsync()).GetProperty("orders").EnumerateArray()
            .Where(o => o.GetProperty("openid").GetString() == openId).Select(o => o.GetProperty("out_trade_no").GetString()!).ToList();

    private async Task<List<string>> RefundsAtWeChatAsync(string outTradeNo)
        => (await WeChatPayBooksAsync()).GetProperty("refunds").EnumerateArray()
            .Where(r => r.GetProperty("out_trade_no").GetString() == outTradeNo).Select(r => r.GetProperty("out_refund_no").GetString()!).ToList();

    /// <summary>A member's order for this month, paid at WeChat and applied (the notification goes to the gateway process).</summary>
    private async Task<(Guid MemberId, string OutTradeNo)> PaidOrderAsync(string name)
    {
        var (payer, memberId, _) = await Gateway.NewPayingMemberAsync(name);
        var response = await OrderAsync(payer);
        response.EnsureSuccessStatusCode();
        var outTradeNo = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outTradeNo").GetString()!;
        await PayAtWeChatAsync(outTradeNo);
        await Eventually.WaitUntilAsync(async () =>
        {
            await using var db = Gateway.SystemDb();
            return await db.PayOrders.AnyAsync(o => o.OutTradeNo == outTradeNo && o.Status == PayOrderStatus.Paid && o.PointsCredited);
        }, $"{outTradeNo} to be paid", TimeSpan.FromSeconds(30));
        return (memberId, outTradeNo);
    }

    private async Task WaitForRefundedAsync(string outTradeNo)
        => await Eventually.WaitUntilAsync(async () =>
        {
            await using var db = Gateway.SystemDb();
            return await db.PayOrders.AnyAsync(o => o.OutTradeNo == outTradeNo && o.Status == PayOrderStatus.Refunded);
        }, $"{outTradeNo} to be refunded", TimeSpan.FromSeconds(30));

    private async Task AssertRefundedOnceAsync(Guid memberId, string outTradeNo)
    {
        await Eventually.WaitUntilAsync(async () =>
        {
            await using var db = Gateway.SystemDb();
            return await db.PointEntries.AnyAsync(e => e.MemberId == memberId && e.Action == Core.Points.PointActions.Reversal);
        }, "the points to be reversed", TimeSpan.FromSeconds(30));
        await using var read = Gateway.SystemDb();
        Assert.Equal(RefundStatus.Succeeded, (await read.DuesRefunds.AsNoTracking().SingleAsync(r => r.Order!.OutTradeNo == outTradeNo)).Status);
        Assert.Equal(1, await read.PointEntries.CountAsync(e => e.MemberId == memberId && e.Action == Core.Points.PointActions.Reversal));
        Assert.Equal(0, await read.DuesBills.CountAsync(b => b.MemberId == memberId && b.Status == BillStatus.Paid));
    }

    /// <summary>The openids among <paramref name="openIds"/> that received a dues reminder, once per message.</summary>
    private async Task<List<string>> RemindersToAsync(List<string> openIds)
        => (await LogAsync()).GetProperty("subscribe_messages").EnumerateArray()
            .Where(m => m.GetProperty("template_id").GetString() == GatewayFixture.ReminderTemplateId)
            .Select(m => m.GetProperty("touser").GetString()!).Where(openIds.Contains).ToList();

    private sealed record PhoneUser(HttpClient Client, string OpenId, string Name, string PhoneCode);

    /// <summary>A logged-in WeChat user whose WeChat phone number is on the roster (under their name), with a getPhoneNumber code.</summary>
    private async Task<PhoneUser> PhoneUserAsync(string name)
    {
        var phone = "139" + Random.Shared.Next(10_000_000, 99_999_999);
        await Gateway.AddMemberAsync(name, phone);
        var (client, openId, _) = await Gateway.LoginNewUserAsync(new { phoneNumber = phone });
        return new PhoneUser(client, openId, name, await Emulator.PhoneCodeAsync(openId));
    }

    private static Task<HttpResponseMessage> BindAsync(PhoneUser user)
        => user.Client.PostAsJsonAsync("/api/v1/binding/phone", new { name = user.Name, phoneCode = user.PhoneCode });

    private static async Task AssertBoundAsync(HttpResponseMessage response, string what)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{what}: {(int)response.StatusCode} {text}");
        Assert.Equal("bound", JsonDocument.Parse(text).RootElement.GetProperty("outcome").GetString());
    }

    /// <summary>503 ProblemDetails <c>service_unavailable</c>, a zh-CN title naming WeChat, nothing internal.</summary>
    private static async Task AssertUnavailableAsync(HttpResponseMessage response, string what)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{what}: {(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal("service_unavailable", problem.GetProperty("code").GetString());
        Assert.StartsWith("微信", problem.GetProperty("title").GetString());
        foreach (var internals in new[] { "Exception", "errcode", "HTTP ", " at " })
        {
            Assert.DoesNotContain(internals, text, StringComparison.Ordinal);
        }
    }

    private async Task ClearFaultsAsync() => (await Emulator.Control.DeleteAsync("/_emulator/faults")).EnsureSuccessStatusCode();

    private async Task FaultAsync(string fault, object body) => (await Emulator.Control.PostAsJsonAsync(fault, body)).EnsureSuccessStatusCode();

    private async Task<JsonElement> LogAsync() => await Emulator.Control.GetFromJsonAsync<JsonElement>("/_emulator/log");

    private async Task<int> CounterAsync(string name) => (await LogAsync()).GetProperty("counters").GetProperty(name).GetInt32();

    private async Task<int> CallsAsync(string path)
        => (await LogAsync()).GetProperty("counters").GetProperty("calls").TryGetProperty(path, out var n) ? n.GetInt32() : 0;

    /// <summary>What WeChat Pay holds: orders (out_trade_no, state, openid) and refunds (out_refund_no, out_trade_no).</summary>
    private async Task<JsonElement> WeChatPayBooksAsync() => await Emulator.Control.GetFromJsonAsync<JsonElement>("/_emulator/orders");
}
