using EBranch.Core.Demo;
using EBranch.Core.Members;
using EBranch.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MiniExcelLibs;

namespace EBranch.Tests.Members;

[Collection(DistrictCollection.Name)]
public sealed class MemberImportTests(DistrictFixture district)
{
    private static Dictionary<string, object?> Row(string name, string first17, string org, string status = "正式党员", string admitted = "2010-07-01", string? full = "2011-07-01", string gender = "男")
    {
        var id = first17.Length == 17 ? first17 + EBranch.Core.Security.ChineseId.CheckDigit(first17) : first17;
        return new()
        {
            ["姓名"] = name, ["性别"] = gender, ["民族"] = "汉族", ["身份证号"] = id, ["手机号"] = "13700000000", ["学历"] = "本科",
            ["党员状态"] = status, ["入党日期"] = admitted, ["转正日期"] = full, ["所在党组织"] = org, ["流动党员"] = "否", ["职务"] = "",
        };
    }

    private static string WrongCheckDigit(string first17)
    {
        var right = EBranch.Core.Security.ChineseId.CheckDigit(first17);
        return first17 + (right == '0' ? '1' : '0');
    }

    private static MemoryStream Sheet(params Dictionary<string, object?>[] rows)
    {
        var stream = new MemoryStream();
        stream.SaveAs(rows);
        stream.Position = 0;
        return stream;
    }

    [Fact]
    public async Task Import_ImportsGoodRows_AndReportsEachBadRowWithItsRowNumber()
    {
        string branchName, otherName;
        await using (var db = district.SystemDb())
        {
            var user = await db.ConsoleUsers.Include(u => u.Organization).SingleAsync(u => u.UserName == DemoIdentities.BranchSecretary);
            branchName = user.Organization!.Name;
            otherName = await db.Organizations.Where(o => !o.Path.StartsWith(user.Organization.Path) && o.Kind == EBranch.Core.Organizations.OrganizationKind.Branch).Select(o => o.Name).FirstAsync();
        }
        using var sheet = Sheet(
            Row("导入甲", "33019919800101551", branchName),
            Row("导入乙", "33019919800101552", branchName, gender: "男"), // ID says female: 2 is even
            Row("导入丙", WrongCheckDigit("33019919800101553"), branchName),
            Row("导入丁", "33019919800101571", otherName),              // outside the secretary's branch
            Row("导入戊", "33019919800101591", branchName, status: "预备党员", admitted: "2026-01-05", full: null),
            Row("导入己", "33019919800101611", branchName, admitted: "2010/13/40"));

        await using var scope = await district.As(DemoIdentities.BranchSecretary);
        var import = scope.ServiceProvider.GetRequiredService<MemberImportService>();
        var report = await import.ImportAsync(sheet);

        Assert.Equal(6, report.TotalRows);
        Assert.Equal(2, report.Imported);
        Assert.Contains(report.Errors, e => e.Row == 3 && e.Column == "性别");
        Assert.Contains(report.Errors, e => e.Row == 4 && e.Column == "身份证号");
        Assert.Contains(report.Errors, e => e.Row == 5 && e.Column == "所在党组织");
        Assert.Contains(report.Errors, e => e.Row == 7 && e.Column == "入党日期");
        Assert.DoesNotContain(report.Errors, e => e.Row is 2 or 6);

        await using var check = district.SystemDb();
        var imported = await check.Members.Where(m => m.Name.StartsWith("导入")).Select(m => m.Name).ToListAsync();
        Assert.Contains("导入甲", imported);
        Assert.Contains("导入戊", imported);
        Assert.DoesNotContain("导入乙", imported);
        Assert.DoesNotContain("导入丁", imported);

        // The same file again imports nothing twice.
        sheet.Position = 0;
        var again = await import.ImportAsync(sheet);
        Assert.Equal(0, again.Imported);
        Assert.Contains(again.Errors, e => e.Row == 2 && e.Message.Contains("已登记"));
        Assert.Equal(2, await check.Members.CountAsync(m => m.Name == "导入甲" || m.Name == "导入戊"));
    }

    [Fact]
    public async Task Import_RejectsAFileThatIsNotASpreadsheet()
    {
        await using var scope = await district.As(DemoIdentities.BranchSecretary);
        var import = scope.ServiceProvider.GetRequiredService<MemberImportService>();
        var report = await import.ImportAsync(new MemoryStream("not an excel file"u8.ToArray()));
        Assert.Equal(0, report.Imported);
        Assert.Single(report.Errors);
    }

    [Fact]
    public void Template_HasEveryColumn()
    {
        using var stream = new MemoryStream(MemberImportService.Template());
        var header = stream.Query(useHeaderRow: true).Cast<IDictionary<string, object>>().First().Keys;
        Assert.Equal(MemberImportService.Columns, header);
    }
}
