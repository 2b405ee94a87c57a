using EBranch.Core.Accounts;
using EBranch.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EBranch.Testing;

public static class ConsoleCallers
{
    /// <summary>
    /// An area service from a host's container acting as console user <paramref name="userName"/>, with the caller loaded as the
    /// console loads it (role, organization, data scope).
    /// </summary>
    public static async Task<T> ActAsAsync<T>(IServiceProvider services, string userName) where T : class
    {
        var factory = services.GetRequiredService<EBranchDbFactory>();
        Guid userId;
        await using (var db = factory.CreateForSystem())
        {
            userId = await db.ConsoleUsers.Where(u => u.UserName == userName).Select(u => u.Id).SingleAsync();
        }
        var caller = await ActivatorUtilities.CreateInstance<ConsoleUserService>(services, new ScopedDb(factory, new FixedCaller(Caller.System))).LoadCallerAsync(userId);
        return ActivatorUtilities.CreateInstance<T>(services, new ScopedDb(factory, new FixedCaller(caller!)));
    }
}
