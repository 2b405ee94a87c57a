using EBranch.Core.Accounts;
using Microsoft.AspNetCore.Antiforgery;
using EBranch.Core.Hosting;
using EBranch.Core.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.StackExchangeRedis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace EBranch.Admin.Auth;

public static class ConsoleAuthentication
{
    public const string DataProtectionRedisKey = "ebranch:admin:data-protection-keys";

    /// <summary>
    /// Cookie sign-in for console users, the data-protection key ring that signs the cookie (Redis when
    /// <c>ConnectionStrings:Redis</c> is set, else <c>DataProtection:KeysFolder</c>, default <c>.local/keys</c>),
    /// and the per-circuit caller that scopes every query.
    /// </summary>
    public static IServiceCollection AddConsoleAuthentication(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var dataProtection = services.AddDataProtection().SetApplicationName("EBranch.Admin");
        if (configuration.UsesRedis())
        {
            services.AddOptions<KeyManagementOptions>().Configure<IServiceProvider>((options, provider) =>
                options.XmlRepository = new RedisXmlRepository(
                    () => provider.GetRequiredService<RedisKeyspace>().Database, DataProtectionRedisKey));
        }
        else
        {
            var folder = configuration["DataProtection:KeysFolder"] is { Length: > 0 } configured
                ? configured
                : Path.Combine(environment.ContentRootPath, ".local", "keys");
            dataProtection.PersistKeysToFileSystem(new DirectoryInfo(folder));
        }

        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(options =>
            {
                options.Cookie.Name = ".EBranch.Admin";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Strict;
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.ExpireTimeSpan = TimeSpan.FromHours(8);
                options.SlidingExpiration = true;
                options.LoginPath = "/login";
                options.LogoutPath = "/logout";
                options.AccessDeniedPath = "/forbidden";
                options.ReturnUrlParameter = "returnUrl";
            });
        services.AddAuthorization(RequirePermissionAttribute.AddPolicies);
        services.AddCascadingAuthenticationState();
        services.AddScoped<ICallerProvider, ConsoleCallerProvider>();
        return services;
    }

    public static IEndpointRouteBuilder MapConsoleAccountEndpoints(this IEndpointRouteBuilder endpoints)
    {
        // The form posting here sits in App.razor (rendered per request), so it carries an antiforgery token.
        // The antiforgery middleware only records its verdict (it rejects nothing for a handler that binds no form), so the
        // handler checks it: without this a cross-site form post would sign the user out.
        endpoints.MapPost("/logout", async Task<IResult> (HttpContext context) =>
        {
            if (context.Features.Get<IAntiforgeryValidationFeature>() is not { IsValid: true })
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest);
            }
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return TypedResults.LocalRedirect("/login");
        }).WithMetadata(new RequireAntiforgeryTokenAttribute());
        return endpoints;
    }

    /// <summary>Only same-site paths, so a crafted link cannot send a user elsewhere after sign-in.</summary>
    public static string SafeReturnUrl(string? returnUrl)
        => returnUrl is { Length: > 0 } url && url[0] == '/' && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal)
            ? url
            : "/";
}
