using System.Text.Json;
using StackExchange.Redis;

namespace EBranch.Core.WeChat.MiniProgram;

/// <summary>The shared access token when several instances run: every instance reads the one the owner refreshed.</summary>
public sealed class RedisAccessTokenStore(IConnectionMultiplexer redis) : IAccessTokenStore
{
    private static RedisKey Key(string appId) => "ebranch:wechat:access-token:" + appId;

    public async ValueTask<AccessTokenEntry?> GetAsync(string appId, CancellationToken cancellationToken = default)
    {
        var value = await redis.GetDatabase().StringGetAsync(Key(appId));
        return value.IsNullOrEmpty ? null : JsonSerializer.Deserialize<AccessTokenEntry>(value.ToString());
    }

    public async ValueTask SetAsync(string appId, AccessTokenEntry entry, CancellationToken cancellationToken = default)
    {
        var ttl = entry.ExpiresAt - DateTimeOffset.UtcNow;
        await redis.GetDatabase().StringSetAsync(Key(appId), JsonSerializer.Serialize(entry), ttl > TimeSpan.Zero ? ttl : TimeSpan.FromSeconds(1));
    }
}
