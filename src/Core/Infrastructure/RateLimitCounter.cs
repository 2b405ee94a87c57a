using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace EBranch.Core.Infrastructure;

/// <summary>
/// Fixed-window counters shared by all instances (Redis) or kept in process (no Redis).
/// Used for the public channel, binding attempts and login throttling.
/// </summary>
public interface IRateLimitCounter
{
    /// <summary>Counts one hit for <paramref name="key"/> in the current window and returns the count so far.</summary>
    ValueTask<long> HitAsync(string key, TimeSpan window, CancellationToken cancellationToken = default);

    /// <summary>Takes back one hit of the current window (an attempt that failed through no fault of the caller's).</summary>
    ValueTask RefundAsync(string key, TimeSpan window, CancellationToken cancellationToken = default);
}

public sealed class InProcessRateLimitCounter(TimeProvider time) : IRateLimitCounter
{
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);

    public ValueTask<long> HitAsync(string key, TimeSpan window, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var slot = now.ToUnixTimeMilliseconds() / (long)window.TotalMilliseconds;
        var current = _windows.AddOrUpdate(key,
            _ => new Window(slot, 1),
            (_, existing) => existing.Slot == slot ? existing with { Count = existing.Count + 1 } : new Window(slot, 1));
        if (_windows.Count > 100_000)
        {
            foreach (var stale in _windows.Where(w => w.Value.Slot < slot - 1).Select(w => w.Key).ToList())
            {
                _windows.TryRemove(stale, out _);
            }
        }
        return ValueTask.FromResult(current.Count);
    }

    public ValueTask RefundAsync(string key, TimeSpan window, CancellationToken cancellationToken = default)
    {
        var slot = time.GetUtcNow().ToUnixTimeMilliseconds() / (long)window.TotalMilliseconds;
        _windows.AddOrUpdate(key, _ => new Window(slot, 0),
            (_, existing) => existing.Slot == slot ? existing with { Count = Math.Max(0, existing.Count - 1) } : existing);
        return ValueTask.CompletedTask;
    }

    private sealed record Window(long Slot, long Count);
}

/// <summary>
/// Counters in Redis, shared by every instance. When Redis cannot be reached the count is kept in process
/// (logged as a warning), so limits still apply per instance instead of failing the request.
/// </summary>
public sealed class RedisRateLimitCounter(RedisKeyspace redis, TimeProvider time, ILogger<RedisRateLimitCounter> logger) : IRateLimitCounter
{
    private readonly InProcessRateLimitCounter _fallback = new(time);

    public async ValueTask<long> HitAsync(string key, TimeSpan window, CancellationToken cancellationToken = default)
    {
        var slot = time.GetUtcNow().ToUnixTimeMilliseconds() / (long)window.TotalMilliseconds;
        var redisKey = (RedisKey)$"ebranch:rl:{key}:{slot}";
        var database = redis.Database;
        try
        {
            var count = await database.StringIncrementAsync(redisKey);
            if (count == 1)
            {
                await database.KeyExpireAsync(redisKey, window + TimeSpan.FromSeconds(1));
            }
            return count;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            logger.LogWarning(ex, "Redis unreachable: rate limit {Key} counted in process only", key);
            return await _fallback.HitAsync(key, window, cancellationToken);
        }
    }

    public async ValueTask RefundAsync(string key, TimeSpan window, CancellationToken cancellationToken = default)
    {
        var slot = time.GetUtcNow().ToUnixTimeMilliseconds() / (long)window.TotalMilliseconds;
        try
        {
            // Only an existing count is lowered (never below zero, never a key without expiry).
            await redis.Database.ScriptEvaluateAsync(
                "local n = tonumber(redis.call('GET', KEYS[1]) or '0') if n > 0 then redis.call('DECR', KEYS[1]) end return n",
                [(RedisKey)$"ebranch:rl:{key}:{slot}"]);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            logger.LogWarning(ex, "Redis unreachable: rate limit {Key} refunded in process only", key);
        }
        await _fallback.RefundAsync(key, window, cancellationToken);
    }
}
