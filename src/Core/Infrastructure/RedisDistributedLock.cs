using StackExchange.Redis;

namespace EBranch.Core.Infrastructure;

/// <summary>
/// <see cref="IDistributedLock"/> over Redis: SET NX PX with a random token, released only by its owner
/// (compare-and-delete in a script), so a lease that expired and was taken by another instance is not freed.
/// </summary>
public sealed class RedisDistributedLock(IConnectionMultiplexer redis) : IDistributedLock
{
    private const string ReleaseScript = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(25);

    public async ValueTask<IAsyncDisposable?> TryAcquireAsync(string name, TimeSpan lease, TimeSpan wait, CancellationToken cancellationToken = default)
    {
        var key = (RedisKey)("ebranch:lock:" + name);
        var token = (RedisValue)Guid.NewGuid().ToString("N");
        var database = redis.GetDatabase();
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            if (await database.StringSetAsync(key, token, lease, When.NotExists))
            {
                return new Lease(database, key, token);
            }
            if (DateTime.UtcNow >= deadline)
            {
                return null;
            }
            await Task.Delay(RetryDelay, cancellationToken);
        }
    }

    private sealed class Lease(IDatabase database, RedisKey key, RedisValue token) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
            => await database.ScriptEvaluateAsync(ReleaseScript, [key], [token]);
    }
}
