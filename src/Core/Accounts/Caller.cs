namespace EBranch.Core.Accounts;

/// <summary>
/// The organizations a caller may see. Applied by the data layer as a query filter on every scoped
/// entity, so no page or endpoint re-implements it.
/// </summary>
public sealed record DataScope(DataScopeKind Kind, Guid OrganizationId, string OrganizationPath)
{
    /// <summary>Everything: jobs, the system itself, the district department.</summary>
    public static readonly DataScope Unrestricted = new(DataScopeKind.All, Guid.Empty, "/");

    /// <summary>Nothing: an organization-scoped query made by someone with no organization.</summary>
    public static readonly DataScope Nothing = new(DataScopeKind.OwnOnly, Guid.Empty, "/-/");

    public bool Covers(Guid organizationId, string organizationPath) => Kind switch
    {
        DataScopeKind.All => true,
        DataScopeKind.Subtree => organizationPath.StartsWith(OrganizationPath, StringComparison.Ordinal),
        _ => organizationId == OrganizationId,
    };
}

/// <summary>Who is acting: a name for the audit fields, the scope for the query filters, and whether writes are audited.</summary>
public sealed record Caller(string Name, DataScope Scope, Guid? UserId = null, ConsoleRole? Role = null, bool AuditWrites = false)
{
    public static readonly Caller System = new("system", DataScope.Unrestricted);

    public bool Can(Permission permission) => Role is null || RolePermissions.Has(Role.Value, permission);

    public void Demand(Permission permission)
    {
        if (!Can(permission))
        {
            throw Common.AppException.Forbidden();
        }
    }
}

/// <summary>Resolves the current caller (per request or per Blazor circuit). Implemented by each host.</summary>
public interface ICallerProvider
{
    ValueTask<Caller> GetCallerAsync(CancellationToken cancellationToken = default);
}
