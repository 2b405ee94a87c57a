using System.Net;
using EBranch.Core.Common;
using EBranch.Core.Infrastructure;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace EBranch.Gateway.Hosting;

/// <summary>
/// Limits of the anonymous endpoints that call WeChat or write (<c>Gateway:AnonymousLimits</c>): per client address and
/// over all clients, per fixed window, counted in Redis so every instance shares them. The defaults stop a flood; tests that
/// log in many times from one address raise them in their own configuration.
/// </summary>
public sealed class AnonymousLimitOptions
{
    public const string Section = "Gateway:AnonymousLimits";

    /// <summary>Requests one client address may make to one limited endpoint per <see cref="Window"/>.</summary>
    public int PerClient { get; set; } = 20;

    /// <summary>Requests all clients together may make to one limited endpoint per <see cref="Window"/> (WeChat's call quota is per appid).</summary>
    public int Global { get; set; } = 600;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>Admits or refuses one anonymous request (see <see cref="AnonymousLimitOptions"/>).</summary>
public sealed class AnonymousLimiter(IRateLimitCounter counters, IOptions<AnonymousLimitOptions> options, TimeProvider time)
{
    public const string RefusedMessage = "请求过于频繁，请稍后再试";

    /// <summary>Null when admitted; otherwise how long until the window ends (for Retry-After). A refused request is not counted globally.</summary>
    public async ValueTask<TimeSpan?> TryAdmitAsync(string endpoint, HttpContext http, CancellationToken cancellationToken = default)
    {
        var limits = options.Value;
        var client = ClientAddress(http);
        if (await counters.HitAsync($"anon:{endpoint}:ip:{client}", limits.Window, cancellationToken) > limits.PerClient
            || await counters.HitAsync($"anon:{endpoint}:all", limits.Window, cancellationToken) > limits.Global)
        {
            var windowMs = (long)limits.Window.TotalMilliseconds;
            var left = windowMs - time.GetUtcNow().ToUnixTimeMilliseconds() % windowMs;
            return TimeSpan.FromMilliseconds(left);
        }
        return null;
    }

    /// <summary>The client's address: the connection's, or (after <see cref="AnonymousLimits.UseForwardedHeadersFromKnownProxies"/>) the one a configured proxy forwarded.</summary>
    public static string ClientAddress(HttpContext http)
    {
        var address = http.Connection.RemoteIpAddress;
        return address is null ? "unknown" : (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
    }

    /// <summary>The 429 answer: ProblemDetails with code <c>rate_limited</c>, a zh-CN title and Retry-After in whole seconds.</summary>
    public static IResult Refuse(HttpContext http, TimeSpan retryAfter)
    {
        http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(title: RefusedMessage, statusCode: StatusCodes.Status429TooManyRequests,
            extensions: new Dictionary<string, object?> { ["code"] = ErrorCodes.RateLimited });
    }
}

public static class AnonymousLimits
{
    /// <summary>Configured proxies (<c>Gateway:KnownProxies</c>: addresses or CIDR networks) whose X-Forwarded-For is believed.</summary>
    public const string KnownProxiesKey = "Gateway:KnownProxies";

    public static IServiceCollection AddAnonymousLimits(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<AnonymousLimitOptions>(configuration.GetSection(AnonymousLimitOptions.Section));
        services.AddSingleton<AnonymousLimiter>();
        services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // Only the configured proxies: not even loopback by default, so a client cannot pick its own address.
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
#pragma warning disable ASPDEPR005 // the obsolete list still holds 127.0.0.0/8 by default and is still read
            options.KnownNetworks.Clear();
#pragma warning restore ASPDEPR005
            var proxies = configuration.GetSection(KnownProxiesKey).Get<string[]>() is { Length: > 0 } list ? list : SplitList(configuration[KnownProxiesKey]);
            if (proxies.Length == 0)
            {
                // Empty lists would make the middleware believe every peer: with no proxy configured, no header is read at all.
                options.ForwardedHeaders = ForwardedHeaders.None;
                return;
            }
            foreach (var entry in proxies)
            {
                if (entry.Contains('/', StringComparison.Ordinal))
                {
                    options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(entry));
                }
                else
                {
                    options.KnownProxies.Add(IPAddress.Parse(entry));
                }
            }
        });
        return services;
    }

    public static WebApplication UseForwardedHeadersFromKnownProxies(this WebApplication app)
    {
        app.UseForwardedHeaders();
        return app;
    }

    /// <summary>Limits the endpoint per client address and globally before its handler runs (so WeChat is never called for a refused request).</summary>
    public static RouteHandlerBuilder RequireAnonymousLimit(this RouteHandlerBuilder builder, string endpoint)
        => builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var refused = await http.RequestServices.GetRequiredService<AnonymousLimiter>().TryAdmitAsync(endpoint, http, http.RequestAborted);
            return refused is { } retryAfter ? AnonymousLimiter.Refuse(http, retryAfter) : await next(context);
        });

    private static string[] SplitList(string? value)
        => (value ?? "").Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
