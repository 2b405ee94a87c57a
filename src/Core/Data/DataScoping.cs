using EBranch.Core.Organizations;

namespace EBranch.Core.Data;

/// <summary>
/// A row the console sees only inside the caller's data scope, by the organization path stored on it (the path of the
/// organization it belongs to when it was written). <see cref="EBranchDbContext"/> gives every entity that implements
/// this the scope filter: all, the subtree below the caller's organization, or that organization only.
/// </summary>
public interface IScopedByPath
{
    string OrganizationPath { get; }
}

/// <summary>
/// A row the console sees only inside the caller's data scope, by the organization it belongs to (a navigation, for rows
/// that move with their organization, such as members and console users).
/// </summary>
public interface IScopedByOrganization
{
    Organization? Organization { get; }
}

/// <summary>
/// A row that is one member's own data (profile, check-ins, points, activity, honours): after a save that adds, changes
/// or deletes it, <see cref="EBranchDbContext"/> reports the member so caches of member views are dropped. Implement it
/// explicitly (<c>Guid? IMemberData.DataOfMember => MemberId;</c>) so EF does not map it.
/// </summary>
public interface IMemberData
{
    /// <summary>The member whose data the row is (null when the row is not about a member).</summary>
    Guid? DataOfMember { get; }

    /// <summary>True for the member's own row (a change of the profile itself, not only of its data).</summary>
    bool IsMemberProfile => false;
}

/// <summary>
/// A row the console audit log files under an organization: the audit entry of a console write gets that organization's
/// path, so it is seen in the same data scope as the row. Implement it explicitly so EF does not map it.
/// </summary>
public interface IOwnedByOrganization
{
    Guid? OwningOrganizationId { get; }
}
