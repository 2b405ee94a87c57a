using System.Security.Claims;
using EBranch.Core.Accounts;

namespace EBranch.Admin.Auth;

/// <summary>Who is signed in, as carried by the authentication cookie (for display only; data access goes through <see cref="ConsoleCallerProvider"/>).</summary>
public sealed record ConsoleAccount(Guid UserId, string UserName, string DisplayName, ConsoleRole Role, DataScopeKind Scope, string OrganizationName)
{
    public string RoleLabel => ConsoleUser.RoleLabel(Role);

    public bool Can(Permission permission) => RolePermissions.Has(Role, permission);
}

public static class ConsoleClaims
{
    public const string UserName = "ebranch:user_name";
    public const string Scope = "ebranch:scope";
    public const string OrganizationName = "ebranch:org_name";

    public static ClaimsPrincipal ToPrincipal(ConsoleUser user, string authenticationType)
    {
        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, user.Id.ToString()),
            new Claim(ClaimTypes.Name, user.DisplayName),
            new Claim(ClaimTypes.Role, user.Role.ToString()),
            new Claim(UserName, user.UserName),
            new Claim(Scope, user.Scope.ToString()),
            new Claim(OrganizationName, user.Organization?.Name ?? ""),
        ], authenticationType);
        return new ClaimsPrincipal(identity);
    }

    public static ConsoleAccount? ToAccount(ClaimsPrincipal principal)
    {
        if (principal.Identity?.IsAuthenticated != true
            || !Guid.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), out var id)
            || !Enum.TryParse<ConsoleRole>(principal.FindFirstValue(ClaimTypes.Role), out var role)
            || !Enum.TryParse<DataScopeKind>(principal.FindFirstValue(Scope), out var scope))
        {
            return null;
        }
        return new ConsoleAccount(id, principal.FindFirstValue(UserName) ?? "", principal.FindFirstValue(ClaimTypes.Name) ?? "",
            role, scope, principal.FindFirstValue(OrganizationName) ?? "");
    }
}
