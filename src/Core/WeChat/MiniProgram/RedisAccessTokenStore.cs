using System.Text.Json;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace EBranch.Core.WeChat.MiniProgram;

/// <summary>
/// The shared access token when several instances run: every instance reads the one the owner refreshed.
/// When Redis cannot be reached the instance keeps (and reads) its own copy, logged as a warning.
/// </summary>
public sealed class RedisAccessTokenStore(Infrastructure.RedisKeyspace redis, ILogger<RedisAccessTokenStore> logger) : IAccessTokenStore
{
    private readonly InMemoryAccessTokenStore _fallback = new();

    private static RedisKey Key(string appId) => "ebranch:wechat:access-token:" + appId;

    public async ValueTask<AccessTokenEntry?> GetAsync(string appId, CancellationToken cancellationToken = default)
    {
        try
        {
            var value = await redis.Database.StringGetAsync(Key(appId));
            return value.IsNullOrEmpty ? null : JsonSerializer.Deserialize<AccessTokenEntry>(value.ToString());
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            logger.LogWarning(ex, "Redis unreachable: access token read from this instance's copy");
            return await _fallback.GetAsync(appId, cancellationToken);
        }
    }

    public async ValueTask SetAsync(string appId, AccessTokenEntry entry, CancellationToken cancellationToken = default)
    {
        await _fallback.SetAsync(appId, entry, cancellationToken);
        var ttl = entry.ExpiresAt - DateTimeOffset.UtcNow;
        try
        {
            await redis.Database.StringSetAsync(Key(appId), JsonSerializer.Serialize(entry), ttl > TimeSpan.Zero ? ttl : TimeSpan.FromSeconds(1));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            logger.LogWarning(ex, "Redis unreachable: access token kept in this instance only");
        }
    }
}
