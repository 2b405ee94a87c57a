using EBranch.Core.Accounts;

namespace EBranch.Gateway.Hosting;

/// <summary>
/// The mini-program gateway acts for WeChat users, never for the console: organization-scoped data is
/// invisible to it unless an endpoint opens a context for a specific purpose.
/// </summary>
public sealed class GatewayCallerProvider : ICallerProvider
{
    private static readonly Caller Anonymous = new("gateway", DataScope.Nothing);

    public ValueTask<Caller> GetCallerAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(Anonymous);
}
