using EBranch.Core.Accounts;
using EBranch.Core.Common;
using EBranch.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EBranch.Core.Organizations;

public sealed record OrganizationNode(Guid Id, string Name, OrganizationKind Kind, Guid? ParentId, bool HasChildren, int MemberCount);

/// <summary>The organization tree as a console user sees it: only their own subtree, loaded a level at a time.</summary>
public sealed class OrganizationService(ScopedDb scopedDb)
{
    /// <summary>The top of what the caller sees: the root(s) for district-wide users, their own organization otherwise.</summary>
    public async Task<IReadOnlyList<OrganizationNode>> GetRootsAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await scopedDb.OpenAsync(cancellationToken);
        db.Caller.Demand(Permission.ViewOrganizations);
        var scope = db.Caller.Scope;
        var query = scope.Kind == DataScopeKind.All
            ? db.Organizations.Where(o => o.ParentId == null)
            : db.Organizations.Where(o => o.Id == scope.OrganizationId);
        return await ProjectAsync(db, query, cancellationToken);
    }

    public async Task<IReadOnlyList<OrganizationNode>> GetChildrenAsync(Guid parentId, CancellationToken cancellationToken = default)
    {
        await using var db = await scopedDb.OpenAsync(cancellationToken);
        db.Caller.Demand(Permission.ViewOrganizations);
        return await ProjectAsync(db, db.Organizations.Where(o => o.ParentId == parentId), cancellationToken);
    }

    public async Task<Organization> GetAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var db = await scopedDb.OpenAsync(cancellationToken);
        db.Caller.Demand(Permission.ViewOrganizations);
        return await db.Organizations.AsNoTracking().Include(o => o.Region).FirstOrDefaultAsync(o => o.Id == id, cancellationToken)
            ?? throw AppException.NotFound("组织");
    }

    /// <summary>Organizations the caller may pick (e.g. as a member's branch), matching a name fragment.</summary>
    public async Task<IReadOnlyList<OrganizationNode>> SearchAsync(string? keyword, int limit = 50, CancellationToken cancellationToken = default)
    {
        await using var db = await scopedDb.OpenAsync(cancellationToken);
        db.Caller.Demand(Permission.ViewOrganizations);
        var query = db.Organizations.AsQueryable();
        if (!string.IsNullOrWhiteSpace(keyword))
        {
            query = query.Where(o => o.Name.Contains(keyword.Trim()));
        }
        return await ProjectAsync(db, query.OrderBy(o => o.Path).Take(Math.Clamp(limit, 1, 200)), cancellationToken);
    }

    private static async Task<IReadOnlyList<OrganizationNode>> ProjectAsync(EBranchDbContext db, IQueryable<Organization> query, CancellationToken cancellationToken)
        => await query.AsNoTracking()
            .OrderBy(o => o.SortOrder).ThenBy(o => o.Name)
            .Select(o => new OrganizationNode(
                o.Id, o.Name, o.Kind, o.ParentId,
                db.Organizations.Any(c => c.ParentId == o.Id),
                db.Members.Count(m => m.OrganizationId == o.Id)))
            .ToListAsync(cancellationToken);
}

public static class OrganizationServiceCollectionExtensions
{
    public static IServiceCollection AddOrganizations(this IServiceCollection services)
        => services.AddScoped<OrganizationService>().AddSingleton<BranchDirectory>();
}
