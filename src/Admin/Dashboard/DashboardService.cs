using EBranch.Core.Accounts;
using EBranch.Core.Data;
using EBranch.Core.Members;
using EBranch.Core.Organizations;
using Microsoft.EntityFrameworkCore;

namespace EBranch.Admin.Dashboard;

public sealed record DashboardCounts(int Organizations, int Branches, int Members, int Probationary, int Migrant);

/// <summary>Headline counts for the home page, within the caller's scope (the query filters apply).</summary>
public sealed class DashboardService(ScopedDb scopedDb)
{
    public async Task<DashboardCounts> GetCountsAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await scopedDb.OpenAsync(cancellationToken);
        db.Caller.Demand(Permission.ViewOrganizations);
        var organizations = await db.Organizations.CountAsync(cancellationToken);
        var branches = await db.Organizations.CountAsync(o => o.Kind == OrganizationKind.Branch, cancellationToken);
        if (!db.Caller.Can(Permission.ViewMembers))
        {
            return new DashboardCounts(organizations, branches, 0, 0, 0);
        }
        var members = await db.Members.CountAsync(cancellationToken);
        var probationary = await db.Members.CountAsync(m => m.Status == MemberStatus.Probationary, cancellationToken);
        var migrant = await db.Members.CountAsync(m => m.IsMigrant, cancellationToken);
        return new DashboardCounts(organizations, branches, members, probationary, migrant);
    }
}
