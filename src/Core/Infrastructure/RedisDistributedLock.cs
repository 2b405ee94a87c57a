using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace EBranch.Core.Infrastructure;

/// <summary>
/// <see cref="IDistributedLock"/> over Redis: SET NX PX with a random token, released only by its owner
/// (compare-and-delete in a script), so a lease that expired and was taken by another instance is not freed.
/// When Redis cannot be reached the lock degrades to an in-process one (logged as a warning): this instance
/// keeps working, and what the lock protects stays guarded by the database (unique keys, compare-and-set).
/// </summary>
public sealed class RedisDistributedLock(RedisKeyspace redis, ILogger<RedisDistributedLock> logger) : IDistributedLock
{
    private const string ReleaseScript = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(25);
    private readonly InProcessDistributedLock _fallback = new();

    public async ValueTask<IAsyncDisposable?> TryAcquireAsync(string name, TimeSpan lease, TimeSpan wait, CancellationToken cancellationToken = default)
    {
        var key = (RedisKey)("ebranch:lock:" + name);
        var token = (RedisValue)Guid.NewGuid().ToString("N");
        var database = redis.Database;
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            try
            {
                if (await database.StringSetAsync(key, token, lease, When.NotExists))
                {
                    return new Lease(database, key, token, logger);
                }
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                logger.LogWarning(ex, "Redis unreachable: lock {Lock} taken in process only", name);
                return await _fallback.TryAcquireAsync(name, lease, deadline - DateTime.UtcNow is { Ticks: > 0 } left ? left : TimeSpan.Zero, cancellationToken);
            }
            if (DateTime.UtcNow >= deadline)
            {
                return null;
            }
            await Task.Delay(RetryDelay, cancellationToken);
        }
    }

    private sealed class Lease(IDatabase database, RedisKey key, RedisValue token, ILogger logger) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await database.ScriptEvaluateAsync(ReleaseScript, [key], [token]);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                // The lease expires on its own.
                logger.LogWarning(ex, "Redis unreachable: lock {Lock} left to expire", key.ToString());
            }
        }
    }
}
