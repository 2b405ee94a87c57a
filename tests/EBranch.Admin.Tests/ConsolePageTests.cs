using EBranch.Core.Demo;
using EBranch.Core.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using MiniExcelLibs;
using static EBranch.Admin.Tests.AdminAppFixture;

namespace EBranch.Admin.Tests;

[Collection(AdminCollection.Name)]
public sealed class ConsolePageTests(AdminAppFixture app)
{
    internal static readonly string[] OtherTownships = ["城东街道", "城西街道", "柳溪镇", "梅岭镇", "石门乡", "云岭乡", "中共云溪区委"];

    [Fact]
    public async Task TownshipAdmin_SeesOnlyOwnTownship_InLazyOrganizationTree()
    {
        var page = await app.SignInAsync(DemoIdentities.TownshipAdmin);
        await GoToAsync(page, "/organizations");

        var tree = page.Locator("[data-testid=org-tree]");
        await tree.Locator(".ant-tree-treenode").First.WaitForAsync();
        Assert.Equal(1, await tree.Locator(".ant-tree-treenode").CountAsync());
        Assert.Contains("青石镇", await tree.InnerTextAsync());

        // Children load only when a node is expanded.
        await tree.Locator(".ant-tree-switcher_close").First.ClickAsync();
        await Expect(tree.Locator(".ant-tree-treenode")).Not.ToHaveCountAsync(1);
        var generalBranch = tree.Locator(".ant-tree-treenode", new() { HasText = "总支部委员会" }).First;
        await generalBranch.Locator(".ant-tree-switcher_close").ClickAsync();
        await Expect(tree.Locator(".ant-tree-treenode", new() { HasText = "第一党支部" }).First).ToBeVisibleAsync();

        await tree.Locator(".ant-tree-treenode", new() { HasText = "第一党支部" }).First.Locator(".ant-tree-title").ClickAsync();
        await Expect(page.Locator("[data-testid=org-details]")).ToContainTextAsync("直属党员");
        await Expect(page.Locator("[data-testid=org-members-link]")).ToBeVisibleAsync();

        var text = await tree.InnerTextAsync();
        Assert.DoesNotContain(OtherTownships, text.Contains);
        await ScreenshotAsync(page, "organizations-town01");
    }

    [Fact]
    public async Task BranchSecretary_SeesOnlyOwnBranchMembers_AndNoUserMenu()
    {
        var (branchId, branchName, branchMembers) = await BranchOfAsync(DemoIdentities.BranchSecretary);
        var page = await app.SignInAsync(DemoIdentities.BranchSecretary);
        await GoToAsync(page, "/members");

        await Expect(page.Locator("[data-testid=member-total]")).ToHaveTextAsync(branchMembers.ToString());
        var organizations = await page.Locator("[data-testid=member-org]").AllInnerTextsAsync();
        Assert.NotEmpty(organizations);
        Assert.All(organizations, o => Assert.Equal(branchName, o));
        Assert.Contains(DemoIdentities.Members[0].Name, await SearchNameAsync(page, DemoIdentities.Members[0].Name));
        await Expect(page.Locator("[data-testid=member-total]")).ToHaveTextAsync("1");

        var menu = await page.Locator(".ant-layout-sider").InnerTextAsync();
        Assert.Contains("党员管理", menu);
        Assert.DoesNotContain("用户管理", menu);
        Assert.DoesNotContain("审计日志", menu);
        Assert.NotEqual(Guid.Empty, branchId);
        await ScreenshotAsync(page, "members-branch0101");
    }

    [Fact]
    public async Task BranchSecretary_OpeningMemberOfAnotherTownship_ShowsNotFound()
    {
        await using var db = app.OpenSystemDb();
        var townPath = await db.Organizations.Where(o => o.Name == "中共青石镇委员会").Select(o => o.Path).SingleAsync();
        var stranger = await db.Members.Where(m => !m.Organization!.Path.StartsWith(townPath)).Select(m => new { m.Id, m.Name }).FirstAsync();

        var page = await app.SignInAsync(DemoIdentities.BranchSecretary);
        await GoToAsync(page, $"/members/{stranger.Id}");

        await Expect(page.Locator(".console-content")).ToContainTextAsync("不存在或无权访问");
        Assert.DoesNotContain(stranger.Name, await page.Locator(".console-content").InnerTextAsync());
    }

    [Fact]
    public async Task MemberForm_ShowsIdNumberError_ThenCreatesMember_ThatIsAudited()
    {
        const string name = "测试新党员";
        var page = await app.SignInAsync(DemoIdentities.BranchSecretary);
        await GoToAsync(page, "/members/new");

        await page.FillAsync("[data-field=Name] input", name);
        await page.FillAsync("[data-field=IdNumber] input", "110101199001011230");
        await PickDateAsync(page, "member-admitted-on", new DateOnly(2015, 7, 1));
        await PickDateAsync(page, "member-full-member-on", new DateOnly(2016, 7, 1));
        await page.ClickAsync("[data-testid=member-form] button[type=submit]");

        await Expect(page.Locator("[data-field=IdNumber] .field-error")).ToHaveTextAsync("身份证号格式或校验位不正确");
        Assert.Equal(0, await CountMembersNamedAsync(name));

        await page.FillAsync("[data-field=IdNumber] input", ValidIdNumber("11010119900101123"));
        await page.ClickAsync("[data-testid=member-form] button[type=submit]");
        await page.WaitForURLAsync(url => url.Contains("/members?saved=", StringComparison.Ordinal));
        await WaitInteractiveAsync(page);
        Assert.Contains(name, await SearchNameAsync(page, name));
        Assert.Equal(1, await CountMembersNamedAsync(name));

        var auditor = await app.SignInAsync(DemoIdentities.TownshipAdmin);
        await GoToAsync(auditor, "/audit");
        var firstRow = auditor.Locator(".ant-table-tbody tr.ant-table-row").First;
        await Expect(firstRow).ToContainTextAsync(name);
        await Expect(firstRow).ToContainTextAsync("新增");
        await Expect(firstRow).ToContainTextAsync(DemoIdentities.BranchSecretary);
    }

    [Fact]
    public async Task ExcelImport_ReportsBadRowsByNumber_AndImportsGoodRows()
    {
        var (_, branchName, _) = await BranchOfAsync(DemoIdentities.BranchSecretary);
        var file = Path.Combine(Path.GetTempPath(), "ebranch-tests", $"import-{Guid.NewGuid():N}.xlsx");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var rows = new[]
        {
            ImportRow("导入甲", ValidIdNumber("11010119850301101"), branchName),
            ImportRow("导入乙", "110101198503011", branchName),
            ImportRow("导入丙", ValidIdNumber("11010119850301103"), branchName),
            ImportRow("导入丁", ValidIdNumber("11010119850301105"), "不存在的党支部"),
        };
        await MiniExcel.SaveAsAsync(file, rows);

        var page = await app.SignInAsync(DemoIdentities.BranchSecretary);
        await GoToAsync(page, "/members/import");
        await page.SetInputFilesAsync("input[type=file]", file);

        await Expect(page.Locator("[data-testid=import-report] .ant-alert")).ToContainTextAsync("成功导入 2 名党员");
        var errors = page.Locator(".ant-table-tbody");
        await Expect(errors).ToContainTextAsync("身份证号");
        await Expect(errors.Locator("tr", new() { HasText = "身份证号" }).First).ToContainTextAsync("3");
        await Expect(errors.Locator("tr", new() { HasText = "所在党组织" }).First).ToContainTextAsync("5");
        Assert.Equal(1, await CountMembersNamedAsync("导入甲"));
        Assert.Equal(1, await CountMembersNamedAsync("导入丙"));
        Assert.Equal(0, await CountMembersNamedAsync("导入乙"));
        Assert.Equal(0, await CountMembersNamedAsync("导入丁"));
    }

    [Fact]
    public async Task WrongPasswordFiveTimes_LocksTheAccount()
    {
        var page = await app.NewPageAsync();
        await page.GotoAsync("/login");
        for (var i = 1; i <= 4; i++)
        {
            await SubmitLoginAsync(page, DemoIdentities.ReadOnly, "wrong-password");
            await Expect(page.Locator("[data-testid=login-error]")).ToHaveTextAsync("用户名或密码错误");
        }
        await SubmitLoginAsync(page, DemoIdentities.ReadOnly, "wrong-password");
        await Expect(page.Locator("[data-testid=login-error]")).ToContainTextAsync("账号已锁定");

        await SubmitLoginAsync(page, DemoIdentities.ReadOnly, DemoIdentities.Password);
        await Expect(page.Locator("[data-testid=login-error]")).ToContainTextAsync("账号已锁定");
        Assert.Contains("/login", page.Url);
    }

    [Fact]
    public async Task TownshipAdmin_ManagesOnlyOwnTownshipUsers_AndCannotGrantDistrictRole()
    {
        var page = await app.SignInAsync(DemoIdentities.TownshipAdmin);
        await GoToAsync(page, "/users");
        var table = page.Locator(".ant-table-tbody");
        await Expect(table).ToContainTextAsync(DemoIdentities.BranchSecretary);
        var text = await table.InnerTextAsync();
        Assert.DoesNotContain("town02", text);
        Assert.DoesNotContain("区委组织部管理员", text);

        await GoToAsync(page, "/users/new");
        await page.Locator("[data-field=Role] .ant-select").ClickAsync();
        await page.Locator("[role=option][aria-label='支部书记']").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        var labels = await page.Locator("[role=option]").EvaluateAllAsync<string[]>("options => options.map(o => o.getAttribute('aria-label'))");
        Assert.Contains("乡镇党委", labels);
        Assert.DoesNotContain("区委组织部", labels);
    }

    [Fact]
    public async Task AnonymousVisitor_IsSentToLogin()
    {
        var page = await app.NewPageAsync();
        await page.GotoAsync("/members");
        Assert.Contains("/login?returnUrl=%2Fmembers", page.Url);
        await Expect(page.Locator("#userName")).ToBeVisibleAsync();
    }

    private static Dictionary<string, object?> ImportRow(string name, string idNumber, string organization) => new()
    {
        ["姓名"] = name, ["性别"] = "男", ["民族"] = "汉族", ["身份证号"] = idNumber, ["手机号"] = "",
        ["学历"] = "高中", ["党员状态"] = "正式党员", ["入党日期"] = "2010-07-01", ["转正日期"] = "2011-07-01",
        ["所在党组织"] = organization, ["流动党员"] = "否", ["职务"] = "",
    };

    /// <summary>An ID number with a correct check digit; an odd 17th digit means male.</summary>
    private static string ValidIdNumber(string first17) => first17 + ChineseId.CheckDigit(first17);

    private static async Task<string> SearchNameAsync(IPage page, string name)
    {
        await page.FillAsync(".page-toolbar input", name);
        await page.ClickAsync("[data-testid=member-search] button");
        await Expect(page.Locator(".ant-table-tbody")).ToContainTextAsync(name);
        return await page.Locator(".ant-table-tbody").InnerTextAsync();
    }

    private async Task<int> CountMembersNamedAsync(string name)
    {
        await using var db = app.OpenSystemDb();
        return await db.Members.CountAsync(m => m.Name == name);
    }

    private async Task<(Guid Id, string Name, int Members)> BranchOfAsync(string userName)
    {
        await using var db = app.OpenSystemDb();
        var branch = await db.ConsoleUsers.Where(u => u.UserName == userName).Select(u => new { u.OrganizationId, u.Organization!.Name }).SingleAsync();
        var members = await db.Members.CountAsync(m => m.OrganizationId == branch.OrganizationId);
        return (branch.OrganizationId, branch.Name, members);
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}
