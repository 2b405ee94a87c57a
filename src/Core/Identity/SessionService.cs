using System.Security.Cryptography;
using System.Text;
using EBranch.Core.Data;
using EBranch.Core.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ZiggyCreatures.Caching.Fusion;

namespace EBranch.Core.Identity;

public sealed class IdentityOptions
{
    public const string Section = "Identity";

    /// <summary>How long a mini-program session lasts (default 30 days).</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Subscribe-message template for the result of a binding review (empty: no notice is sent).</summary>
    public string? BindingResultTemplateId { get; set; }

    /// <summary>Binding attempts one WeChat user may make per hour (against roster enumeration).</summary>
    public int BindingAttemptsPerHour { get; set; } = 5;
}

/// <summary>
/// Who a session token stands for. The member id is present once the WeChat user is bound; <see cref="LastLoginAt"/> is the
/// user's as of when the principal was loaded (<see cref="DailyVisits"/> skips its write when it is already today).
/// </summary>
public sealed record SessionPrincipal(Guid SessionId, Guid WeChatUserId, string OpenId, Guid? MemberId, DateTimeOffset ExpiresAt, DateTimeOffset? LastLoginAt = null);

public sealed record IssuedSession(string Token, DateTimeOffset ExpiresAt);

/// <summary>
/// The product's own session tokens: 256 random bits handed to the mini-program once, stored only as their
/// SHA-256. Validation reads each instance's memory cache (one entry per token, removed on every instance through the
/// backplane when the session or the user's binding changes) in front of the database.
/// </summary>
public sealed class SessionService(EBranchDbFactory factory, IFusionCache cache, IOptions<IdentityOptions> options, TimeProvider time)
{
    public async Task<IssuedSession> IssueAsync(Guid weChatUserId, CancellationToken cancellationToken = default)
    {
        var token = Base64Url(RandomNumberGenerator.GetBytes(32));
        var now = time.GetUtcNow();
        var session = new WeChatSession
        {
            TokenHash = Hash(token), WeChatUserId = weChatUserId, CreatedAt = now, ExpiresAt = now + options.Value.SessionLifetime,
        };
        await using var db = factory.CreateForSystem();
        db.WeChatSessions.Add(session);
        await db.SaveChangesAsync(cancellationToken);
        return new IssuedSession(token, session.ExpiresAt);
    }

    public async Task<SessionPrincipal?> ValidateAsync(string? token, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 128)
        {
            return null;
        }
        var hash = Hash(token);
        var principal = await cache.GetOrSetAsync<SessionPrincipal?>(CacheKey(hash), async (_, ct) =>
        {
            await using var db = factory.CreateForSystem();
            return await db.WeChatSessions.AsNoTracking()
                .Where(s => s.TokenHash == hash && s.RevokedAt == null)
                .Select(s => new SessionPrincipal(s.Id, s.WeChatUserId, s.WeChatUser!.OpenId, s.WeChatUser.MemberId, s.ExpiresAt, s.WeChatUser.LastLoginAt))
                .FirstOrDefaultAsync(ct);
        }, _principalEntry, cancellationToken);
        return principal is not null && principal.ExpiresAt > time.GetUtcNow() ? principal : null;
    }

    public async Task RevokeAsync(string token, CancellationToken cancellationToken = default)
    {
        var hash = Hash(token);
        await using var db = factory.CreateForSystem();
        await db.WeChatSessions.Where(s => s.TokenHash == hash && s.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAt, time.GetUtcNow()), cancellationToken);
        await cache.RemoveAsync(CacheKey(hash), CacheInvalidation.Announced, cancellationToken);
    }

    /// <summary>Ends every session of a WeChat user (e.g. when the branch unbinds them).</summary>
    public async Task RevokeAllAsync(Guid weChatUserId, CancellationToken cancellationToken = default)
    {
        await using var db = factory.CreateForSystem();
        var hashes = await db.WeChatSessions.Where(s => s.WeChatUserId == weChatUserId && s.RevokedAt == null).Select(s => s.TokenHash).ToListAsync(cancellationToken);
        await db.WeChatSessions.Where(s => s.WeChatUserId == weChatUserId && s.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAt, time.GetUtcNow()), cancellationToken);
        foreach (var hash in hashes)
        {
            await cache.RemoveAsync(CacheKey(hash), CacheInvalidation.Announced, cancellationToken);
        }
    }

    /// <summary>Drops cached principals of a user whose binding changed, so the next request sees it.</summary>
    public async Task RefreshAsync(Guid weChatUserId, CancellationToken cancellationToken = default)
    {
        await using var db = factory.CreateForSystem();
        var hashes = await db.WeChatSessions.Where(s => s.WeChatUserId == weChatUserId && s.RevokedAt == null).Select(s => s.TokenHash).ToListAsync(cancellationToken);
        foreach (var hash in hashes)
        {
            await cache.RemoveAsync(CacheKey(hash), CacheInvalidation.Announced, cancellationToken);
        }
    }

    /// <summary>
    /// A principal is kept in each instance's memory only: loading it from the database is one indexed read, the same
    /// cost as Redis, so sharing it there would only add a write and a backplane message per session and instance. Its
    /// removal (logout, unbinding) still reaches every instance through the backplane.
    /// </summary>
    private readonly FusionCacheEntryOptions _principalEntry = cache.CreateEntryOptions(o =>
    {
        o.SkipDistributedCacheRead = true;
        o.SkipDistributedCacheWrite = true;
        o.SkipBackplaneNotifications = true;
    }, TimeSpan.FromMinutes(5));

    private static string CacheKey(string hash) => "session:" + hash;

    private static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
