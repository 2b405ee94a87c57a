using EBranch.Core.Common;
using EBranch.Core.Demo;
using EBranch.Core.Identity;
using EBranch.Core.Points;
using EBranch.Core.WeChatUsers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static EBranch.Admin.Tests.AdminAppFixture;

namespace EBranch.Admin.Tests;

/// <summary>The console side of real-name binding review, unbinding, points rules and rankings.</summary>
[Collection(AdminCollection.Name)]
public sealed class IdentityAndPointsPageTests(AdminAppFixture app)
{
    [Fact]
    public async Task BranchSecretary_ApprovesRequestOfOwnBranch_ThatTownshipOfAnotherTownNeverSees_ThenUnbindsIt()
    {
        const string wrongName = "审核错名甲";
        var demo = DemoIdentities.Members[0];
        var memberId = await DemoMemberIdAsync(demo.Name);
        var (weChatUserId, requestId) = await RequestBindingAsync(wrongName, demo.IdNumber);

        var other = await app.SignInAsync("town02");
        await GoToAsync(other, "/bindings");
        await Expect(other.Locator("[data-testid=binding-total]")).ToHaveTextAsync("0");
        Assert.DoesNotContain(wrongName, await other.Locator(".console-content").InnerTextAsync());

        var page = await app.SignInAsync(DemoIdentities.BranchSecretary);
        await GoToAsync(page, "/bindings");
        var row = page.Locator(".ant-table-tbody tr", new() { HasText = wrongName });
        await Expect(row).ToContainTextAsync(demo.Name);
        await Expect(row).ToContainTextAsync("身份证");
        await Expect(row).ToContainTextAsync("待审核");
        Assert.DoesNotContain(demo.IdNumber, await row.InnerTextAsync());
        await ScreenshotAsync(page, "bindings-branch0101");

        await row.Locator("[data-testid=binding-approve] button").ClickAsync();
        await Expect(page.Locator("[data-testid=approve-form]")).ToContainTextAsync(demo.Name);
        await page.ClickAsync("[data-testid=approve-confirm] button");
        await Expect(row).ToHaveCountAsync(0);

        await using (var db = app.OpenSystemDb())
        {
            Assert.Equal(memberId, await db.WeChatUsers.Where(u => u.Id == weChatUserId).Select(u => u.MemberId).SingleAsync());
            Assert.Equal(BindingStatus.Approved, await db.BindingRequests.Where(b => b.Id == requestId).Select(b => b.Status).SingleAsync());
        }
        Assert.True(await IsBoundAsync(memberId));

        await GoToAsync(page, $"/members/{memberId}");
        await Expect(page.Locator("[data-testid=member-wechat]")).ToHaveTextAsync("已绑定");
        await page.ClickAsync("[data-testid=member-unbind] button");
        await page.ClickAsync("[data-testid=unbind-confirm] button");
        await Expect(page.Locator("[data-testid=member-wechat]")).ToHaveTextAsync("未绑定");
        await Expect(page.Locator("[data-testid=member-unbind]")).ToHaveCountAsync(0);
        Assert.False(await IsBoundAsync(memberId));
    }

    [Fact]
    public async Task RejectingARequest_RequiresAReason_AndRecordsIt()
    {
        const string wrongName = "审核错名乙";
        const string reason = "姓名与党员名册不符，请核对后重新提交";
        var (weChatUserId, requestId) = await RequestBindingAsync(wrongName, DemoIdentities.Members[1].IdNumber);

        var page = await app.SignInAsync(DemoIdentities.BranchSecretary);
        await GoToAsync(page, "/bindings");
        var row = page.Locator(".ant-table-tbody tr", new() { HasText = wrongName });
        await row.Locator("[data-testid=binding-reject] button").ClickAsync();
        await page.ClickAsync("[data-testid=reject-confirm] button");
        await Expect(page.Locator("[data-testid=reject-form] [data-field=reason] .field-error")).ToContainTextAsync("请填写不通过的原因");

        await page.FillAsync("[data-testid=reject-form] textarea", reason);
        await page.ClickAsync("[data-testid=reject-confirm] button");
        await Expect(row).ToHaveCountAsync(0);

        await using var db = app.OpenSystemDb();
        var request = await db.BindingRequests.AsNoTracking().SingleAsync(b => b.Id == requestId);
        Assert.Equal(BindingStatus.Rejected, request.Status);
        Assert.Equal(reason, request.ReviewReason);
        Assert.Equal(DemoIdentities.BranchSecretary, request.ReviewedBy);
        Assert.Null(await db.WeChatUsers.Where(u => u.Id == weChatUserId).Select(u => u.MemberId).SingleAsync());
    }

    [Fact]
    public async Task DistrictAdmin_ChangesRuleFromAFutureTime_AsNewVersion_WhileTownshipOnlyReadsRules()
    {
        const string ruleName = "按时缴纳党费";
        var page = await app.SignInAsync(DemoIdentities.DistrictAdmin);
        await GoToAsync(page, "/points/rules");
        var row = page.Locator("[data-testid=rule-current] .ant-table-tbody tr", new() { HasText = ruleName });
        await Expect(row.Locator("[data-testid=rule-points]")).ToHaveTextAsync("2.0");

        await row.Locator("[data-testid=rule-edit] button").ClickAsync();
        await page.FillAsync("[data-testid=rule-form] [data-field=Points] input", "-1");
        await page.ClickAsync("[data-testid=rule-form] button[type=submit]");
        await Expect(page.Locator("[data-field=Points] .field-error")).ToHaveTextAsync("分值须在0-1000之间，最多一位小数");

        var from = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow.AddDays(1), DistrictTime.Zone);
        await page.FillAsync("[data-testid=rule-form] [data-field=Points] input", "2.5");
        await page.FillAsync("[data-testid=rule-effective-from]", from.ToString("yyyy-MM-ddTHH:mm"));
        await page.ClickAsync("[data-testid=rule-form] button[type=submit]");

        var versions = page.Locator("[data-testid=rule-versions] .ant-table-tbody tr.ant-table-row");
        await Expect(versions).ToHaveCountAsync(2);
        await Expect(versions.First).ToContainTextAsync("待生效");
        await Expect(versions.First).ToContainTextAsync("2.5");
        await Expect(versions.Nth(1)).ToContainTextAsync("现行");
        await Expect(versions.Nth(1)).ToContainTextAsync(from.ToString("yyyy-MM-dd HH:mm"));
        // The version in force now is unchanged until the new one starts.
        await Expect(row.Locator("[data-testid=rule-points]")).ToHaveTextAsync("2.0");
        await ScreenshotAsync(page, "point-rules-admin");

        await using (var db = app.OpenSystemDb())
        {
            var rules = await db.PointRules.AsNoTracking().Where(r => r.Action == PointActions.DuesPayment).OrderBy(r => r.ActiveFrom).ToListAsync();
            Assert.Equal(2, rules.Count);
            Assert.Equal(20, rules[0].PointsTenths);
            Assert.Equal(rules[1].ActiveFrom, rules[0].ActiveTo);
            Assert.Equal(25, rules[1].PointsTenths);
        }

        var township = await app.SignInAsync(DemoIdentities.TownshipAdmin);
        await GoToAsync(township, "/points/rules");
        await Expect(township.Locator("[data-testid=rule-current] .ant-table-tbody tr", new() { HasText = "每日签到" })).ToContainTextAsync("1.0");
        await Expect(township.Locator(".console-content")).ToContainTextAsync("仅供查看");
        await Expect(township.Locator("[data-testid=rule-edit]")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Ranking_OrdersOwnBranchMembersByPointsThisPeriod()
    {
        var first = await DemoMemberIdAsync(DemoIdentities.Members[2].Name);
        var second = await DemoMemberIdAsync(DemoIdentities.Members[1].Name);
        var engine = app.Services.GetRequiredService<PointsEngine>();
        await engine.CreditAsync(first, PointActions.Volunteering, "test-ranking-1");
        await engine.CreditAsync(first, PointActions.Volunteering, "test-ranking-2");
        await engine.CreditAsync(second, PointActions.Volunteering, "test-ranking-3");

        var page = await app.SignInAsync(DemoIdentities.BranchSecretary);
        await GoToAsync(page, "/points/ranking");
        var rows = page.Locator("[data-testid=ranking-table] .ant-table-tbody tr.ant-table-row");
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(rows.First).ToContainTextAsync(DemoIdentities.Members[2].Name);
        await Expect(rows.First).ToContainTextAsync("6.0");
        await Expect(rows.Nth(1)).ToContainTextAsync(DemoIdentities.Members[1].Name);
        await Expect(rows.Nth(1)).ToContainTextAsync("3.0");

        await page.Locator("label", new() { HasText = "本周" }).ClickAsync();
        await Expect(page.Locator(".console-content")).ToContainTextAsync("本周");
        await Expect(rows.First).ToContainTextAsync("6.0");
        await ScreenshotAsync(page, "ranking-branch0101");

        await GoToAsync(page, $"/members/{first}");
        await Expect(page.Locator("[data-testid=member-points-balance]")).ToHaveTextAsync("6.0");

        var district = await app.SignInAsync(DemoIdentities.DistrictAdmin);
        await GoToAsync(district, "/points/ranking");
        await Expect(district.Locator("[data-testid=ranking-organization]")).ToContainTextAsync("区委");
    }

    [Fact]
    public async Task ActivityRecord_ShowsBindingRequestsOfOwnSubtreeOnly()
    {
        await RequestBindingAsync("留痕错名丙", DemoIdentities.Members[2].IdNumber);
        string branchName;
        await using (var db = app.OpenSystemDb())
        {
            branchName = await db.ConsoleUsers.Where(u => u.UserName == DemoIdentities.BranchSecretary).Select(u => u.Organization!.Name).SingleAsync();
        }

        var page = await app.SignInAsync(DemoIdentities.TownshipAdmin);
        await GoToAsync(page, "/activities");
        var row = page.Locator(".ant-table-tbody tr", new() { HasText = "提交实名认证" }).First;
        await Expect(row).ToContainTextAsync(branchName);
        await ScreenshotAsync(page, "activities-town01");

        var other = await app.SignInAsync("town02");
        await GoToAsync(other, "/activities");
        await Expect(other.Locator("[data-testid=activity-total]")).ToBeVisibleAsync();
        Assert.DoesNotContain(branchName, await other.Locator(".console-content").InnerTextAsync());
    }

    /// <summary>A WeChat user claims a roster record with the right ID number but a wrong name: that waits for review.</summary>
    private async Task<(Guid WeChatUserId, Guid RequestId)> RequestBindingAsync(string wrongName, string idNumber)
    {
        var user = new WeChatUser { OpenId = $"test-{Guid.NewGuid():N}" };
        await using (var db = app.OpenSystemDb())
        {
            db.WeChatUsers.Add(user);
            await db.SaveChangesAsync();
        }
        using var scope = app.Services.CreateScope();
        var result = await scope.ServiceProvider.GetRequiredService<BindingService>().BindByIdNumberAsync(user.Id, wrongName, idNumber, null);
        Assert.Equal(BindingOutcome.PendingReview, result.Outcome);
        return (user.Id, result.RequestId);
    }

    private async Task<bool> IsBoundAsync(Guid memberId)
    {
        await using var db = app.OpenSystemDb();
        return await db.WeChatUsers.AnyAsync(u => u.MemberId == memberId);
    }

    /// <summary>A documented demo member, in branch0101's branch.</summary>
    private async Task<Guid> DemoMemberIdAsync(string name)
    {
        await using var db = app.OpenSystemDb();
        var branchId = await db.ConsoleUsers.Where(u => u.UserName == DemoIdentities.BranchSecretary).Select(u => u.OrganizationId).SingleAsync();
        return await db.Members.Where(m => m.OrganizationId == branchId && m.Name == name).Select(m => m.Id).SingleAsync();
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}
