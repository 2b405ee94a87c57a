using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EBranch.Core.Common;
using EBranch.Core.Demo;
using EBranch.Core.Dues;
using EBranch.Core.Identity;
using EBranch.Core.Members;
using EBranch.Core.Points;
using EBranch.Core.WeChat.MiniProgram;
using EBranch.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace EBranch.Tests.Reliability;

/// <summary>Two gateways and two consoles on one PostgreSQL and one Redis (<see cref="ClusterFixture"/>, started once for all these tests).</summary>
[Collection(ReliabilityCollection.Name)]
[Trait(Reliability.Category, Reliability.Name)]
public sealed partial class ClusterTests(ClusterFixture cluster) : IClassFixture<ClusterFixture>
{
    private static readonly TimeSpan CacheWait = TimeSpan.FromSeconds(5);

    [ReliabilityFact]
    public async Task ClusteredDuesJobs_RunOnceAcrossTheGateways_AndNeverOnTheConsoles()
    {
        var a = await SchedulerOf(cluster.A.Services);
        var b = await SchedulerOf(cluster.B.Services);
        Assert.True((await a.GetMetadata()).JobStoreClustered);
        Assert.True((await b.GetMetadata()).JobStoreClustered);
        Assert.NotEqual(a.SchedulerInstanceId, b.SchedulerInstanceId);
        // The consoles turn the dues jobs off: they are no Quartz nodes (else they would run the gateways' jobs with their own settings).
        Assert.Equal(["gateway-a", "gateway-b"], cluster.Nodes.Values.Order());

        // Two bound members with unpaid bills and three accepted subscriptions each, on a branch whose reminder day is today.
        var (_, first, firstOpenId) = await cluster.A.NewPayingMemberAsync("集群提醒甲");
        var (_, _, secondOpenId) = await cluster.B.NewPayingMemberAsync("集群提醒乙");
        foreach (var openId in new[] { firstOpenId, secondOpenId })
        {
            (await cluster.Emulator.Control.PostAsJsonAsync($"/_emulator/users/{openId}/subscriptions",
                new { templateIds = new[] { Gateway.GatewayFixture.ReminderTemplateId }, count = 3 })).EnsureSuccessStatusCode();
        }
        await using (var db = cluster.A.SystemDb())
        {
            var branchId = await db.Members.Where(m => m.Id == first).Select(m => m.OrganizationId).SingleAsync();
            db.BranchDuesSettings.RemoveRange(db.BranchDuesSettings.Where(s => s.OrganizationId == branchId));
            db.BranchDuesSettings.Add(new BranchDuesSettings { OrganizationId = branchId, ReminderDay = DistrictTime.Today(TimeProvider.System).Day });
            await db.SaveChangesAsync();
        }

        // Today's 09:00 reminder trigger, moved to three seconds from now by both gateways at once (as both declare it at start).
        var key = new TriggerKey("dues-reminders");
        var job = (await a.GetTrigger(key))!.JobKey;
        var at = DateTimeOffset.UtcNow.AddSeconds(3);
        ITrigger Once() => TriggerBuilder.Create().WithIdentity(key).ForJob(job).StartAt(at).Build();
        await Task.WhenAll(a.RescheduleJob(key, Once()).AsTask(), b.RescheduleJob(key, Once()).AsTask());
        await Eventually.WaitUntilAsync(() => Task.FromResult(cluster.Runs.Any(r => r.Job.Equals(job))), "the reminder job to run", TimeSpan.FromSeconds(30));
        // A fired one-shot trigger is deleted from the shared store when its run completes; from then on no node can fire
        // it again, and a second run (if one had slipped through) would already be recorded.
        await Eventually.WaitUntilAsync(async () => await a.GetTrigger(key) is null, "the one-shot reminder trigger to complete", TimeSpan.FromSeconds(30));

        var reminderRuns = cluster.Runs.Where(r => r.Job.Equals(job)).ToList();
        var run = Assert.Single(reminderRuns);
        Assert.False(run.Failed);
        var log = await cluster.Emulator.Control.GetFromJsonAsync<JsonElement>("/_emulator/log");
        foreach (var openId in new[] { firstOpenId, secondOpenId })
        {
            var sent = log.GetProperty("subscribe_messages").EnumerateArray().Where(m => m.GetProperty("touser").GetString() == openId).ToList();
            Assert.Equal(Gateway.GatewayFixture.ReminderTemplateId, Assert.Single(sent).GetProperty("template_id").GetString());
        }

        // The repeating jobs (order sync and expiry, every two seconds): no scheduled firing ran twice, and only gateways ran any.
        var repeating = cluster.Runs.Where(r => r.Trigger.Name is "dues-order-sync" or "dues-order-expiry").ToList();
        Assert.True(repeating.Count >= 4, $"only {repeating.Count} runs of the repeating jobs");
        Assert.Equal(repeating.Count, repeating.Select(r => (r.Trigger, r.ScheduledFireTime)).Distinct().Count());
        Assert.All(cluster.Runs, r => Assert.Contains(r.Node, new[] { a.SchedulerInstanceId, b.SchedulerInstanceId }));
        Assert.DoesNotContain(cluster.Runs, r => r.Failed);
    }

    [ReliabilityFact]
    public async Task TheConsole_SharesKeysAcrossItsInstances_AndItsChangesReachBothGatewaysAtOnce()
    {
        // Data protection and antiforgery across two consoles behind one address: the form rendered by one is accepted by
        // the other (and refused without its token), and the cookie the other issues is read by the first. The key ring is
        // in Redis, not on either machine.
        var (one, two, _) = cluster.Browser();
        var fields = await ConsoleForms.LoginFieldsAsync(one, DemoIdentities.BranchSecretary, DemoIdentities.Password);
        var withoutToken = fields.Where(f => f.Key != "__RequestVerificationToken").ToDictionary();
        Assert.Equal(HttpStatusCode.BadRequest, (await two.PostAsync("/login", new FormUrlEncodedContent(withoutToken))).StatusCode);
        var signIn = await two.PostAsync("/login", new FormUrlEncodedContent(fields));
        Assert.True(ConsoleForms.IsSignedInRedirect(signIn), $"{(int)signIn.StatusCode} {signIn.Headers.Location}");
        Assert.Equal(HttpStatusCode.OK, (await one.GetAsync("/members")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await two.GetAsync("/members")).StatusCode);
        var (_, ring) = await IsolatedServices.RunAsync("redis-cli", "-p", cluster.Redis.Port.ToString(), "llen", cluster.Settings.GetValueOrDefault("Redis:KeyPrefix") + "ebranch:admin:data-protection-keys");
        Assert.Equal("1", ring.Trim());

        // Lockout is counted in the database: five wrong passwords split between the consoles lock the account on both.
        for (var i = 0; i < 5; i++)
        {
            var console = i % 2 == 0 ? one : two;
            var wrong = await ConsoleForms.LoginFieldsAsync(console, DemoIdentities.ServiceClerk, "Wrong#Passw0rd");
            Assert.False(ConsoleForms.IsSignedInRedirect(await console.PostAsync("/login", new FormUrlEncodedContent(wrong))));
        }
        var locked = await one.PostAsync("/login", new FormUrlEncodedContent(await ConsoleForms.LoginFieldsAsync(two, DemoIdentities.ServiceClerk, DemoIdentities.Password)));
        Assert.False(ConsoleForms.IsSignedInRedirect(locked));
        Assert.Contains("账号已锁定", WebUtility.HtmlDecode(await locked.Content.ReadAsStringAsync()));

        // A member bound on gateway A; both gateways have their session cached in memory.
        var (member, memberId) = await Reliability.NewMemberAsync(cluster.A, "跨端原名");
        using var onB = cluster.B.ClientWithToken(member.DefaultRequestHeaders.Authorization!.Parameter!);
        foreach (var client in new[] { member, onB })
        {
            Assert.Equal("跨端原名", (await client.GetFromJsonAsync<JsonElement>("/api/v1/me")).GetProperty("memberName").GetString());
        }

        // The branch secretary renames the member in console 1: both gateways show the new name.
        var members = await cluster.Console1.AsConsoleUser<MemberService>(DemoIdentities.BranchSecretary);
        var details = await members.GetAsync(memberId);
        details.Values.Name = "跨端新名";
        await members.UpdateAsync(memberId, details.Values);
        foreach (var client in new[] { member, onB })
        {
            Assert.Equal("跨端新名", (await client.GetFromJsonAsync<JsonElement>("/api/v1/me")).GetProperty("memberName").GetString());
        }

        // Points rules are cached on each gateway: the district changes the check-in rule in console 2, and a check-in on
        // either gateway earns the new points.
        var (warmA, _) = await Reliability.NewMemberAsync(cluster.A, "规则预热甲");
        var (warmB, _) = await Reliability.NewMemberAsync(cluster.B, "规则预热乙");
        var before = await CheckInPointsAsync(warmA);
        Assert.Equal(before, await CheckInPointsAsync(warmB));
        var rules = await cluster.Console2.AsConsoleUser<PointRuleService>(DemoIdentities.DistrictAdmin);
        var current = (await rules.ListAsync()).Where(r => r.Action == PointActions.CheckIn).OrderByDescending(r => r.ActiveFrom).First();
        var changed = before / 2; // lower, so no cap hides it
        await rules.ChangeAsync(PointActions.CheckIn, new PointRuleInput { Name = current.Name, Points = changed, Cap = current.CapTenths / 10m, Period = current.Period });
        // The backplane's message takes a few milliseconds to arrive; without it the rules would stay cached for five minutes.
        foreach (var gateway in new[] { cluster.A, cluster.B })
        {
            var engine = gateway.Services.GetRequiredService<PointsEngine>();
            await Eventually.WaitUntilAsync(async () => (await engine.GetRulesAsync()).Any(r => r.Action == PointActions.CheckIn && r.PointsTenths == (int)(changed * 10)), "the new rule on both gateways",
                CacheWait);
        }
        var (laterA, _) = await Reliability.NewMemberAsync(cluster.A, "规则新甲");
        var (laterB, _) = await Reliability.NewMemberAsync(cluster.B, "规则新乙");
        Assert.Equal(changed, await CheckInPointsAsync(laterB));
        Assert.Equal(changed, await CheckInPointsAsync(laterA));

        // Console 1 unbinds the member: the session ends on both gateways, not five minutes later when their caches expire.
        var bindings = await cluster.Console1.AsConsoleUser<BindingService>(DemoIdentities.BranchSecretary);
        await bindings.UnbindAsync(memberId);
        await Eventually.WaitUntilAsync(async () => (await member.GetAsync("/api/v1/me")).StatusCode == HttpStatusCode.Unauthorized
            && (await onB.GetAsync("/api/v1/me")).StatusCode == HttpStatusCode.Unauthorized, "the unbound session to end on both gateways", CacheWait);
    }

    private static async Task<decimal> CheckInPointsAsync(HttpClient member)
    {
        var response = await member.PostAsync("/api/v1/checkins", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("pointsEarned").GetDecimal();
    }

    private static Task<IScheduler> SchedulerOf(IServiceProvider services) => services.GetRequiredService<ISchedulerFactory>().GetScheduler().AsTask();
}
