using System.Net.Http.Json;
using System.Text.Json;
using EBranch.Core.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EBranch.Core.WeChat.MiniProgram;

public interface IAccessTokenProvider
{
    /// <summary>The current token: from the store, or fetched by the single owner when it is close to expiry.</summary>
    ValueTask<string> GetAsync(CancellationToken cancellationToken = default);

    /// <summary>Replaces <paramref name="rejectedToken"/> with a force-refreshed one, unless another caller already did.</summary>
    ValueTask<string> ForceRefreshAsync(string rejectedToken, CancellationToken cancellationToken = default);
}

/// <summary>
/// Stable access token (<c>POST /cgi-bin/stable_token</c>) with one owner across instances: whoever holds the
/// distributed lock fetches; everyone else reads the store. A forced refresh happens at most once per
/// <see cref="MiniProgramOptions.ForceRefreshInterval"/> per instance for the token it forced (WeChat allows 20 a day,
/// 30 s apart): a token refused again right after being forced means WeChat is in trouble, not that it is stale.
/// </summary>
public sealed class AccessTokenProvider(
    IHttpClientFactory httpClientFactory,
    IOptions<MiniProgramOptions> options,
    IAccessTokenStore store,
    IDistributedLock distributedLock,
    TimeProvider timeProvider,
    ILogger<AccessTokenProvider> logger) : IAccessTokenProvider
{
    private static readonly TimeSpan LockLease = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(15);
    private readonly MiniProgramOptions _options = options.Value;
    // The token this instance last obtained with force_refresh, and when.
    private (string Token, DateTimeOffset At)? _lastForced;

    private string LockName => $"wechat:access-token:{_options.AppId}";

    public async ValueTask<string> GetAsync(CancellationToken cancellationToken = default)
    {
        var cached = await store.GetAsync(_options.AppId, cancellationToken);
        if (IsFresh(cached))
        {
            return cached!.Token;
        }
        await using var held = await distributedLock.TryAcquireAsync(LockName, LockLease, LockWait, cancellationToken);
        cached = await store.GetAsync(_options.AppId, cancellationToken);
        if (IsFresh(cached))
        {
            return cached!.Token;
        }
        if (held is null)
        {
            // Another instance owns the refresh and is slow: an unexpired token is still usable.
            return cached is not null && cached.ExpiresAt > timeProvider.GetUtcNow()
                ? cached.Token
                : throw new TimeoutException("Timed out waiting for the access-token owner to refresh the token.");
        }
        return await FetchAsync(forceRefresh: false, cancellationToken);
    }

    public async ValueTask<string> ForceRefreshAsync(string rejectedToken, CancellationToken cancellationToken = default)
    {
        await using var held = await distributedLock.TryAcquireAsync(LockName, LockLease, LockWait, cancellationToken)
            ?? throw new TimeoutException("Timed out waiting for the access-token lock.");
        var cached = await store.GetAsync(_options.AppId, cancellationToken);
        if (cached is not null && cached.Token != rejectedToken && IsFresh(cached))
        {
            return cached.Token;
        }
        if (_lastForced is { } forced && forced.Token == rejectedToken && timeProvider.GetUtcNow() - forced.At < _options.ForceRefreshInterval)
        {
            logger.LogWarning("The access token forced {Ago} ago was refused again: not forcing another one", timeProvider.GetUtcNow() - forced.At);
            throw new WeChatUnavailableException("stable_token", "a freshly forced access token was refused again");
        }
        var token = await FetchAsync(forceRefresh: true, cancellationToken);
        _lastForced = (token, timeProvider.GetUtcNow());
        return token;
    }

    private bool IsFresh(AccessTokenEntry? entry) =>
        entry is not null && timeProvider.GetUtcNow() < entry.ExpiresAt - _options.TokenRefreshMargin;

    private async Task<string> FetchAsync(bool forceRefresh, CancellationToken cancellationToken)
    {
        var http = httpClientFactory.CreateClient(MiniProgramClient.HttpClientName);
        var request = new { grant_type = "client_credential", appid = _options.AppId, secret = _options.AppSecret, force_refresh = forceRefresh };
        var now = timeProvider.GetUtcNow();
        var (bytes, _) = await MiniProgramClient.SendAsync(http,
            () => new HttpRequestMessage(HttpMethod.Post, new Uri(new Uri(_options.BaseUrl), "/cgi-bin/stable_token")) { Content = JsonContent.Create(request) },
            "stable_token", logger, cancellationToken);
        using var json = MiniProgramClient.ParseJson(bytes, "stable_token", logger);
        MiniProgramClient.ThrowOnError(json.RootElement, "stable_token");
        var token = json.RootElement.GetProperty("access_token").GetString()!;
        var expiresIn = json.RootElement.GetProperty("expires_in").GetInt32();
        await store.SetAsync(_options.AppId, new AccessTokenEntry(token, now.AddSeconds(expiresIn)), cancellationToken);
        return token;
    }
}
