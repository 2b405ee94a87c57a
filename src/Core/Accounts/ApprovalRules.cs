using EBranch.Core.Common;
using EBranch.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace EBranch.Core.Accounts;

/// <summary>
/// Requests that need "the branch and the higher committee" (refunds, hardship reductions): the approver must
/// hold a higher role than the requester and must not be the requester.
/// </summary>
public static class ApprovalRules
{
    public static async Task EnsureHigherRoleAsync(EBranchDbContext db, string requestedBy, string what, CancellationToken cancellationToken)
    {
        var requesterRole = await db.ConsoleUsers.IgnoreQueryFilters().Where(u => u.UserName == requestedBy).Select(u => (ConsoleRole?)u.Role).FirstOrDefaultAsync(cancellationToken);
        var approver = db.Caller.Role ?? throw AppException.Forbidden();
        if (requestedBy == db.Caller.Name || requesterRole is null || Level(approver) >= Level(requesterRole.Value))
        {
            throw AppException.Forbidden($"{what}须由上级党组织审批，申请人不能审批自己的申请");
        }
    }

    private static int Level(ConsoleRole role) => role switch
    {
        ConsoleRole.OrganizationDepartment => 1,
        ConsoleRole.TownshipCommittee => 2,
        _ => 3,
    };
}
