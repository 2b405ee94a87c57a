using System.Collections.Concurrent;

namespace EBranch.Core.WeChat.MiniProgram;

/// <summary>A cached access token and when it stops being valid.</summary>
public sealed record AccessTokenEntry(string Token, DateTimeOffset ExpiresAt);

/// <summary>Where the one shared access token lives (in memory here; Redis when several instances run).</summary>
public interface IAccessTokenStore
{
    ValueTask<AccessTokenEntry?> GetAsync(string appId, CancellationToken cancellationToken = default);
    ValueTask SetAsync(string appId, AccessTokenEntry entry, CancellationToken cancellationToken = default);
}

public sealed class InMemoryAccessTokenStore : IAccessTokenStore
{
    private readonly ConcurrentDictionary<string, AccessTokenEntry> _entries = new(StringComparer.Ordinal);

    public ValueTask<AccessTokenEntry?> GetAsync(string appId, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_entries.GetValueOrDefault(appId));

    public ValueTask SetAsync(string appId, AccessTokenEntry entry, CancellationToken cancellationToken = default)
    {
        _entries[appId] = entry;
        return ValueTask.CompletedTask;
    }
}
