using EBranch.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace EBranch.Core.Organizations;

public sealed record BranchListing(Guid Id, string Name, OrganizationKind Kind, string? TownshipName, string? VillageName);

/// <summary>"Find a branch" (找支部): public listing of branches by name or region, for members and villagers.</summary>
public sealed class BranchDirectory(EBranchDbFactory factory)
{
    public async Task<IReadOnlyList<BranchListing>> SearchAsync(string? keyword, string? regionCode, int limit = 30, CancellationToken cancellationToken = default)
    {
        await using var db = factory.CreateForSystem();
        var query = db.Organizations.AsNoTracking().Where(o => o.Kind == OrganizationKind.Branch || o.Kind == OrganizationKind.GeneralBranch);
        if (!string.IsNullOrWhiteSpace(keyword))
        {
            var k = keyword.Trim();
            query = query.Where(o => o.Name.Contains(k));
        }
        if (!string.IsNullOrWhiteSpace(regionCode))
        {
            var prefix = regionCode.Trim().TrimEnd('0');
            query = query.Where(o => o.Region!.Code.StartsWith(prefix));
        }
        return await query.OrderBy(o => o.Region!.Code).ThenBy(o => o.SortOrder).ThenBy(o => o.Name)
            .Take(Math.Clamp(limit, 1, 100))
            .Select(o => new BranchListing(o.Id, o.Name, o.Kind,
                o.Region!.Level == Regions.RegionLevel.Village ? o.Region.Parent!.Name : o.Region.Name,
                o.Region.Level == Regions.RegionLevel.Village ? o.Region.Name : null))
            .ToListAsync(cancellationToken);
    }
}
