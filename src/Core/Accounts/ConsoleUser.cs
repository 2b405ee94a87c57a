using EBranch.Core.Data;
using EBranch.Core.Common;
using EBranch.Core.Organizations;

namespace EBranch.Core.Accounts;

/// <summary>Console roles. What each may do is <see cref="RolePermissions"/>.</summary>
public enum ConsoleRole
{
    /// <summary>区委组织部</summary>
    OrganizationDepartment = 1,
    /// <summary>乡镇（街道）党委</summary>
    TownshipCommittee = 2,
    /// <summary>支部书记</summary>
    BranchSecretary = 3,
    /// <summary>便民服务专员</summary>
    ServiceClerk = 4,
    /// <summary>只读</summary>
    ReadOnly = 5,
}

/// <summary>Which organizations a console user sees.</summary>
public enum DataScopeKind
{
    /// <summary>全部</summary>
    All = 1,
    /// <summary>本组织及下级</summary>
    Subtree = 2,
    /// <summary>仅本组织</summary>
    OwnOnly = 3,
}

/// <summary>An administrator of the web console.</summary>
public sealed class ConsoleUser : Entity, IScopedByOrganization, IOwnedByOrganization
{
    Guid? IOwnedByOrganization.OwningOrganizationId => OrganizationId;

    public required string UserName { get; set; }
    public required string DisplayName { get; set; }
    public string PasswordHash { get; set; } = "";
    public ConsoleRole Role { get; set; }
    public DataScopeKind Scope { get; set; } = DataScopeKind.Subtree;
    public Guid OrganizationId { get; set; }
    public Organization? Organization { get; set; }
    public bool IsDisabled { get; set; }
    public int FailedLogins { get; set; }
    public DateTimeOffset? LockedUntil { get; set; }
    public DateTimeOffset? LastLoginAt { get; set; }

    public static string RoleLabel(ConsoleRole role) => role switch
    {
        ConsoleRole.OrganizationDepartment => "区委组织部",
        ConsoleRole.TownshipCommittee => "乡镇党委",
        ConsoleRole.BranchSecretary => "支部书记",
        ConsoleRole.ServiceClerk => "便民服务专员",
        ConsoleRole.ReadOnly => "只读用户",
        _ => role.ToString(),
    };

    public static string ScopeLabel(DataScopeKind scope) => scope switch
    {
        DataScopeKind.All => "全部",
        DataScopeKind.Subtree => "本组织及下级",
        DataScopeKind.OwnOnly => "仅本组织",
        _ => scope.ToString(),
    };
}

[Flags]
public enum Permission
{
    None = 0,
    ViewOrganizations = 1 << 0,
    ManageOrganizations = 1 << 1,
    ViewMembers = 1 << 2,
    ManageMembers = 1 << 3,
    ManageUsers = 1 << 4,
    ViewAuditLog = 1 << 5,
    ManagePublicService = 1 << 6,
}

/// <summary>The one table of what each role may do; pages and services both ask it.</summary>
public static class RolePermissions
{
    public static Permission For(ConsoleRole role) => role switch
    {
        ConsoleRole.OrganizationDepartment => Permission.ViewOrganizations | Permission.ManageOrganizations | Permission.ViewMembers
            | Permission.ManageMembers | Permission.ManageUsers | Permission.ViewAuditLog | Permission.ManagePublicService,
        ConsoleRole.TownshipCommittee => Permission.ViewOrganizations | Permission.ManageOrganizations | Permission.ViewMembers
            | Permission.ManageMembers | Permission.ManageUsers | Permission.ViewAuditLog | Permission.ManagePublicService,
        ConsoleRole.BranchSecretary => Permission.ViewOrganizations | Permission.ViewMembers | Permission.ManageMembers,
        ConsoleRole.ServiceClerk => Permission.ViewOrganizations | Permission.ManagePublicService,
        ConsoleRole.ReadOnly => Permission.ViewOrganizations | Permission.ViewMembers,
        _ => Permission.None,
    };

    public static bool Has(ConsoleRole role, Permission permission) => (For(role) & permission) == permission;

    /// <summary>A user may grant only roles at or below their own level.</summary>
    public static bool CanGrant(ConsoleRole granter, ConsoleRole role) => granter switch
    {
        ConsoleRole.OrganizationDepartment => true,
        ConsoleRole.TownshipCommittee => role != ConsoleRole.OrganizationDepartment,
        _ => false,
    };
}
