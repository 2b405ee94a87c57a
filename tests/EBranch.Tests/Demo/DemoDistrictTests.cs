using EBranch.Core.Demo;
using EBranch.Core.Organizations;
using EBranch.Core.Regions;
using EBranch.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EBranch.Tests.Demo;

[Collection(DistrictCollection.Name)]
public sealed class DemoDistrictTests(DistrictFixture district)
{
    [Fact]
    public async Task DemoDistrict_HasTheRealDistrictsShape_AtScaleOne()
    {
        await using var db = district.SystemDb();
        Assert.Equal(13, await db.Regions.CountAsync(r => r.Level == RegionLevel.Township));
        Assert.Equal(108, await db.Regions.CountAsync(r => r.Level == RegionLevel.Village));
        Assert.Equal(424, await db.Organizations.CountAsync());
        Assert.Equal(17_000, await db.Members.CountAsync());
        Assert.True(await db.Organizations.CountAsync(o => o.Kind == OrganizationKind.PartyGroup) > 50);
        Assert.True(await db.ConsoleUsers.CountAsync() >= 5);
    }

    [Fact]
    public async Task RegionCodes_FollowTheStatisticalCodeRules()
    {
        await using var db = district.SystemDb();
        var regions = await db.Regions.ToListAsync();
        Assert.All(regions, r => Assert.True(StatisticalCode.IsValid(r.Code), r.Code));
        var townships = regions.Where(r => r.Level == RegionLevel.Township).ToList();
        Assert.Contains(townships, t => t.KindLabel == "街道");
        Assert.Contains(townships, t => t.KindLabel == "镇");
        Assert.Contains(townships, t => t.KindLabel == "乡");
        foreach (var village in regions.Where(r => r.Level == RegionLevel.Village))
        {
            var parent = regions.Single(r => r.Id == village.ParentId);
            Assert.StartsWith(StatisticalCode.TownshipPrefix(parent.Code), village.Code);
        }
    }

    [Fact]
    public async Task OrganizationPaths_AreConsistentWithParents()
    {
        await using var db = district.SystemDb();
        var orgs = await db.Organizations.ToDictionaryAsync(o => o.Id);
        foreach (var org in orgs.Values)
        {
            var expected = org.ParentId is { } p ? orgs[p].Path + Organization.Segment(org.Id) + "/" : "/" + Organization.Segment(org.Id) + "/";
            Assert.Equal(expected, org.Path);
        }
    }

    [Fact]
    public async Task DemoMembers_AreFindableByTheirDocumentedIdNumbers()
    {
        var pii = district.Services.GetRequiredService<EBranch.Core.Security.PiiProtector>();
        await using var db = district.SystemDb();
        foreach (var demo in DemoIdentities.Members)
        {
            Assert.True(EBranch.Core.Security.ChineseId.IsValid(demo.IdNumber), demo.IdNumber);
            var digest = pii.Digest(demo.IdNumber);
            var member = await db.Members.Include(m => m.Organization).SingleAsync(m => m.IdNumberDigest == digest);
            Assert.Equal(demo.Name, member.Name);
            Assert.Equal(demo.Phone, pii.Unprotect(member.PhoneCipher!));
        }
    }
}
