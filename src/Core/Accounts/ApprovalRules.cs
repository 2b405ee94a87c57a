using EBranch.Core.Common;
using EBranch.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace EBranch.Core.Accounts;

/// <summary>Why a caller may or may not decide a request (see <see cref="ApprovalRules"/>).</summary>
public enum ApprovalVerdict
{
    MayDecide,
    /// <summary>The caller made the request.</summary>
    IsRequester,
    /// <summary>The caller's role does not rank above the requester's.</summary>
    NotHigher,
}

/// <summary>
/// Requests that need "the branch and the higher committee" (refunds, hardship reductions), in one place:
/// <list type="bullet">
/// <item>the requester never decides their own request, but may withdraw it while it is pending;</item>
/// <item>otherwise the decider's role must rank strictly above the requester's (支部 &lt; 乡镇党委 &lt; 区委组织部);</item>
/// <item>at the top (区委组织部), where no role ranks above, another user of the same level decides.</item>
/// </list>
/// The decider must also see the request (the data scope); that is the query filter's part, not this rule's.
/// </summary>
public static class ApprovalRules
{
    public static ApprovalVerdict Judge(string callerName, ConsoleRole? callerRole, string requestedBy, ConsoleRole? requesterRole)
    {
        if (string.Equals(callerName, requestedBy, StringComparison.Ordinal))
        {
            return ApprovalVerdict.IsRequester;
        }
        if (callerRole is not { } approver || requesterRole is not { } requester)
        {
            return ApprovalVerdict.NotHigher;
        }
        var (a, r) = (Level(approver), Level(requester));
        return a < r || a == TopLevel && r == TopLevel ? ApprovalVerdict.MayDecide : ApprovalVerdict.NotHigher;
    }

    /// <summary>The roles of the requesters named (console users, whatever their scope), for <see cref="Judge"/> over a list.</summary>
    public static async Task<IReadOnlyDictionary<string, ConsoleRole>> RequesterRolesAsync(EBranchDbContext db, IEnumerable<string> requesters,
        CancellationToken cancellationToken)
    {
        var names = requesters.Distinct(StringComparer.Ordinal).ToList();
        return await db.ConsoleUsers.IgnoreQueryFilters().AsNoTracking().Where(u => names.Contains(u.UserName))
            .ToDictionaryAsync(u => u.UserName, u => u.Role, StringComparer.Ordinal, cancellationToken);
    }

    /// <summary>Throws Forbidden (with the real reason) unless the caller may decide a request made by <paramref name="requestedBy"/>.</summary>
    public static async Task EnsureMayDecideAsync(EBranchDbContext db, string requestedBy, string what, CancellationToken cancellationToken)
    {
        var roles = await RequesterRolesAsync(db, [requestedBy], cancellationToken);
        var requesterRole = roles.TryGetValue(requestedBy, out var role) ? role : (ConsoleRole?)null;
        switch (Judge(db.Caller.Name, db.Caller.Role, requestedBy, requesterRole))
        {
            case ApprovalVerdict.IsRequester:
                throw AppException.Forbidden($"申请人不能审批自己的{what}申请，可以撤回该申请");
            case ApprovalVerdict.NotHigher:
                throw AppException.Forbidden(requesterRole is { } r && Level(r) == TopLevel
                    ? $"区委组织部提出的{what}申请须由区委组织部的其他管理员审批"
                    : $"{what}申请须由申请人的上级党组织审批，您无权审批");
        }
    }

    /// <summary>Only the requester withdraws a request (while it is pending: the caller checks the state).</summary>
    public static void EnsureMayWithdraw(Caller caller, string requestedBy, string what)
    {
        if (!string.Equals(caller.Name, requestedBy, StringComparison.Ordinal))
        {
            throw AppException.Forbidden($"只有申请人可以撤回{what}申请");
        }
    }

    private const int TopLevel = 1;

    private static int Level(ConsoleRole role) => role switch
    {
        ConsoleRole.OrganizationDepartment => TopLevel,
        ConsoleRole.TownshipCommittee => 2,
        _ => 3,
    };
}
