using System.Globalization;
using EBranch.Core.Demo;
using EBranch.Core.Dues;
using EBranch.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using MiniExcelLibs;
using static EBranch.Admin.Tests.AdminAppFixture;

namespace EBranch.Admin.Tests;

/// <summary>The console side of party dues: collection report and export, unpaid warnings, standards, refunds, reconciliation issues.</summary>
[Collection(AdminCollection.Name)]
public sealed class DuesPageTests(AdminAppFixture app)
{
    private int CurrentMonth => DuesMonth.Current(app.Services.GetRequiredService<TimeProvider>());

    [Fact]
    public async Task TownshipReport_TotalIsTheSumOfItsRows_MatchesTheDatabase_AndTheExport()
    {
        var page = await app.SignInAsync(DemoIdentities.TownshipAdmin);
        await GoToAsync(page, "/dues");
        await Expect(page.Locator("[data-testid=dues-month-label]")).ToHaveTextAsync(DuesMonth.Label(CurrentMonth));
        var report = page.Locator("[data-testid=dues-report]");
        var total = report.Locator("tr.dues-total");
        await Expect(total.Locator("[data-testid=dues-name]")).ToHaveTextAsync("合计");

        var rows = report.Locator("tr.dues-branch");
        var expectedCounts = await Ints(rows, "expected-count");
        var expectedFen = await Fens(rows, "expected-yuan");
        var paidCounts = await Ints(rows, "paid-count");
        var paidFen = await Fens(rows, "paid-yuan");
        Assert.True(expectedCounts.Count > 1);
        Assert.Equal(expectedCounts.Sum(), (await Ints(total, "expected-count")).Single());
        Assert.Equal(expectedFen.Sum(), (await Fens(total, "expected-yuan")).Single());
        Assert.Equal(paidCounts.Sum(), (await Ints(total, "paid-count")).Single());
        Assert.Equal(paidFen.Sum(), (await Fens(total, "paid-yuan")).Single());
        var names = await rows.Locator("[data-testid=dues-name]").AllInnerTextsAsync();
        Assert.DoesNotContain(ConsolePageTests.OtherTownships, n => names.Any(r => r.Contains(n, StringComparison.Ordinal)));
        await ScreenshotAsync(page, "dues-town01");

        // The unpaid list is paged by the server: a township's first page holds 20 of its unpaid members.
        var unpaidTotal = int.Parse(await page.Locator("[data-testid=unpaid-total]").InnerTextAsync(), CultureInfo.InvariantCulture);
        Assert.InRange(unpaidTotal, 21, expectedCounts.Sum());
        await Expect(page.Locator("[data-testid=unpaid-list] .ant-table-tbody tr.ant-table-row")).ToHaveCountAsync(20);

        await using (var db = app.OpenSystemDb())
        {
            var townPath = await OrganizationPathOfAsync(DemoIdentities.TownshipAdmin);
            var bills = await db.DuesBills.AsNoTracking().Where(b => b.Month == CurrentMonth && b.OrganizationPath.StartsWith(townPath))
                .Select(b => new { b.AmountFen, b.Status }).ToListAsync();
            Assert.Equal(bills.Count, expectedCounts.Sum());
            Assert.Equal(bills.Sum(b => b.AmountFen), expectedFen.Sum());
            Assert.Equal(bills.Count(b => b.Status == BillStatus.Paid), paidCounts.Sum());
            Assert.Equal(bills.Where(b => b.Status == BillStatus.Paid).Sum(b => b.AmountFen), paidFen.Sum());
        }

        // The export is served over HTTP with the signed-in user's cookie.
        var href = await page.Locator("[data-testid=dues-export]").GetAttributeAsync("href");
        var response = await page.APIRequest.GetAsync(href!);
        Assert.Equal(200, response.Status);
        Assert.Contains("spreadsheetml", response.Headers["content-type"]);
        using var stream = new MemoryStream(await response.BodyAsync());
        var sheet = stream.Query(useHeaderRow: true).Cast<IDictionary<string, object>>().ToList();
        Assert.Equal(expectedCounts.Count + 1, sheet.Count);
        Assert.Contains("合计", Convert.ToString(sheet[^1]["党组织"], CultureInfo.InvariantCulture));
        Assert.Equal(expectedCounts, sheet.SkipLast(1).Select(r => Convert.ToInt32(r["应缴人数"], CultureInfo.InvariantCulture)).ToList());
        Assert.Equal(expectedCounts.Sum(), Convert.ToInt32(sheet[^1]["应缴人数"], CultureInfo.InvariantCulture));
        Assert.Equal(paidFen.Sum(), Fen(Convert.ToString(sheet[^1]["已缴金额(元)"], CultureInfo.InvariantCulture)!));
        Assert.Equal(paidFen, sheet.SkipLast(1).Select(r => Fen(Convert.ToString(r["已缴金额(元)"], CultureInfo.InvariantCulture)!)).ToList());

        // Another township's report is not in scope.
        var other = await page.APIRequest.GetAsync($"/dues/export?org={Guid.NewGuid()}&month={CurrentMonth}");
        Assert.Equal(404, other.Status);
    }

    [Fact]
    public async Task BranchSecretary_SeesOwnBranchOnly_AndArrearsWarningsAfterTwoUnpaidMonths()
    {
        var (branchId, branchName) = await OrganizationOfAsync(DemoIdentities.BranchSecretary);
        var member = await TwoMonthsBehindAsync(branchId);

        var page = await app.SignInAsync(DemoIdentities.BranchSecretary);
        await GoToAsync(page, "/dues");
        var rows = page.Locator("[data-testid=dues-report] tr.dues-branch");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.Locator("[data-testid=dues-name]")).ToHaveTextAsync(branchName);
        var text = await page.Locator(".console-content").InnerTextAsync();
        Assert.DoesNotContain(ConsolePageTests.OtherTownships, n => text.Contains(n, StringComparison.Ordinal));

        await page.FillAsync("[data-testid=unpaid-keyword]", member);
        var row = page.Locator("[data-testid=unpaid-list] .ant-table-tbody tr.ant-table-row", new() { HasText = member });
        await Expect(row.Locator("[data-testid=unpaid-months]")).ToHaveTextAsync("2");
        await Expect(row.Locator("[data-testid=unpaid-warning]")).ToHaveTextAsync(DuesReportService.Warning(2)!);
        await Expect(row.Locator("[data-testid=unpaid-warning] .ant-tag-orange")).ToHaveCountAsync(1);
        // Filtered and counted by the server: one member matches, and that one is warned.
        await Expect(page.Locator("[data-testid=unpaid-total]")).ToHaveTextAsync("1");
        await Expect(page.Locator("[data-testid=unpaid-warned]")).ToHaveTextAsync("1");
        await ScreenshotAsync(page, "dues-branch0101");

        // Last month: the member owed one month then.
        var previous = DuesMonth.Add(CurrentMonth, -1);
        await PickMonthAsync(page, "dues-month", previous);
        await Expect(page.Locator("[data-testid=dues-month-label]")).ToHaveTextAsync(DuesMonth.Label(previous));
        await page.FillAsync("[data-testid=unpaid-keyword]", member);
        await Expect(row.Locator("[data-testid=unpaid-months]")).ToHaveTextAsync("1");
        await Expect(row.Locator("[data-testid=unpaid-warning]")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task SettingAStandard_ForAnEmployedMember_Shows81Yuan()
    {
        var (branchId, _) = await OrganizationOfAsync(DemoIdentities.BranchSecretary);
        Guid memberId;
        await using (var db = app.OpenSystemDb())
        {
            memberId = await db.Members.Where(m => m.OrganizationId == branchId && m.Name == DemoIdentities.Members[0].Name).Select(m => m.Id).SingleAsync();
        }

        var page = await app.SignInAsync(DemoIdentities.BranchSecretary);
        await GoToAsync(page, $"/members/{memberId}");
        var form = page.Locator("[data-testid=dues-standard-form]");
        await form.Locator("[data-testid=dues-category]").SelectOptionAsync(nameof(DuesCategory.Employed));
        await form.Locator("[data-testid=dues-base]").FillAsync("5400");
        await form.Locator("button[type=submit]").ClickAsync();

        await Expect(page.Locator("[data-testid=dues-standard-saved]")).ToHaveTextAsync("81.00");
        await Expect(page.Locator("[data-testid=dues-standard-amount]")).ToHaveTextAsync("81.00");
        await Expect(page.Locator("[data-testid=dues-history-amount]").First).ToHaveTextAsync("81.00");

        await using (var db = app.OpenSystemDb())
        {
            var latest = await db.DuesStandards.AsNoTracking().Where(s => s.MemberId == memberId).OrderByDescending(s => s.CreatedAt).FirstAsync();
            Assert.Equal(540_000, latest.BaseFen);
            Assert.Equal(8_100, latest.AmountFen);
            Assert.Equal(CurrentMonth, latest.EffectiveFrom);
        }
    }

    [Fact]
    public async Task RefundRequestedByBranch_IsApprovedByTownship_NeverByTheRequester()
    {
        var (branchId, _) = await OrganizationOfAsync(DemoIdentities.BranchSecretary);
        var outTradeNo = await PaidOrderAsync(branchId);

        var branch = await app.SignInAsync(DemoIdentities.BranchSecretary);
        await GoToAsync(branch, "/dues/orders");
        var row = branch.Locator(".ant-table-tbody tr.ant-table-row", new() { HasText = outTradeNo });
        await Expect(row.Locator("[data-testid=order-status]")).ToHaveTextAsync("已支付");
        await row.Locator("[data-testid=order-refund] button").ClickAsync();
        await branch.ClickAsync("[data-testid=refund-confirm] button");
        await Expect(branch.Locator("[data-testid=refund-form] [data-field=reason] .field-error")).ToContainTextAsync("请填写退款原因");
        await branch.FillAsync("[data-testid=refund-form] textarea", "重复缴纳，退回本笔");
        await branch.ClickAsync("[data-testid=refund-confirm] button");
        await Expect(branch.Locator("[data-testid=refund-form]")).ToHaveCountAsync(0);
        // While a request is pending the order offers no second one, only a pointer to it.
        await Expect(row.Locator("[data-testid=order-refund]")).ToHaveCountAsync(0);
        await Expect(row.Locator("[data-testid=order-refund-pending]")).ToHaveTextAsync("退款待审批");

        // The requester is offered the withdrawal, never the decision.
        await GoToAsync(branch, "/dues/refunds");
        var request = branch.Locator(".ant-table-tbody tr.ant-table-row", new() { HasText = outTradeNo });
        await Expect(request.Locator("[data-testid=refund-status]")).ToHaveTextAsync("待审批");
        await Expect(request).ToContainTextAsync(outTradeNo + "-R1");
        await Expect(request.Locator("[data-testid=refund-approve]")).ToHaveCountAsync(0);
        await Expect(request.Locator("[data-testid=refund-reject]")).ToHaveCountAsync(0);
        await Expect(request.Locator("[data-testid=refund-withdraw]")).ToHaveCountAsync(1);
        await ScreenshotAsync(branch, "dues-refund-own");

        var town = await app.SignInAsync(DemoIdentities.TownshipAdmin);
        await GoToAsync(town, "/dues/refunds");
        var pending = town.Locator(".ant-table-tbody tr.ant-table-row", new() { HasText = outTradeNo });
        await Expect(pending).ToContainTextAsync(DemoIdentities.BranchSecretary);
        await Expect(pending.Locator("[data-testid=refund-member]")).ToHaveTextAsync(DemoIdentities.Members[1].Name);
        await Expect(pending.Locator("[data-testid=refund-withdraw]")).ToHaveCountAsync(0);
        await pending.Locator("[data-testid=refund-approve] button").ClickAsync();
        // The emulator does not know this order: the approval stands and the sync job asks WeChat Pay again.
        // The list shows every status by default, so the decided request stays in view, without the buttons.
        await Expect(pending.Locator("[data-testid=refund-status]")).Not.ToHaveTextAsync("待审批");
        await Expect(pending.Locator("[data-testid=refund-approve]")).ToHaveCountAsync(0);
        await Expect(pending).ToContainTextAsync("审批人：" + DemoIdentities.TownshipAdmin);
        await Expect(town.Locator(".console-content .ant-result")).ToHaveCountAsync(0);
        // The branch's list shows it decided too.
        await branch.ReloadAsync();
        await Expect(request.Locator("[data-testid=refund-status]")).Not.ToHaveTextAsync("待审批");
        await Expect(request.Locator("[data-testid=refund-withdraw]")).ToHaveCountAsync(0);

        await using var db = app.OpenSystemDb();
        var refund = await db.DuesRefunds.AsNoTracking().SingleAsync(r => r.Order!.OutTradeNo == outTradeNo);
        Assert.NotEqual(RefundStatus.Requested, refund.Status);
        Assert.Equal(DemoIdentities.BranchSecretary, refund.RequestedBy);
        Assert.Equal(DemoIdentities.TownshipAdmin, refund.DecidedBy);
    }

    [Fact]
    public async Task ResolvingAnIssue_NeedsAResolution_ThenLeavesTheUnresolvedList()
    {
        var detail = $"测试差异 {Guid.NewGuid():N}"[..20];
        Guid issueId;
        await using (var db = app.OpenSystemDb())
        {
            var issue = new DuesIssue
            {
                Kind = IssueKind.AmountDiffers, BillDate = DateOnly.FromDateTime(DateTime.Today.AddDays(-1)), OutTradeNo = "TISSUE" + Guid.NewGuid().ToString("N")[..12],
                OurAmountFen = 8_100, TheirAmountFen = 8_000, OurState = nameof(PayOrderStatus.Paid), TheirState = "SUCCESS", Detail = detail,
                OrganizationPath = await OrganizationPathOfAsync(DemoIdentities.BranchSecretary),
            };
            db.DuesIssues.Add(issue);
            await db.SaveChangesAsync();
            issueId = issue.Id;
        }

        var page = await app.SignInAsync(DemoIdentities.TownshipAdmin);
        await GoToAsync(page, "/dues/issues");
        var row = page.Locator(".ant-table-tbody tr.ant-table-row", new() { HasText = detail });
        await Expect(row).ToContainTextAsync("金额不符");
        await Expect(row).ToContainTextAsync("81.00");
        await Expect(row).ToContainTextAsync("80.00");
        await Expect(row).ToContainTextAsync("已支付");
        await Expect(page.Locator("[data-testid=reconcile-run]")).ToHaveCountAsync(0);

        await row.Locator("[data-testid=issue-resolve] button").ClickAsync();
        await page.ClickAsync("[data-testid=issue-confirm] button");
        await Expect(page.Locator("[data-testid=issue-form] [data-field=resolution] .field-error")).ToContainTextAsync("请填写处理说明");
        await page.FillAsync("[data-testid=issue-form] textarea", "已与微信支付核实，差额线下补退");
        await page.ClickAsync("[data-testid=issue-confirm] button");
        await Expect(row).ToHaveCountAsync(0);

        await using (var db = app.OpenSystemDb())
        {
            var issue = await db.DuesIssues.AsNoTracking().SingleAsync(i => i.Id == issueId);
            Assert.NotNull(issue.ResolvedAt);
            Assert.Equal(DemoIdentities.TownshipAdmin, issue.ResolvedBy);
        }

        // District administrators may run a day's reconciliation again (against the emulator's bill).
        var district = await app.SignInAsync(DemoIdentities.DistrictAdmin);
        await GoToAsync(district, "/dues/issues");
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, EBranch.Core.Common.DistrictTime.Zone).DateTime).AddDays(-2);
        await PickDateAsync(district, "reconcile-date", day);
        await district.ClickAsync("[data-testid=reconcile-run] button");
        await Expect(district.Locator(".console-content .ant-alert")).ToContainTextAsync($"{day:yyyy-MM-dd} 对账完成");
    }

    [Fact]
    public async Task BranchSettings_AreValidated_AndSaved()
    {
        var (branchId, _) = await OrganizationOfAsync(DemoIdentities.BranchSecretary);
        var page = await app.SignInAsync(DemoIdentities.BranchSecretary);
        await GoToAsync(page, "/dues/settings");
        var form = page.Locator("[data-testid=dues-settings-form]");
        await form.Locator("[data-testid=settings-reminder-day]").FillAsync("10");
        await form.Locator("[data-testid=settings-collector]").FillAsync("李秀英");
        await form.Locator("[data-testid=settings-cash]").UncheckAsync();
        await form.Locator("[data-testid=settings-farmer]").FillAsync("1.5");
        await form.Locator("button[type=submit]").ClickAsync();
        await Expect(form.Locator("[data-field=farmerAmountFen] .field-error")).ToContainTextAsync("0.2元至1元");

        await form.Locator("[data-testid=settings-farmer]").FillAsync("0.5");
        await form.Locator("button[type=submit]").ClickAsync();
        await Expect(page.Locator(".ant-message")).ToContainTextAsync("党费设置已保存");
        await Expect(form.Locator("[data-testid=settings-farmer]")).ToHaveValueAsync("0.50");

        await using var db = app.OpenSystemDb();
        var settings = await db.BranchDuesSettings.AsNoTracking().SingleAsync(s => s.OrganizationId == branchId);
        Assert.Equal(10, settings.ReminderDay);
        Assert.Equal("李秀英", settings.Collector);
        Assert.True(settings.AllowWeChatPay);
        Assert.False(settings.AllowCash);
        Assert.Equal(50, settings.FarmerAmountFen);
    }

    private static async Task<List<int>> Ints(ILocator scope, string testId)
        => [.. (await scope.Locator($"[data-testid={testId}]").AllInnerTextsAsync()).Select(t => int.Parse(t, CultureInfo.InvariantCulture))];

    private static async Task<List<long>> Fens(ILocator scope, string testId)
        => [.. (await scope.Locator($"[data-testid={testId}]").AllInnerTextsAsync()).Select(Fen)];

    private static long Fen(string yuan) => (long)(decimal.Parse(yuan, CultureInfo.InvariantCulture) * 100);

    private async Task<(Guid Id, string Name)> OrganizationOfAsync(string userName)
    {
        await using var db = app.OpenSystemDb();
        var organization = await db.ConsoleUsers.Where(u => u.UserName == userName).Select(u => new { u.OrganizationId, u.Organization!.Name }).SingleAsync();
        return (organization.OrganizationId, organization.Name);
    }

    private async Task<string> OrganizationPathOfAsync(string userName)
    {
        await using var db = app.OpenSystemDb();
        return await db.ConsoleUsers.Where(u => u.UserName == userName).Select(u => u.Organization!.Path).SingleAsync();
    }

    /// <summary>A member of the branch (not a documented demo member) with the month before last paid and the last two months unpaid.</summary>
    private async Task<string> TwoMonthsBehindAsync(Guid branchId)
    {
        await using var db = app.OpenSystemDb();
        var demoNames = DemoIdentities.Members.Select(d => d.Name).ToList();
        var candidates = await db.Members.Where(m => m.OrganizationId == branchId && !demoNames.Contains(m.Name))
            .Select(m => new { m.Id, m.Name, m.OrganizationId, m.Organization!.Path }).ToListAsync();
        var member = candidates.GroupBy(m => m.Name).First(g => g.Count() == 1).Single();
        var months = new[] { DuesMonth.Add(CurrentMonth, -2), DuesMonth.Add(CurrentMonth, -1), CurrentMonth };
        var bills = await db.DuesBills.Where(b => b.MemberId == member.Id && months.Contains(b.Month)).ToListAsync();
        foreach (var month in months)
        {
            var bill = bills.FirstOrDefault(b => b.Month == month);
            if (bill is null)
            {
                bill = new DuesBill { MemberId = member.Id, Month = month, AmountFen = 2_000, OrganizationId = member.OrganizationId, OrganizationPath = member.Path };
                db.DuesBills.Add(bill);
            }
            var paid = month == months[0];
            bill.Status = paid ? BillStatus.Paid : BillStatus.Unpaid;
            bill.PaidAt = paid ? DateTimeOffset.UtcNow.AddMonths(-2) : null;
            bill.PaidByOrderId = null;
        }
        await db.SaveChangesAsync();
        return member.Name;
    }

    /// <summary>A WeChat Pay order for this month's bill of a documented demo member, already paid (the WeChat side is not involved).</summary>
    private async Task<string> PaidOrderAsync(Guid branchId)
    {
        await using var db = app.OpenSystemDb();
        var memberId = await db.Members.Where(m => m.OrganizationId == branchId && m.Name == DemoIdentities.Members[1].Name).Select(m => m.Id).SingleAsync();
        var bill = await db.DuesBills.Where(b => b.MemberId == memberId && b.Month == CurrentMonth && b.Status == BillStatus.Unpaid).FirstAsync();
        var order = new PayOrder
        {
            OutTradeNo = "T" + Guid.NewGuid().ToString("N")[..24], MemberId = bill.MemberId, PayerWeChatUserId = Guid.NewGuid(), PayerOpenId = "test-openid",
            AmountFen = bill.AmountFen, Status = PayOrderStatus.Paid, PaidAt = DateTimeOffset.UtcNow, ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(30),
            Description = $"党费 {DuesMonth.Label(bill.Month)}", OrganizationId = bill.OrganizationId, OrganizationPath = bill.OrganizationPath,
            Items = [new PayOrderItem { BillId = bill.Id, Month = bill.Month, AmountFen = bill.AmountFen }],
        };
        db.PayOrders.Add(order);
        bill.Status = BillStatus.Paid;
        bill.PaidByOrderId = order.Id;
        bill.PaidAt = order.PaidAt;
        await db.SaveChangesAsync();
        return order.OutTradeNo;
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    [Fact]
    public async Task HardshipReduction_RequestedByTheBranch_IsApprovedByTheTownshipOnThePage()
    {
        Guid memberId, requestId;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await using var db = app.OpenSystemDb();
            var branchId = await db.ConsoleUsers.Where(u => u.UserName == DemoIdentities.BranchSecretary).Select(u => u.OrganizationId).SingleAsync();
            var member = await db.Members.Where(m => m.OrganizationId == branchId && m.Name != "张建国").OrderBy(m => m.Id).FirstAsync();
            memberId = member.Id;
            db.DuesStandards.Add(new DuesStandard { MemberId = memberId, Category = DuesCategory.Employed, BaseFen = 540000, RateBasisPoints = 150, AmountFen = 8100, EffectiveFrom = CurrentMonth });
            await db.SaveChangesAsync();
        }
        var secretaryPage = await app.SignInAsync(DemoIdentities.BranchSecretary);
        await GoToAsync(secretaryPage, "/dues/reductions");
        await Expect(secretaryPage.Locator("[data-testid=reduction-form]")).ToBeVisibleAsync();
        await using (var db = app.OpenSystemDb())
        {
            // The request itself goes through the service as the secretary (the member picker is exercised elsewhere).
            var caller = await app.Services.GetRequiredService<EBranch.Core.Accounts.ConsoleUserService>()
                .LoadCallerAsync(await db.ConsoleUsers.Where(u => u.UserName == DemoIdentities.BranchSecretary).Select(u => u.Id).SingleAsync());
            var service = ActivatorUtilities.CreateInstance<DuesStandardService>(app.Services,
                new EBranch.Core.Data.ScopedDb(app.Services.GetRequiredService<EBranch.Core.Data.EBranchDbFactory>(), new FixedCaller(caller!)));
            requestId = await service.RequestReductionAsync(memberId, 50, CurrentMonth, "因病致贫");
        }
        await secretaryPage.ReloadAsync();
        await Expect(secretaryPage.Locator("[data-testid=reduction-status]").First).ToHaveTextAsync("待审批");
        // The requester may withdraw, never decide.
        await Expect(secretaryPage.Locator("[data-testid=reduction-approve]")).ToHaveCountAsync(0);
        await Expect(secretaryPage.Locator("[data-testid=reduction-withdraw]").First).ToBeVisibleAsync();

        var township = await app.SignInAsync(DemoIdentities.TownshipAdmin);
        await GoToAsync(township, "/dues/reductions");
        await township.Locator("[data-testid=reduction-approve] button").First.ClickAsync();
        await Expect(township.Locator("[data-testid=reduction-status]").First).ToHaveTextAsync("已通过");
        await using var check = app.OpenSystemDb();
        Assert.Equal(ReductionStatus.Approved, (await check.DuesReductions.SingleAsync(r => r.Id == requestId)).Status);
        Assert.True(await check.DuesStandards.AnyAsync(s => s.MemberId == memberId && s.ReducedAmountFen == 50));
    }

}
