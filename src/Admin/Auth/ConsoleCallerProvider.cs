using System.Security.Claims;
using EBranch.Core.Accounts;
using EBranch.Core.Common;
using Microsoft.AspNetCore.Components.Authorization;

namespace EBranch.Admin.Auth;

/// <summary>
/// The caller of a console circuit: the signed-in user as stored now (role, organization, data scope), loaded
/// once per circuit. Every service opens its context through this, so the query filters scope all data.
/// </summary>
public sealed class ConsoleCallerProvider(AuthenticationStateProvider authentication, IServiceProvider services) : ICallerProvider
{
    private Task<Caller>? _caller;

    public ValueTask<Caller> GetCallerAsync(CancellationToken cancellationToken = default) => new(_caller ??= LoadAsync());

    private async Task<Caller> LoadAsync()
    {
        var state = await authentication.GetAuthenticationStateAsync();
        if (!Guid.TryParse(state.User.FindFirstValue(ClaimTypes.NameIdentifier), out var userId))
        {
            throw new AppException(ErrorCodes.Unauthorized, "请先登录", ErrorKind.Unauthenticated);
        }
        // Resolved here rather than injected: ConsoleUserService needs ScopedDb, which needs this provider.
        var users = services.GetRequiredService<ConsoleUserService>();
        return await users.LoadCallerAsync(userId) ?? throw AppException.Forbidden("账号已停用或不存在，请重新登录");
    }
}
