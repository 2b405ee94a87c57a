using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using ZiggyCreatures.Caching.Fusion;

namespace EBranch.Gateway.Hosting;

/// <summary>An answer serialized once: its UTF-8 JSON bytes and their ETag (a hash of the bytes, so every instance agrees).</summary>
public sealed record CachedJson(byte[] Body, string ETag);

/// <summary>
/// Cacheable read answers of the gateway, kept pre-serialized in FusionCache (memory + Redis L2 + backplane) under keys
/// Core knows how to invalidate, written as they are (no per-request serialization), 304 when <c>If-None-Match</c> matches.
/// Serialized with the gateway's own JSON options, so the bytes are what the endpoint would have written.
/// </summary>
public sealed class CachedJsonResponses(IFusionCache cache, IOptions<JsonOptions> json)
{
    private readonly JsonSerializerOptions _options = json.Value.SerializerOptions;
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<object, CachedJson> _serialized = new();

    public CachedJson Serialize<T>(T value)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(value, _options);
        return new CachedJson(body, "\"" + Convert.ToHexStringLower(SHA256.HashData(body).AsSpan(0, 12)) + "\"");
    }

    public async ValueTask<CachedJson> GetOrSetAsync<T>(string key, Func<CancellationToken, Task<T>> load, TimeSpan duration, CancellationToken cancellationToken)
        => await cache.GetOrSetAsync<CachedJson>(key, async (_, ct) => Serialize(await load(ct)), duration, cancellationToken);

    /// <summary>
    /// The bytes of a value cached elsewhere (e.g. Core's region tree): serialized once per instance of the value, so they
    /// follow that cache's invalidation without a key of their own.
    /// </summary>
    public CachedJson SerializeOnce<T>(T value) where T : class => _serialized.GetValue(value, v => Serialize((T)v));

    /// <summary>Writes <paramref name="answer"/> (200 with the bytes, or 304).</summary>
    public static IResult Result(CachedJson answer, string cacheControl) => new CachedJsonResult(answer, cacheControl);

    private sealed class CachedJsonResult(CachedJson answer, string cacheControl) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            var request = httpContext.Request;
            var response = httpContext.Response;
            response.Headers.CacheControl = cacheControl;
            response.Headers.ETag = answer.ETag;
            if (request.Headers.IfNoneMatch is { Count: > 0 } ifNoneMatch && Matches(ifNoneMatch, answer.ETag))
            {
                response.StatusCode = StatusCodes.Status304NotModified;
                return Task.CompletedTask;
            }
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/json; charset=utf-8";
            response.ContentLength = answer.Body.Length;
            return response.Body.WriteAsync(answer.Body, httpContext.RequestAborted).AsTask();
        }

        /// <summary><c>If-None-Match</c>: a list of (possibly weak) tags or <c>*</c>.</summary>
        private static bool Matches(Microsoft.Extensions.Primitives.StringValues ifNoneMatch, string etag)
        {
            foreach (var value in ifNoneMatch)
            {
                foreach (var part in (value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                {
                    var tag = part.StartsWith("W/", StringComparison.Ordinal) ? part[2..] : part;
                    if (tag == "*" || tag == etag)
                    {
                        return true;
                    }
                }
            }
            return false;
        }
    }
}
