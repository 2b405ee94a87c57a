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
