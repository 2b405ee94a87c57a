using EBranch.Core.Accounts;
using Microsoft.AspNetCore.Authorization;

namespace EBranch.Admin.Auth;

/// <summary>
/// A console page (or endpoint) only for roles holding <see cref="Permission"/> (<see cref="RolePermissions"/>). Enforced on
/// the route itself — a full page load redirects to <c>/forbidden</c>, in-circuit navigation renders the 无权 result — before
/// the page's services check it again with <c>Caller.Demand</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class RequirePermissionAttribute(Permission permission) : AuthorizeAttribute(PolicyFor(permission))
{
    private const string Prefix = "permission:";

    public Permission Permission { get; } = permission;

    public static string PolicyFor(Permission permission) => Prefix + permission;

    /// <summary>One policy per permission: the signed-in role (cookie claim) holds it.</summary>
    public static void AddPolicies(AuthorizationOptions options)
    {
        foreach (var permission in Enum.GetValues<Permission>().Where(p => p != Permission.None))
        {
            options.AddPolicy(PolicyFor(permission), policy => policy.RequireAuthenticatedUser()
                .RequireAssertion(context => ConsoleClaims.ToAccount(context.User)?.Can(permission) == true));
        }
    }
}
