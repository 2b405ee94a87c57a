using EBranch.Core.Common;
using EBranch.Core.Data;
using EBranch.Core.Points;
using EBranch.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace EBranch.Tests.Points;

/// <summary>Points rules in time: caps per period at Asia/Shanghai boundaries, rule versions, idempotency, reversals.</summary>
[Collection(DistrictCollection.Name)]
public sealed class PointsEngineTests(DistrictFixture district)
{
    private static DateTimeOffset Shanghai(int y, int mo, int d, int h, int mi, int s = 0) => new DateTimeOffset(y, mo, d, h, mi, s, TimeSpan.FromHours(8)).ToUniversalTime();

    /// <summary>A rule of its own for each test, so tests never share caps or versions.</summary>
    private async Task<string> NewRuleAsync(int points, int? cap, PointPeriod period)
    {
        var action = "test." + Guid.NewGuid().ToString("N")[..12];
        await using var db = district.SystemDb();
        db.PointRules.Add(new PointRule { Action = action, Name = "测试规则", PointsTenths = points, CapTenths = cap, Period = period, ActiveFrom = DateTimeOffset.UnixEpoch });
        await db.SaveChangesAsync();
        // As the console does after an edit: drop the cached rule set (L1 here, L2 + backplane with Redis).
        await district.Services.GetRequiredService<PointsEngine>().InvalidateRulesAsync();
        return action;
    }

    private async Task<Guid> AMemberAsync(int skip)
    {
        await using var db = district.SystemDb();
        return await db.Members.OrderBy(m => m.Name).ThenBy(m => m.Id).Skip(skip).Select(m => m.Id).FirstAsync();
    }

    private (ServiceProvider Services, FakeTimeProvider Time, PointsEngine Engine) Engine(DateTimeOffset now)
    {
        var time = new FakeTimeProvider(now);
        var services = district.BuildServices(time);
        return (services, time, services.GetRequiredService<PointsEngine>());
    }

    [Fact]
    public async Task DailyCap_ResetsAtMidnightInShanghai_NotAtUtcMidnight()
    {
        var action = await NewRuleAsync(points: 10, cap: 20, PointPeriod.Day);
        var member = await AMemberAsync(100);
        var (services, time, engine) = Engine(Shanghai(2026, 11, 27, 23, 59));
        await using var _ = services;

        Assert.Equal(10, (await engine.CreditAsync(member, action, "a")).PointsTenths);
        Assert.Equal(10, (await engine.CreditAsync(member, action, "b")).PointsTenths);
        var capped = await engine.CreditAsync(member, action, "c");
        Assert.Equal(CreditOutcome.CappedAtZero, capped.Outcome);

        time.SetUtcNow(Shanghai(2026, 11, 27, 23, 59, 59));
        Assert.Equal(0, (await engine.CreditAsync(member, action, "d")).PointsTenths);
        time.SetUtcNow(Shanghai(2026, 11, 28, 0, 0)); // 16:00 UTC the day before
        Assert.Equal(10, (await engine.CreditAsync(member, action, "e")).PointsTenths);
    }

    [Fact]
    public async Task WeeklyCap_StartsOnMonday()
    {
        var action = await NewRuleAsync(points: 30, cap: 60, PointPeriod.Week);
        var member = await AMemberAsync(101);
        var (services, time, engine) = Engine(Shanghai(2026, 11, 23, 0, 0)); // a Monday
        await using var _ = services;
        await engine.CreditAsync(member, action, "mon");
        time.SetUtcNow(Shanghai(2026, 11, 29, 23, 59, 59)); // Sunday, same week
        Assert.Equal(30, (await engine.CreditAsync(member, action, "sun")).PointsTenths);
        Assert.Equal(0, (await engine.CreditAsync(member, action, "sun2")).PointsTenths);
        time.SetUtcNow(Shanghai(2026, 11, 30, 0, 0)); // next Monday
        Assert.Equal(30, (await engine.CreditAsync(member, action, "next-mon")).PointsTenths);
    }

    [Fact]
    public async Task SameSource_CreditsOnce_EvenConcurrently()
    {
        var action = await NewRuleAsync(points: 10, cap: null, PointPeriod.Day);
        var member = await AMemberAsync(102);
        var engine = district.Services.GetRequiredService<PointsEngine>();
        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => engine.CreditAsync(member, action, "event-1")));
        Assert.Single(results, r => r.Outcome == CreditOutcome.Credited);
        await using var db = district.SystemDb();
        Assert.Equal(1, await db.PointEntries.CountAsync(e => e.MemberId == member && e.Action == action));
    }

    [Fact]
    public async Task CapUnderConcurrency_IsNeverOverrun()
    {
        var action = await NewRuleAsync(points: 10, cap: 30, PointPeriod.Day);
        var member = await AMemberAsync(103);
        var engine = district.Services.GetRequiredService<PointsEngine>();
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => engine.CreditAsync(member, action, "s" + i)));
        await using var db = district.SystemDb();
        Assert.Equal(30, await db.PointEntries.Where(e => e.MemberId == member && e.Action == action).SumAsync(e => e.PointsTenths));
    }

    [Fact]
    public async Task RuleChange_TakesEffectFromItsStart_WithoutRewritingHistory()
    {
        var action = await NewRuleAsync(points: 10, cap: null, PointPeriod.Day);
        var member = await AMemberAsync(104);
        var (services, time, engine) = Engine(Shanghai(2026, 12, 1, 9, 0));
        await using var _ = services;
        var before = await engine.CreditAsync(member, action, "before");
        Assert.Equal(10, before.PointsTenths);

        await using var admin = await district.As("admin", services);
        var rules = admin.ServiceProvider.GetRequiredService<PointRuleService>();
        var backdated = await Assert.ThrowsAsync<AppException>(() => rules.ChangeAsync(action, new PointRuleInput { Name = "改", Points = 3, EffectiveFrom = Shanghai(2026, 11, 1, 0, 0) }));
        Assert.Contains(nameof(PointRuleInput.EffectiveFrom), backdated.Errors!.Keys);
        await rules.ChangeAsync(action, new PointRuleInput { Name = "改", Points = 3, Period = PointPeriod.Day, EffectiveFrom = Shanghai(2026, 12, 1, 12, 0) });

        time.SetUtcNow(Shanghai(2026, 12, 1, 11, 59));
        Assert.Equal(10, (await engine.CreditAsync(member, action, "still-old")).PointsTenths);
        time.SetUtcNow(Shanghai(2026, 12, 1, 12, 0));
        Assert.Equal(30, (await engine.CreditAsync(member, action, "new")).PointsTenths);

        await using var db = district.SystemDb();
        var old = await db.PointEntries.SingleAsync(e => e.Id == before.EntryId);
        Assert.Equal(10, old.PointsTenths);
        var versions = await db.PointRules.Where(r => r.Action == action).OrderBy(r => r.ActiveFrom).ToListAsync();
        Assert.Equal(2, versions.Count);
        Assert.Equal(Shanghai(2026, 12, 1, 12, 0), versions[0].ActiveTo);
        Assert.Equal(old.RuleId, versions[0].Id);
    }

    [Fact]
    public async Task OnlyTheDistrict_MayChangeRules()
    {
        var action = await NewRuleAsync(points: 10, cap: null, PointPeriod.Day);
        await using var township = await district.As("town01");
        var rules = township.ServiceProvider.GetRequiredService<PointRuleService>();
        var error = await Assert.ThrowsAsync<AppException>(() => rules.ChangeAsync(action, new PointRuleInput { Name = "x", Points = 1 }));
        Assert.Equal(ErrorCodes.Forbidden, error.Code);
    }

    [Fact]
    public async Task ThePenaltyRule_TakesOnlyPointsAtOrBelowZero_AndOtherRulesOnlyPointsAtOrAboveZero()
    {
        var action = await NewRuleAsync(points: 10, cap: null, PointPeriod.Day);
        await using var admin = await district.As("admin");
        var rules = admin.ServiceProvider.GetRequiredService<PointRuleService>();

        var positive = await Assert.ThrowsAsync<AppException>(() => rules.ChangeAsync(PointActions.Absence, new PointRuleInput { Name = "缺勤", Points = 1, Period = PointPeriod.Week }));
        Assert.Contains(nameof(PointRuleInput.Points), positive.Errors!.Keys);
        var negative = await Assert.ThrowsAsync<AppException>(() => rules.ChangeAsync(action, new PointRuleInput { Name = "x", Points = -1 }));
        Assert.Contains(nameof(PointRuleInput.Points), negative.Errors!.Keys);

        var changed = await rules.ChangeAsync(PointActions.Absence, new PointRuleInput { Name = "连续一周未登录", Points = -2, Period = PointPeriod.Week, EffectiveFrom = DateTimeOffset.UtcNow.AddYears(50) });
        Assert.Equal(-20, changed.PointsTenths);
    }

    [Fact]
    public async Task Reversal_IsANewNegativeEntry_AndHappensOnce()
    {
        var action = await NewRuleAsync(points: 20, cap: null, PointPeriod.Day);
        var member = await AMemberAsync(105);
        var engine = district.Services.GetRequiredService<PointsEngine>();
        var balance = await engine.BalanceAsync(member);
        var credit = await engine.CreditAsync(member, action, "to-reverse");
        await engine.ReverseAsync(credit.EntryId!.Value, "退款冲正");
        await engine.ReverseAsync(credit.EntryId!.Value, "退款冲正");
        Assert.Equal(balance, await engine.BalanceAsync(member));
        await using var db = district.SystemDb();
        Assert.Equal(2, await db.PointEntries.CountAsync(e => e.MemberId == member && (e.Action == action || e.SourceKey == "reversal:" + credit.EntryId.Value.ToString("N"))));
    }

    [Fact]
    public async Task AReversal_FreesTheCapOfItsEntrysWindow_SoTheCapCountsWhatStands()
    {
        // The dues case: 2.0 points capped at 2.0 a month; month A paid, month B paid (capped), A refunded, A paid again.
        var action = await NewRuleAsync(points: 20, cap: 20, PointPeriod.Month);
        var member = await AMemberAsync(106);
        var (services, time, engine) = Engine(Shanghai(2026, 11, 3, 9, 0));
        await using var _ = services;

        var first = await engine.CreditAsync(member, action, "order-a");
        Assert.Equal(20, first.PointsTenths);
        Assert.Equal(CreditOutcome.CappedAtZero, (await engine.CreditAsync(member, action, "order-b")).Outcome);
        time.SetUtcNow(Shanghai(2026, 11, 10, 9, 0));
        await engine.ReverseAsync(first.EntryId!.Value, "党费退款，积分冲正");

        var again = await engine.CreditAsync(member, action, "order-a-again");
        Assert.Equal(CreditOutcome.Credited, again.Outcome);
        Assert.Equal(20, again.PointsTenths);
        // Still capped: what stands is 2.0 again.
        Assert.Equal(0, (await engine.CreditAsync(member, action, "order-c")).PointsTenths);

        // A reversal made in a later month frees the cap of the month its entry was credited in, not the month it is made in.
        time.SetUtcNow(Shanghai(2026, 12, 2, 9, 0));
        Assert.Equal(20, (await engine.CreditAsync(member, action, "december")).PointsTenths);
        await engine.ReverseAsync(again.EntryId!.Value, "党费退款，积分冲正");
        Assert.Equal(0, (await engine.CreditAsync(member, action, "december-2")).PointsTenths);
        await using var db = district.SystemDb();
        Assert.Equal(20, await PointsEngine.StandingInWindowAsync(db, member, action, Shanghai(2026, 12, 1, 0, 0), Shanghai(2027, 1, 1, 0, 0), default));
        Assert.Equal(0, await PointsEngine.StandingInWindowAsync(db, member, action, Shanghai(2026, 11, 1, 0, 0), Shanghai(2026, 12, 1, 0, 0), default));
    }

    [Fact]
    public async Task Rankings_AreTheSame_FromRedisAndFromTheLedger()
    {
        var action = await NewRuleAsync(points: 10, cap: null, PointPeriod.Day);
        Guid branchId;
        List<Guid> members;
        await using (var db = district.SystemDb())
        {
            branchId = await db.ConsoleUsers.Where(u => u.UserName == "branch0201").Select(u => u.OrganizationId).SingleAsync();
            members = await db.Members.Where(m => m.OrganizationId == branchId).OrderBy(m => m.Id).Select(m => m.Id).Take(6).ToListAsync();
        }
        var engine = district.Services.GetRequiredService<PointsEngine>();
        var configured = district.Services.GetRequiredService<RankingService>();
        var ledgerOnly = new RankingService(district.Services.GetRequiredService<EBranchDbFactory>(), TimeProvider.System, new ServiceCollection().BuildServiceProvider());

        for (var i = 0; i < members.Count; i++)
        {
            for (var k = 0; k <= i % 3; k++)
            {
                await engine.CreditAsync(members[i], action, $"r{k}");
            }
        }
        foreach (var period in RankingService.RankedPeriods)
        {
            var a = await configured.GetAsync(branchId, period, 50);
            var b = await ledgerOnly.GetAsync(branchId, period, 50);
            Assert.Equal(b.Top, a.Top);
            Assert.Equal(b.Participants, a.Participants);
        }
        // Increments after the sorted set exists keep it equal to the ledger.
        await engine.CreditAsync(members[0], action, "late");
        Assert.Equal((await ledgerOnly.GetAsync(branchId, PointPeriod.Week, 50)).Top, (await configured.GetAsync(branchId, PointPeriod.Week, 50)).Top);
        Assert.Equal(await ledgerOnly.RankOfAsync(branchId, members[0], PointPeriod.Month), await configured.RankOfAsync(branchId, members[0], PointPeriod.Month));
    }

    [Theory]
    [InlineData("2024-02-29", "2025-02-28", true, 1)]
    [InlineData("2024-02-29", "2028-02-29", true, 4)]
    [InlineData("2024-02-29", "2027-03-01", false, 3)]
    [InlineData("2001-07-01", "2026-07-01", true, 25)]
    [InlineData("2001-07-01", "2026-06-30", false, 24)]
    public void PoliticalBirthday_HandlesTheTwentyNinthOfFebruary(string admitted, string today, bool isToday, int years)
    {
        var card = Core.PersonalSpace.PersonalSpaceService.PoliticalBirthday("张三", DateOnly.Parse(admitted), DateOnly.Parse(today));
        Assert.Equal(isToday, card.IsToday);
        Assert.Equal(years, card.Years);
        Assert.Equal(isToday, card.Greeting is not null);
    }
}
