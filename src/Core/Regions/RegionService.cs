using EBranch.Core.Data;
using EBranch.Core.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ZiggyCreatures.Caching.Fusion;

namespace EBranch.Core.Regions;

/// <summary>A node of the region tree as villagers pick their town and village.</summary>
public sealed record RegionNode(string Code, string Name, RegionLevel Level, string Kind, IReadOnlyList<RegionNode> Children);

public sealed class RegionService(EBranchDbFactory factory, IFusionCache cache)
{
    private const string TreeKey = "regions:tree";

    /// <summary>The whole district &gt; township &gt; village tree (public data, cached on every instance).</summary>
    public async ValueTask<IReadOnlyList<RegionNode>> GetTreeAsync(CancellationToken cancellationToken = default)
        => await cache.GetOrSetAsync<IReadOnlyList<RegionNode>>(TreeKey, LoadTreeAsync, TimeSpan.FromMinutes(30), token: cancellationToken) ?? [];

    public ValueTask InvalidateAsync(CancellationToken cancellationToken = default) => cache.RemoveAsync(TreeKey, CacheInvalidation.Announced, cancellationToken);

    private async Task<IReadOnlyList<RegionNode>> LoadTreeAsync(FusionCacheFactoryExecutionContext<IReadOnlyList<RegionNode>> context, CancellationToken cancellationToken)
    {
        await using var db = factory.CreateForSystem();
        var all = await db.Regions.AsNoTracking()
            .OrderBy(r => r.Level).ThenBy(r => r.SortOrder).ThenBy(r => r.Code)
            .Select(r => new { r.Id, r.ParentId, r.Code, r.Name, r.Level })
            .ToListAsync(cancellationToken);
        var byParent = all.Where(r => r.ParentId is not null).ToLookup(r => r.ParentId!.Value);
        RegionNode Build(Guid id, string code, string name, RegionLevel level)
        {
            var kind = new Region { Code = code, Name = name, Level = level }.KindLabel;
            return new RegionNode(code, name, level, kind, byParent[id].Select(c => Build(c.Id, c.Code, c.Name, c.Level)).ToList());
        }
        return all.Where(r => r.ParentId is null).Select(r => Build(r.Id, r.Code, r.Name, r.Level)).ToList();
    }
}

public static class RegionServiceCollectionExtensions
{
    public static IServiceCollection AddRegions(this IServiceCollection services) => services.AddSingleton<RegionService>();
}
