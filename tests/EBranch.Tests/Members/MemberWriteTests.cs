using System.Text.Json;
using EBranch.Core.Auditing;
using EBranch.Core.Common;
using EBranch.Core.Demo;
using EBranch.Core.Members;
using EBranch.Tests.Infrastructure;
using EBranch.Tests.Organizations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EBranch.Tests.Members;

[Collection(DistrictCollection.Name)]
public sealed class MemberWriteTests(DistrictFixture district)
{
    private async Task<Guid> BranchOf(string userName)
    {
        await using var db = district.SystemDb();
        return await db.ConsoleUsers.Where(u => u.UserName == userName).Select(u => u.OrganizationId).SingleAsync();
    }

    [Fact]
    public async Task Create_RejectsEachInvalidField_WithZhCnMessages_AndSavesNothing()
    {
        var branch = await BranchOf(DemoIdentities.BranchSecretary);
        await using var scope = await district.As(DemoIdentities.BranchSecretary);
        var members = scope.ServiceProvider.GetRequiredService<MemberService>();
        var input = MemberInputs.Valid("33019919900202123", branch, "坏数据");
        input.IdNumber = input.IdNumber![..17] + (input.IdNumber[17] == '0' ? '1' : '0'); // wrong check digit
        input.Phone = "12345";
        input.AdmittedOn = input.BirthDate!.Value.AddYears(10);

        var error = await Assert.ThrowsAsync<AppException>(() => members.CreateAsync(input));
        Assert.Equal(ErrorCodes.ValidationFailed, error.Code);
        Assert.Contains("身份证号", error.Errors![nameof(MemberInput.IdNumber)][0]);
        Assert.Contains("手机号", error.Errors[nameof(MemberInput.Phone)][0]);
        await using var db = district.SystemDb();
        Assert.False(await db.Members.AnyAsync(m => m.Name == "坏数据"));
    }

    [Fact]
    public async Task Create_ThenEdit_IsAudited_WithSensitiveValuesMasked()
    {
        var branch = await BranchOf(DemoIdentities.BranchSecretary);
        await using var scope = await district.As(DemoIdentities.BranchSecretary);
        var members = scope.ServiceProvider.GetRequiredService<MemberService>();
        var input = MemberInputs.Valid("33019919850303127", branch, "审计测试");
        var id = await members.CreateAsync(input);

        var edit = (await members.GetAsync(id)).Values;
        edit.Posts = "宣传委员";
        await members.UpdateAsync(id, edit);

        await using var township = await district.As(DemoIdentities.TownshipAdmin);
        var audit = township.ServiceProvider.GetRequiredService<AuditLogService>();
        var entries = (await audit.SearchAsync(new AuditQuery(Actor: DemoIdentities.BranchSecretary, PageSize: 50))).Items.Where(e => e.EntityId == id).ToList();
        Assert.Equal(["update", "create"], entries.Select(e => e.Action));
        Assert.Contains("宣传委员", entries[0].After);
        Assert.DoesNotContain(input.IdNumber!, entries[1].After);
        Assert.Equal("******", JsonDocument.Parse(entries[1].After!).RootElement.GetProperty("IdNumberCipher").GetString());

        // Another township's administrator does not see these entries.
        await using var other = await district.As("town02");
        var otherAudit = other.ServiceProvider.GetRequiredService<AuditLogService>();
        Assert.DoesNotContain((await otherAudit.SearchAsync(new AuditQuery(PageSize: 200))).Items, e => e.EntityId == id);
    }

    [Fact]
    public async Task Create_RejectsAnIdNumberAlreadyOnTheRoster_EvenOutsideTheScope()
    {
        var branch = await BranchOf(DemoIdentities.BranchSecretary);
        await using var scope = await district.As(DemoIdentities.BranchSecretary);
        var members = scope.ServiceProvider.GetRequiredService<MemberService>();
        var demo = DemoIdentities.Members[0];
        var input = MemberInputs.Valid(demo.IdNumber, branch, "重复");
        var error = await Assert.ThrowsAsync<AppException>(() => members.CreateAsync(input));
        Assert.Contains("已登记", error.Errors![nameof(MemberInput.IdNumber)][0]);
    }

    [Fact]
    public async Task Search_FindsByFullIdNumberOrPhone_AndShowsThemMasked()
    {
        await using var scope = await district.As(DemoIdentities.TownshipAdmin);
        var members = scope.ServiceProvider.GetRequiredService<MemberService>();
        var demo = DemoIdentities.Members[1];
        var byId = Assert.Single((await members.SearchAsync(new MemberSearch(Keyword: demo.IdNumber))).Items);
        Assert.Equal(demo.Name, byId.Name);
        Assert.Equal(EBranch.Core.Security.ChineseId.Mask(demo.IdNumber), byId.IdNumberMasked);
        Assert.Equal("138****0002", byId.PhoneMasked);
        var byPhone = Assert.Single((await members.SearchAsync(new MemberSearch(Keyword: demo.Phone))).Items);
        Assert.Equal(byId.Id, byPhone.Id);
    }

    [Fact]
    public async Task Search_PagesAreStableAndComplete()
    {
        await using var scope = await district.As(DemoIdentities.TownshipAdmin);
        var members = scope.ServiceProvider.GetRequiredService<MemberService>();
        var first = await members.SearchAsync(new MemberSearch(Page: 1, PageSize: 50));
        var second = await members.SearchAsync(new MemberSearch(Page: 2, PageSize: 50));
        Assert.Equal(50, first.Items.Count);
        Assert.Empty(first.Items.Select(i => i.Id).Intersect(second.Items.Select(i => i.Id)));
        var huge = await members.SearchAsync(new MemberSearch(PageSize: 100_000));
        Assert.Equal(Paging.MaxPageSize, huge.PageSize);
    }
}
