using StackExchange.Redis;
using StackExchange.Redis.KeyspaceIsolation;

namespace EBranch.Core.Infrastructure;

/// <summary>
/// The Redis database of this deployment, under its key prefix (<c>Redis:KeyPrefix</c>, none by default). Deployments
/// (or test runs) sharing one Redis each set their own prefix: keys, cache entries and backplane messages stay apart.
/// </summary>
public sealed class RedisKeyspace(IConnectionMultiplexer multiplexer, string prefix)
{
    public string Prefix { get; } = prefix;

    public IDatabase Database { get; } = prefix.Length == 0 ? multiplexer.GetDatabase() : multiplexer.GetDatabase().WithKeyPrefix(prefix);
}
