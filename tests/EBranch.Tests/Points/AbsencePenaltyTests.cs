using EBranch.Core.Common;
using EBranch.Core.Members;
using EBranch.Core.Organizations;
using EBranch.Core.Points;
using EBranch.Core.WeChatUsers;
using EBranch.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace EBranch.Tests.Points;

/// <summary>
/// "−1 after a week absent": the daily job takes a point from a bound member for every full week without a login, once
/// per week however often it runs, never below a zero balance, and never from residents or members who came back.
/// Its own database: the job looks at every bound WeChat user.
/// </summary>
public sealed class AbsencePenaltyTests(BareDatabaseFixture database) : IClassFixture<BareDatabaseFixture>
{
    private static DateTimeOffset Shanghai(int y, int mo, int d, int h, int mi) => new DateTimeOffset(y, mo, d, h, mi, 0, TimeSpan.FromHours(8)).ToUniversalTime();

    private sealed record Someone(Guid? MemberId, Guid WeChatUserId);

    /// <summary>A branch member bound to a WeChat user who last logged in at <paramref name="lastLogin"/>, with a starting balance.</summary>
    private async Task<Someone> SomeoneAsync(DateTimeOffset lastLogin, int balanceTenths, bool member = true)
    {
        await using var db = database.SystemDb();
        var branch = new Organization { Name = "缺勤测试支部" + Guid.NewGuid().ToString("N")[..6], Kind = OrganizationKind.Branch };
        branch.PlaceUnder(null);
        db.Organizations.Add(branch);
        Member? record = null;
        if (member)
        {
            record = new Member { Name = "缺勤测试", OrganizationId = branch.Id, IdNumberDigest = Guid.NewGuid().ToString("N"), IdNumberCipher = "-", BirthDate = new DateOnly(1980, 1, 1), AdmittedOn = new DateOnly(2005, 7, 1) };
            db.Members.Add(record);
            if (balanceTenths != 0)
            {
                db.PointEntries.Add(new PointEntry
                {
                    MemberId = record.Id, Action = PointActions.CheckIn, SourceKey = "start", PointsTenths = balanceTenths, OccurredAt = lastLogin, OrganizationPath = branch.Path,
                });
            }
        }
        var user = new WeChatUser { OpenId = "absence-" + Guid.NewGuid().ToString("N"), MemberId = record?.Id, LastLoginAt = lastLogin };
        db.WeChatUsers.Add(user);
        await db.SaveChangesAsync();
        return new Someone(record?.Id, user.Id);
    }

    private async Task<AbsenceRun> RunAtAsync(DateTimeOffset now)
    {
        await using var services = database.BuildServices(new FakeTimeProvider(now));
        return await services.GetRequiredService<AbsencePenaltyService>().PenalizeAsync();
    }

    private async Task<List<PointEntry>> PenaltiesAsync(Guid memberId)
    {
        await using var db = database.SystemDb();
        return await db.PointEntries.Where(e => e.MemberId == memberId && e.Action == PointActions.Absence).OrderBy(e => e.OccurredAt).ToListAsync();
    }

    private async Task<int> BalanceAsync(Guid memberId)
    {
        await using var db = database.SystemDb();
        return await db.PointEntries.Where(e => e.MemberId == memberId).SumAsync(e => e.PointsTenths);
    }

    [Fact]
    public async Task EachFullWeekAbsent_CostsOnePointOnce_UntilTheBalanceIsZero()
    {
        // Last login Monday 2031-06-02; the first absent week is Tue 06-03 .. Mon 06-09, complete when 06-10 starts.
        var absent = await SomeoneAsync(Shanghai(2031, 6, 2, 20, 0), balanceTenths: 25);
        var memberId = absent.MemberId!.Value;

        await RunAtAsync(Shanghai(2031, 6, 9, 1, 10));
        Assert.Empty(await PenaltiesAsync(memberId));

        await RunAtAsync(Shanghai(2031, 6, 10, 1, 10));
        await RunAtAsync(Shanghai(2031, 6, 10, 1, 10)); // a retry
        await RunAtAsync(Shanghai(2031, 6, 13, 1, 10)); // later days of the same week
        var first = Assert.Single(await PenaltiesAsync(memberId));
        Assert.Equal(-10, first.PointsTenths);
        Assert.Equal("absent:2031-06-09", first.SourceKey);
        Assert.Equal(15, await BalanceAsync(memberId));

        // Second week: two runs at once (two instances) take it once.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => RunAtAsync(Shanghai(2031, 6, 17, 1, 10))));
        await RunAtAsync(Shanghai(2031, 6, 24, 1, 10)); // third week: only 0.5 left
        Assert.Equal([-10, -10, -5], (await PenaltiesAsync(memberId)).Select(e => e.PointsTenths));
        Assert.Equal(0, await BalanceAsync(memberId));

        var atZero = await RunAtAsync(Shanghai(2031, 7, 1, 1, 10)); // fourth week: nothing left to take
        Assert.True(atZero.AtZero >= 1);
        Assert.Equal(3, (await PenaltiesAsync(memberId)).Count);
        Assert.Equal(0, await BalanceAsync(memberId));
    }

    [Fact]
    public async Task MembersWhoLoggedInThisWeek_AndResidents_AreNotPenalized_AndALoginRestartsTheCount()
    {
        var present = await SomeoneAsync(Shanghai(2032, 3, 10, 8, 0), balanceTenths: 30);
        var resident = await SomeoneAsync(Shanghai(2032, 1, 1, 8, 0), balanceTenths: 0, member: false);
        var back = await SomeoneAsync(Shanghai(2032, 3, 1, 8, 0), balanceTenths: 30);

        await RunAtAsync(Shanghai(2032, 3, 10, 1, 10));
        Assert.Empty(await PenaltiesAsync(present.MemberId!.Value));
        Assert.Single(await PenaltiesAsync(back.MemberId!.Value)); // 03-02..03-08 absent

        // It logs in on 03-11: the next penalty is a full week after that, not a week after the last one.
        await using (var db = database.SystemDb())
        {
            var user = await db.WeChatUsers.SingleAsync(u => u.Id == back.WeChatUserId);
            user.LastLoginAt = Shanghai(2032, 3, 11, 9, 0);
            await db.SaveChangesAsync();
        }
        await RunAtAsync(Shanghai(2032, 3, 16, 1, 10));
        Assert.Single(await PenaltiesAsync(back.MemberId!.Value));
        await RunAtAsync(Shanghai(2032, 3, 19, 1, 10));
        Assert.Equal(2, (await PenaltiesAsync(back.MemberId!.Value)).Count);

        await using var check = database.SystemDb();
        Assert.Null((await check.WeChatUsers.SingleAsync(u => u.Id == resident.WeChatUserId)).MemberId); // still just a resident
    }

    [Fact]
    public async Task WithoutAnActivePenaltyRule_NobodyIsPenalized_AndWeeksCountFromTheRuleStart()
    {
        var absent = await SomeoneAsync(Shanghai(2033, 1, 3, 8, 0), balanceTenths: 50);
        var memberId = absent.MemberId!.Value;
        await using (var db = database.SystemDb())
        {
            // The district switched the penalty off for 2033-01..02 and back on from 03-01.
            var current = await db.PointRules.SingleAsync(r => r.Action == PointActions.Absence && r.ActiveTo == null);
            current.ActiveTo = Shanghai(2033, 1, 1, 0, 0);
            db.PointRules.Add(new PointRule { Action = PointActions.Absence, Name = "连续一周未登录", PointsTenths = -10, Period = PointPeriod.Week, ActiveFrom = Shanghai(2033, 1, 1, 0, 0), ActiveTo = Shanghai(2033, 3, 1, 0, 0), IsEnabled = false });
            db.PointRules.Add(new PointRule { Action = PointActions.Absence, Name = "连续一周未登录", PointsTenths = -10, Period = PointPeriod.Week, ActiveFrom = Shanghai(2033, 3, 1, 0, 0) });
            await db.SaveChangesAsync();
        }
        await database.Services.GetRequiredService<PointsEngine>().InvalidateRulesAsync();

        await RunAtAsync(Shanghai(2033, 2, 20, 1, 10));
        Assert.Empty(await PenaltiesAsync(memberId));
        await RunAtAsync(Shanghai(2033, 3, 8, 1, 10)); // the rule's start day counts like a login day: 03-02..03-08 is the first week
        Assert.Empty(await PenaltiesAsync(memberId));
        await RunAtAsync(Shanghai(2033, 3, 9, 1, 10));
        Assert.Equal("absent:2033-03-08", Assert.Single(await PenaltiesAsync(memberId)).SourceKey);
    }
}
