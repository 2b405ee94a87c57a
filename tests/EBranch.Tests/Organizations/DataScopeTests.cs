using EBranch.Core.Accounts;
using EBranch.Core.Common;
using EBranch.Core.Demo;
using EBranch.Core.Members;
using EBranch.Core.Organizations;
using EBranch.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EBranch.Tests.Organizations;

/// <summary>"An administrator sees only their organization's subtree", through the real services.</summary>
[Collection(DistrictCollection.Name)]
public sealed class DataScopeTests(DistrictFixture district)
{
    private async Task<Organization> OrganizationOf(string userName)
    {
        await using var db = district.SystemDb();
        return await db.ConsoleUsers.Where(u => u.UserName == userName).Select(u => u.Organization!).SingleAsync();
    }

    private async Task<Member> AMemberOutside(string path)
    {
        await using var db = district.SystemDb();
        return await db.Members.Where(m => !m.Organization!.Path.StartsWith(path)).OrderBy(m => m.Id).FirstAsync();
    }

    [Fact]
    public async Task TownshipAdmin_SeesOnlyTheirTownshipsOrganizations()
    {
        var township = await OrganizationOf(DemoIdentities.TownshipAdmin);
        await using var scope = await district.As(DemoIdentities.TownshipAdmin);
        var organizations = scope.ServiceProvider.GetRequiredService<OrganizationService>();

        var roots = await organizations.GetRootsAsync();
        Assert.Equal(township.Id, Assert.Single(roots).Id);
        Assert.Contains(DemoIdentities.DemoTownship, roots[0].Name);

        var all = await organizations.SearchAsync(null, 200);
        await using var db = district.SystemDb();
        var expected = await db.Organizations.CountAsync(o => o.Path.StartsWith(township.Path));
        Assert.Equal(Math.Min(200, expected), all.Count);
        var paths = await db.Organizations.Where(o => all.Select(a => a.Id).Contains(o.Id)).Select(o => o.Path).ToListAsync();
        Assert.All(paths, p => Assert.StartsWith(township.Path, p));
    }

    [Fact]
    public async Task TownshipAdmin_CannotLoadChildrenOfAnotherTownship()
    {
        await using var db = district.SystemDb();
        var township = await OrganizationOf(DemoIdentities.TownshipAdmin);
        var other = await db.Organizations.FirstAsync(o => o.Kind == OrganizationKind.PartyCommittee && o.Depth == 1 && o.Id != township.Id && o.Name.Contains("街道"));
        await using var scope = await district.As(DemoIdentities.TownshipAdmin);
        var organizations = scope.ServiceProvider.GetRequiredService<OrganizationService>();
        Assert.Empty(await organizations.GetChildrenAsync(other.Id));
        var error = await Assert.ThrowsAsync<AppException>(() => organizations.GetAsync(other.Id));
        Assert.Equal(ErrorCodes.NotFound, error.Code);
    }

    [Fact]
    public async Task BranchSecretary_ListsOnlyTheirBranchsMembers()
    {
        var branch = await OrganizationOf(DemoIdentities.BranchSecretary);
        await using var db = district.SystemDb();
        var expected = await db.Members.CountAsync(m => m.Organization!.Path.StartsWith(branch.Path));

        await using var scope = await district.As(DemoIdentities.BranchSecretary);
        var members = scope.ServiceProvider.GetRequiredService<MemberService>();
        var page = await members.SearchAsync(new MemberSearch(PageSize: 200));
        Assert.Equal(expected, page.Total);
        Assert.All(page.Items, m => Assert.Equal(branch.Id, m.OrganizationId));

        // A name that exists elsewhere in the district finds nothing outside the branch.
        var outsider = await AMemberOutside(branch.Path);
        var search = await members.SearchAsync(new MemberSearch(Keyword: outsider.Name, PageSize: 200));
        Assert.All(search.Items, m => Assert.Equal(branch.Id, m.OrganizationId));
    }

    [Fact]
    public async Task BranchSecretary_CannotOpenOrEditAMemberOutsideTheirBranch()
    {
        var branch = await OrganizationOf(DemoIdentities.BranchSecretary);
        var outsider = await AMemberOutside(branch.Path);
        await using var scope = await district.As(DemoIdentities.BranchSecretary);
        var members = scope.ServiceProvider.GetRequiredService<MemberService>();

        var open = await Assert.ThrowsAsync<AppException>(() => members.GetAsync(outsider.Id));
        Assert.Equal(ErrorCodes.NotFound, open.Code);
        var edit = await Assert.ThrowsAsync<AppException>(() => members.UpdateAsync(outsider.Id, new MemberInput { Name = "篡改" }));
        Assert.Equal(ErrorCodes.NotFound, edit.Code);

        await using var db = district.SystemDb();
        Assert.Equal(outsider.Name, (await db.Members.SingleAsync(m => m.Id == outsider.Id)).Name);
    }

    [Fact]
    public async Task BranchSecretary_CannotCreateAMemberInAnotherOrganization()
    {
        var branch = await OrganizationOf(DemoIdentities.BranchSecretary);
        await using var db = district.SystemDb();
        var other = await db.Organizations.FirstAsync(o => o.Kind == OrganizationKind.Branch && !o.Path.StartsWith(branch.Path));
        await using var scope = await district.As(DemoIdentities.BranchSecretary);
        var members = scope.ServiceProvider.GetRequiredService<MemberService>();
        var input = MemberInputs.Valid("330199199001011230", other.Id);
        var error = await Assert.ThrowsAsync<AppException>(() => members.CreateAsync(input));
        Assert.Equal(ErrorCodes.ValidationFailed, error.Code);
        Assert.Contains(nameof(MemberInput.OrganizationId), error.Errors!.Keys);
    }

    [Fact]
    public async Task ReadOnlyUser_CannotWrite()
    {
        await using var scope = await district.As(DemoIdentities.ReadOnly);
        var members = scope.ServiceProvider.GetRequiredService<MemberService>();
        var error = await Assert.ThrowsAsync<AppException>(() => members.CreateAsync(new MemberInput()));
        Assert.Equal(ErrorCodes.Forbidden, error.Code);
    }

    [Fact]
    public async Task OwnOnlyScope_SeesTheOrganizationButNotItsChildren()
    {
        var township = await OrganizationOf(DemoIdentities.TownshipAdmin);
        var caller = new Caller("own-only", new DataScope(DataScopeKind.OwnOnly, township.Id, township.Path));
        await using var db = district.Services.GetRequiredService<EBranch.Core.Data.EBranchDbFactory>().Create(caller);
        var visible = await db.Organizations.Select(o => o.Id).ToListAsync();
        Assert.Equal([township.Id], visible);
        Assert.Equal(0, await db.Members.CountAsync(m => m.OrganizationId != township.Id));
    }

    [Fact]
    public void DataScopeCovers_MatchesTheQueryFilterRules()
    {
        var org = Guid.NewGuid();
        Assert.True(DataScope.Unrestricted.Covers(Guid.NewGuid(), "/a/b/"));
        Assert.True(new DataScope(DataScopeKind.Subtree, org, "/a/").Covers(Guid.NewGuid(), "/a/b/"));
        Assert.False(new DataScope(DataScopeKind.Subtree, org, "/a/").Covers(Guid.NewGuid(), "/ab/"));
        Assert.False(new DataScope(DataScopeKind.OwnOnly, org, "/a/").Covers(Guid.NewGuid(), "/a/b/"));
        Assert.True(new DataScope(DataScopeKind.OwnOnly, org, "/a/").Covers(org, "/a/"));
    }
}

internal static class MemberInputs
{
    /// <summary>A valid member input for an ID whose first 17 digits are given (the check digit is computed).</summary>
    public static MemberInput Valid(string idFirst17OrFull, Guid organizationId, string name = "测试党员")
    {
        var first17 = idFirst17OrFull[..17];
        var id = first17 + EBranch.Core.Security.ChineseId.CheckDigit(first17);
        EBranch.Core.Security.ChineseId.TryParse(id, out var birth, out var male);
        return new MemberInput
        {
            Name = name,
            Gender = male ? Gender.Male : Gender.Female,
            IdNumber = id,
            BirthDate = birth,
            Phone = "13912345678",
            Status = MemberStatus.Full,
            AdmittedOn = birth.AddYears(25),
            FullMemberOn = birth.AddYears(26),
            OrganizationId = organizationId,
        };
    }
}
