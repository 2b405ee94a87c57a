using System.Net;
using System.Reflection;
using System.Text.RegularExpressions;
using EBranch.Core.Accounts;
using EBranch.Core.Demo;
using EBranch.Testing;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace EBranch.Admin.Tests.Security;

/// <summary>The real console in memory over a freshly seeded demo district, spoken to over plain HTTP (no browser).</summary>
public sealed class ConsoleHttpFixture : IAsyncLifetime
{
    private WebApplicationFactory<AdminEntry>? _factory;
    private EmulatorHost? _emulator;

    public IServiceProvider Services => _factory!.Services;

    public async Task InitializeAsync()
    {
        (var settings, _emulator) = await AdminAppFixture.ConsoleSettingsAsync("admin-security");
        _factory = new WebApplicationFactory<AdminEntry>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Testing");
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
        });
        _ = _factory.Server;
    }

    /// <summary>A cookie-keeping client that does not follow redirects.</summary>
    public HttpClient NewClient() => _factory!.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>Signs in through the /login form as a browser would: GET the page, post the form with its antiforgery token, keep the cookie.</summary>
    public async Task<HttpClient> SignInAsync(string userName, string password = DemoIdentities.Password)
    {
        var client = NewClient();
        await ConsoleForms.SignInAsync(client, userName, password);
        return client;
    }

    public async Task DisposeAsync()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
        if (_emulator is not null)
        {
            await _emulator.DisposeAsync();
        }
    }
}

/// <summary>
/// Every routable console page (Razor components with <see cref="RouteAttribute"/>, found by reflection) and every
/// non-page endpoint × anonymous and each demo role, against the access declared once in <see cref="Pages"/> and <see cref="Endpoints"/>.
/// Allowed: 200. Signed in without the permission: 302 to /forbidden (the page is not served). Anonymous: 302 to /login.
/// </summary>
public sealed class ConsoleAuthorizationMatrixTests(ConsoleHttpFixture console, ITestOutputHelper output) : IClassFixture<ConsoleHttpFixture>
{
    /// <summary>null = anonymous; <see cref="Permission.None"/> = any signed-in user; else the permission the role must hold.</summary>
    private static readonly Dictionary<string, Permission?> Pages = new()
    {
        ["/login"] = null,
        ["/not-found"] = null,
        ["/forbidden"] = Permission.None,
        ["/"] = Permission.None,
        ["/organizations"] = Permission.ViewOrganizations,
        ["/members"] = Permission.ViewMembers,
        ["/members/{Id:guid}"] = Permission.ViewMembers,
        ["/members/new"] = Permission.ManageMembers,
        ["/members/import"] = Permission.ManageMembers,
        ["/bindings"] = Permission.ManageMembers,
        ["/points/rules"] = Permission.ViewOrganizations,
        ["/points/ranking"] = Permission.ViewMembers,
        ["/activities"] = Permission.ViewMembers,
        ["/users"] = Permission.ManageUsers,
        ["/users/new"] = Permission.ManageUsers,
        ["/users/{Id:guid}"] = Permission.ManageUsers,
        ["/audit"] = Permission.ViewAuditLog,
        ["/dues"] = Permission.ViewMembers,
        ["/dues/orders"] = Permission.ViewMembers,
        ["/dues/refunds"] = Permission.ViewMembers,
        ["/dues/issues"] = Permission.ViewMembers,
        ["/dues/settings"] = Permission.ViewMembers,
        ["/dues/reductions"] = Permission.ViewMembers,
    };

    /// <summary>The console's endpoints that are not pages (framework plumbing and static files aside).</summary>
    private static readonly Dictionary<string, Permission?> Endpoints = new()
    {
        ["GET /members/import/template"] = Permission.ManageMembers,
        ["GET /dues/export"] = Permission.ViewMembers,
        ["ANY /health/live"] = null,
    };

    private static readonly (string UserName, ConsoleRole Role)[] Roles =
    [
        (DemoIdentities.DistrictAdmin, ConsoleRole.OrganizationDepartment),
        (DemoIdentities.TownshipAdmin, ConsoleRole.TownshipCommittee),
        (DemoIdentities.BranchSecretary, ConsoleRole.BranchSecretary),
        (DemoIdentities.ServiceClerk, ConsoleRole.ServiceClerk),
        (DemoIdentities.ReadOnly, ConsoleRole.ReadOnly),
    ];

    private static List<string> RoutedPages() => typeof(AdminEntry).Assembly.GetTypes()
        .SelectMany(t => t.GetCustomAttributes<RouteAttribute>().Select(r => r.Template)).Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>Endpoints other than pages, Blazor's own (/_blazor, /_framework) and static files.</summary>
    private List<string> OtherEndpoints() => console.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
        .Where(e => e.Metadata.GetMetadata<ComponentTypeMetadata>() is null && e.RoutePattern.RawText is { } raw
                    && !raw.StartsWith("/_", StringComparison.Ordinal) && !raw.StartsWith("_", StringComparison.Ordinal) && !Path.HasExtension(raw)
                    && !raw.Contains("{**", StringComparison.Ordinal))
        .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["ANY"]).Select(m => $"{m} /{e.RoutePattern.RawText!.TrimStart('/')}"))
        .Where(e => e != "POST /logout").Distinct().Order(StringComparer.Ordinal).ToList();

    [Fact]
    public void EveryPageAndEndpoint_IsDeclared()
    {
        var undeclared = RoutedPages().Except(Pages.Keys).ToList();
        Assert.True(undeclared.Count == 0, "Console pages missing from ConsoleAuthorizationMatrixTests.Pages (declare the permission they need): " + string.Join(", ", undeclared));
        Assert.Empty(Pages.Keys.Except(RoutedPages()));
        var endpoints = OtherEndpoints();
        output.WriteLine("Non-page endpoints: " + string.Join(", ", endpoints));
        var undeclaredEndpoints = endpoints.Except(Endpoints.Keys).ToList();
        Assert.True(undeclaredEndpoints.Count == 0, "Console endpoints missing from ConsoleAuthorizationMatrixTests.Endpoints: " + string.Join(", ", undeclaredEndpoints));
    }

    [Fact]
    public async Task EveryPage_AnswersEachRole_AsDeclared()
    {
        var callers = new List<(string Name, ConsoleRole? Role, HttpClient Client)> { ("anonymous", null, console.NewClient()) };
        foreach (var (userName, role) in Roles)
        {
            callers.Add((userName, role, await console.SignInAsync(userName)));
        }
        var targets = RoutedPages().Select(p => (Key: p, Url: Regex.Replace(p, @"\{[^}]+\}", Guid.CreateVersion7().ToString()), Need: Pages[p]))
            .Concat(Endpoints.Select(e => (e.Key, Url: e.Key[(e.Key.IndexOf(' ', StringComparison.Ordinal) + 1)..], Need: e.Value))).ToList();
        var failures = new List<string>();
        var allowed = 0;
        var refused = 0;
        foreach (var (name, role, client) in callers)
        {
            foreach (var (key, url, need) in targets)
            {
                var response = await client.GetAsync(url);
                var status = (int)response.StatusCode;
                var location = response.Headers.Location is { } l ? (l.IsAbsoluteUri ? l.PathAndQuery : l.OriginalString) : "";
                string? expected = (need, role) switch
                {
                    (null, _) => "200",
                    (_, null) => "/login",
                    ({ } permission, { } r) => RolePermissions.Has(r, permission) ? "200" : "/forbidden",
                };
                var ok = expected == "200"
                    ? status == 200
                    : status == 302 && location.StartsWith(expected + "?returnUrl=", StringComparison.Ordinal);
                if (!ok)
                {
                    failures.Add($"{key} as {name}: expected {expected}, got {status} {location}");
                }
                if (expected == "200")
                {
                    allowed++;
                }
                else
                {
                    refused++;
                }
            }
        }
        output.WriteLine($"Console authorization matrix: {targets.Count} pages and endpoints ({Pages.Count} page routes) × {callers.Count} callers "
            + $"(anonymous + {Roles.Length} demo roles) = {allowed + refused} requests: {allowed} allowed, {refused} refused");
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public async Task EveryAnswer_CarriesTheSecurityHeaders_TheCookieIsHttpOnlyAndStrict_AndSignInNeedsTheAntiforgeryToken()
    {
        var anonymous = console.NewClient();
        var fields = await ConsoleForms.LoginFieldsAsync(anonymous, DemoIdentities.ReadOnly, DemoIdentities.Password);
        var forged = await anonymous.PostAsync("/login", new FormUrlEncodedContent(fields.Where(f => f.Key != "__RequestVerificationToken").ToDictionary()));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        var signIn = await anonymous.PostAsync("/login", new FormUrlEncodedContent(fields));
        Assert.True(ConsoleForms.IsSignedInRedirect(signIn));
        var cookie = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(".EBranch.Admin=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);

        var answers = new[]
        {
            forged, signIn, await anonymous.GetAsync("/members"), await console.NewClient().GetAsync("/login"),
            await console.NewClient().GetAsync("/members"), await console.NewClient().GetAsync("/_framework/blazor.web.js"),
        };
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Redirect], answers[2..].Take(3).Select(a => a.StatusCode));
        SecurityHeaderChecks.AssertOnEvery(answers);
    }

    [Fact]
    public async Task Logout_NeedsTheAntiforgeryToken_AndEndsTheSession()
    {
        var client = await console.SignInAsync(DemoIdentities.ReadOnly);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/members")).StatusCode);
        var forged = await client.PostAsync("/logout", new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/members")).StatusCode);

        var page = await client.GetStringAsync("/");
        var token = WebUtility.HtmlDecode(Regex.Match(page, "id=\"logout-form\"[\\s\\S]*?name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value);
        Assert.NotEmpty(token);
        var logout = await client.PostAsync("/logout", new FormUrlEncodedContent([KeyValuePair.Create("__RequestVerificationToken", token)]));
        Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);
        var after = await client.GetAsync("/members");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.Contains("/login", after.Headers.Location!.OriginalString, StringComparison.Ordinal);

        var anonymous = console.NewClient();
        var response = await anonymous.GetAsync("/members/import/template");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/login", response.Headers.Location!.IsAbsoluteUri ? response.Headers.Location.AbsolutePath : response.Headers.Location.OriginalString, StringComparison.Ordinal);
    }
}
