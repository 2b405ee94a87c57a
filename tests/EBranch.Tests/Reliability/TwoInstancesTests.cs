using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EBranch.Tests.Gateway;
using EBranch.Testing;
using Microsoft.EntityFrameworkCore;

namespace EBranch.Tests.Reliability;

/// <summary>Two gateway instances on one PostgreSQL database and one Redis behave as one gateway.</summary>
[Collection(ReliabilityCollection.Name)]
[Trait(Reliability.Category, Reliability.Name)]
public sealed class TwoInstancesTests
{
    [ReliabilityFact]
    public async Task TwoInstances_ShareSessions_RateLimits_TheAccessToken_AndPayNotificationsOnce()
    {
        await using var redis = await IsolatedRedis.StartAsync();
        await using var emulator = await EmulatorHost.StartAsync();
        var database = await TestEnvironment.CreateDatabaseAsync("two", demo: true);
        var shared = new Dictionary<string, string?> { ["ConnectionStrings:Redis"] = redis.ConnectionString };
        var a = new GatewayFixture();
        var b = new GatewayFixture();
        try
        {
            await a.StartAsync(database, emulator, shared);
            await b.StartAsync(database, emulator, shared);

            // A session created through A works on B, and logging out on A ends it on B.
            var (onA, _, login) = await a.LoginNewUserAsync();
            var token = login.GetProperty("token").GetString()!;
            using var onB = b.ClientWithToken(token);
            Assert.Equal(HttpStatusCode.OK, (await onB.GetAsync("/api/v1/me")).StatusCode);
            Assert.True((await onA.PostAsync("/api/v1/auth/logout", null)).IsSuccessStatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await onB.GetAsync("/api/v1/me")).StatusCode);

            // Binding attempts are counted across both instances (5 an hour).
            var (guesser, _, guesserLogin) = await a.LoginNewUserAsync();
            using var guesserOnB = b.ClientWithToken(guesserLogin.GetProperty("token").GetString()!);
            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < 6; i++)
            {
                var client = i % 2 == 0 ? guesser : guesserOnB;
                statuses.Add((await client.PostAsJsonAsync("/api/v1/binding/id-number", new { name = "无此人", idNumber = "110101199003070000" })).StatusCode);
            }
            Assert.DoesNotContain(HttpStatusCode.TooManyRequests, statuses.Take(5));
            Assert.Equal(HttpStatusCode.TooManyRequests, statuses[5]);

            // Both instances need the access token at once: one stable_token call at WeChat.
            var before = await StableTokenCallsAsync(emulator);
            var phoneBindings = new List<Task<HttpResponseMessage>>();
            for (var i = 0; i < 6; i++)
            {
                var gateway = i % 2 == 0 ? a : b;
                var (client, openId, _) = await gateway.LoginNewUserAsync();
                var phoneCode = await emulator.PhoneCodeAsync(openId);
                phoneBindings.Add(client.PostAsJsonAsync("/api/v1/binding/phone", new { name = "手机号", phoneCode }));
            }
            foreach (var response in await Task.WhenAll(phoneBindings))
            {
                Assert.True((int)response.StatusCode < 500, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }
            Assert.Equal(before + 1, await StableTokenCallsAsync(emulator));

            // Twenty copies of one genuine notification, split across both instances at once: paid exactly once.
            var (payer, memberId, _) = await a.NewPayingMemberAsync("双实例缴费");
            var month = Core.Dues.DuesMonth.Current(TimeProvider.System);
            var order = await (await payer.PostAsJsonAsync("/api/v1/dues/orders", new { months = new[] { month }, extraFen = 0 })).Content.ReadFromJsonAsync<JsonElement>();
            var outTradeNo = order.GetProperty("outTradeNo").GetString()!;
            (await emulator.Control.PostAsJsonAsync($"/_emulator/orders/{outTradeNo}/pay", new { outcome = "success" })).EnsureSuccessStatusCode();
            Core.Dues.PayNotificationRecord? original = null;
            for (var wait = 0; wait < 200 && original is null; wait++)
            {
                await using var db = a.SystemDb();
                original = await db.PayNotifications.FirstOrDefaultAsync(n => n.OutTradeNo == outTradeNo && n.Outcome == "processed");
                await Task.Delay(original is null ? 50 : 0);
            }
            Assert.NotNull(original);
            await using (var db = a.SystemDb())
            {
                await db.PayOrders.Where(o => o.OutTradeNo == outTradeNo).ExecuteUpdateAsync(o => o.SetProperty(x => x.Status, Core.Dues.PayOrderStatus.Waiting));
                await db.DuesBills.Where(x => x.MemberId == memberId).ExecuteUpdateAsync(x => x.SetProperty(y => y.Status, Core.Dues.BillStatus.Unpaid).SetProperty(y => y.PaidByOrderId, (Guid?)null));
            }
            var replays = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            {
                var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/pay/notify") { Content = new StringContent(original!.RawBody, System.Text.Encoding.UTF8, "application/json") };
                request.Headers.Add("Wechatpay-Timestamp", original.Timestamp);
                request.Headers.Add("Wechatpay-Nonce", original.Nonce);
                request.Headers.Add("Wechatpay-Signature", original.Signature);
                request.Headers.Add("Wechatpay-Serial", original.Serial);
                return (i % 2 == 0 ? a : b).Client.SendAsync(request);
            }));
            Assert.All(replays, r => Assert.True(r.IsSuccessStatusCode, r.StatusCode.ToString()));
            await using (var db = a.SystemDb())
            {
                Assert.Equal(1, db.DuesBills.Count(x => x.MemberId == memberId && x.Status == Core.Dues.BillStatus.Paid));
                Assert.Equal(1, db.PointEntries.Count(e => e.MemberId == memberId && e.Action == Core.Points.PointActions.DuesPayment));
                Assert.Equal(2, db.PayNotifications.Count(n => n.OutTradeNo == outTradeNo && n.Outcome == "processed"));
            }
        }
        finally
        {
            await b.DisposeAsync();
            await a.DisposeAsync();
        }
    }

    private static async Task<int> StableTokenCallsAsync(EmulatorHost emulator)
        => (await emulator.Control.GetFromJsonAsync<JsonElement>("/_emulator/log")).GetProperty("counters").GetProperty("stable_token").GetInt32();
}
