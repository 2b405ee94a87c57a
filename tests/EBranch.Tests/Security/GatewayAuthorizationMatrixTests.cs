using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using EBranch.Core.Dues;
using EBranch.Tests.Gateway;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace EBranch.Tests.Security;

/// <summary>
/// Every endpoint the gateway routes (read from its <see cref="EndpointDataSource"/>, including those left out of
/// the OpenAPI document) × every kind of caller, against the access declared once in <see cref="Access"/>.
/// A new endpoint fails the suite until it is declared here.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class GatewayAuthorizationMatrixTests(GatewayFixture gateway, ITestOutputHelper output)
{
    public enum Required { Anonymous, Resident, Member }

    public enum CallerKind { Anonymous, Resident, Member }

    /// <summary>Who may call what: anonymous (public), resident (any logged-in WeChat user) or member (a bound party member).</summary>
    private static readonly Dictionary<string, (Required Access, string? Body)> Access = new()
    {
        ["ANY /health/live"] = (Required.Anonymous, null),
        ["ANY /health/ready"] = (Required.Anonymous, null),
        ["GET /openapi/{documentName}.json"] = (Required.Anonymous, null),
        ["GET /docs/{documentName?}"] = (Required.Anonymous, null),
        ["GET /docs/favicon.svg"] = (Required.Anonymous, null),
        ["GET /docs/scalar.aspnetcore.js"] = (Required.Anonymous, null),
        ["GET /docs/scalar.js"] = (Required.Anonymous, null),
        ["GET /api/v1/regions/"] = (Required.Anonymous, null),
        ["GET /api/v1/branches"] = (Required.Anonymous, null),
        ["POST /api/v1/auth/login"] = (Required.Anonymous, """{"code":"matrix-not-a-code"}"""),
        ["POST /api/v1/pay/notify"] = (Required.Anonymous, """{"id":"matrix","event_type":"TRANSACTION.SUCCESS"}"""),
        ["POST /api/v1/auth/logout"] = (Required.Resident, null),
        ["GET /api/v1/me"] = (Required.Resident, null),
        ["POST /api/v1/binding/id-number"] = (Required.Resident, """{"name":"矩阵","idNumber":"110101199001011230"}"""),
        ["POST /api/v1/binding/phone"] = (Required.Resident, """{"name":"矩阵","phoneCode":"matrix-not-a-code"}"""),
        ["GET /api/v1/binding/"] = (Required.Resident, null),
        ["POST /api/v1/dues/on-behalf/lookup"] = (Required.Resident, """{"name":"矩阵","idNumber":"110101199001011230"}"""),
        ["POST /api/v1/dues/orders"] = (Required.Resident, """{"months":[202601],"extraFen":0,"onBehalf":{"name":"矩阵","idNumber":"110101199001011230"}}"""),
        ["GET /api/v1/dues/orders/{outTradeNo}"] = (Required.Resident, null),
        ["GET /api/v1/dues/"] = (Required.Member, null),
        ["POST /api/v1/checkins"] = (Required.Member, null),
        ["GET /api/v1/points"] = (Required.Member, null),
        ["GET /api/v1/points/ranking"] = (Required.Member, null),
        ["GET /api/v1/space"] = (Required.Member, null),
    };

    /// <summary>Plausible values for path parameters.</summary>
    private static readonly Dictionary<string, string> PathValues = new()
    {
        ["documentName"] = "v1", ["documentName?"] = "v1", ["outTradeNo"] = "EB20260101000000000001",
    };

    /// <summary>Every routed endpoint as "METHOD pattern" (ANY when it accepts every method).</summary>
    public static IReadOnlyList<string> RoutedEndpoints(IServiceProvider services)
        => services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["ANY"]).Select(m => $"{m} /{e.RoutePattern.RawText!.TrimStart('/')}"))
            .Distinct().Order(StringComparer.Ordinal).ToList();

    [Fact]
    public void EveryRoutedEndpoint_IsDeclaredInTheAccessTable()
    {
        var routed = RoutedEndpoints(gateway.Services);
        var undeclared = routed.Except(Access.Keys).ToList();
        Assert.True(undeclared.Count == 0, "Endpoints missing from the access table in GatewayAuthorizationMatrixTests (declare who may call them): "
            + string.Join(", ", undeclared));
        var gone = Access.Keys.Except(routed).ToList();
        Assert.True(gone.Count == 0, "Declared but no longer routed (remove from the table): " + string.Join(", ", gone));
    }

    [Fact]
    public async Task EveryEndpoint_AnswersEachKindOfCaller_AsDeclared()
    {
        var routed = RoutedEndpoints(gateway.Services).Where(Access.ContainsKey).ToList();
        var (resident, _, _) = await gateway.LoginNewUserAsync();
        var (member, _, _) = await gateway.NewPayingMemberAsync("矩阵甲" + Suffix());
        var anonymous = new HttpClient { BaseAddress = new Uri(gateway.Url) };
        var failures = new List<string>();
        var calls = 0;
        foreach (var endpoint in routed)
        {
            var (access, body) = Access[endpoint];
            foreach (var kind in Enum.GetValues<CallerKind>())
            {
                // Logging out revokes the caller's own token: it gets a session of its own.
                var client = kind switch
                {
                    CallerKind.Anonymous => anonymous,
                    _ when endpoint.Contains("/logout", StringComparison.Ordinal) && kind == CallerKind.Resident => (await gateway.LoginNewUserAsync()).Client,
                    _ when endpoint.Contains("/logout", StringComparison.Ordinal) => (await gateway.NewPayingMemberAsync("矩阵退" + Suffix())).Client,
                    CallerKind.Resident => resident,
                    _ => member,
                };
                var response = await client.SendAsync(Request(endpoint, body));
                calls++;
                var text = await response.Content.ReadAsStringAsync();
                var status = (int)response.StatusCode;
                var expected = Expect(access, kind);
                var problem = response.Content.Headers.ContentType?.MediaType == "application/problem+json" ? JsonDocument.Parse(text).RootElement : (JsonElement?)null;
                var code = problem is { } p && p.TryGetProperty("code", out var c) ? c.GetString() : null;
                string? failure = expected switch
                {
                    401 when status != 401 || code != "unauthorized" => "expected 401 unauthorized",
                    403 when status != 403 || code != "member_required" => "expected 403 member_required",
                    0 when status is 401 or 403 && code is "unauthorized" or "member_required" or "forbidden" => "expected access",
                    0 when status >= 500 => "expected no server error",
                    _ => null,
                };
                if (expected != 0 && problem is { } pd && !HasChinese(pd.GetProperty("title").GetString()))
                {
                    failure = "refusal without a zh-CN title";
                }
                if (failure is not null)
                {
                    failures.Add($"{endpoint} as {kind}: {failure}, got {status} {Truncate(text)}");
                }
            }
        }
        output.WriteLine($"Gateway authorization matrix: {routed.Count} endpoints × {Enum.GetValues<CallerKind>().Length} caller kinds = {calls} calls");
        foreach (var group in routed.GroupBy(e => Access[e].Access))
        {
            output.WriteLine($"  {group.Key}: {group.Count()} endpoints");
        }
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public async Task MemberA_NeverSeesMemberB()
    {
        var nameA = "隔离甲" + Suffix();
        var nameB = "隔离乙" + Suffix();
        var (a, _, _) = await gateway.NewPayingMemberAsync(nameA);
        var (b, _, _) = await gateway.NewPayingMemberAsync(nameB);
        var month = DuesMonth.Current(TimeProvider.System);
        var created = await b.PostAsJsonAsync("/api/v1/dues/orders", new { months = new[] { month }, extraFen = 0 });
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var outTradeNo = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outTradeNo").GetString()!;
        (await b.PostAsync("/api/v1/checkins", null)).EnsureSuccessStatusCode();

        Assert.Equal(HttpStatusCode.OK, (await b.GetAsync($"/api/v1/dues/orders/{outTradeNo}")).StatusCode);
        var foreign = await a.GetAsync($"/api/v1/dues/orders/{outTradeNo}");
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal("not_found", (await foreign.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        var (resident, _, _) = await gateway.LoginNewUserAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await resident.GetAsync($"/api/v1/dues/orders/{outTradeNo}")).StatusCode);

        foreach (var path in new[] { "/api/v1/space", "/api/v1/points", "/api/v1/me", "/api/v1/dues/", "/api/v1/binding/",
                     "/api/v1/points/ranking?scope=branch&period=week", "/api/v1/points/ranking?scope=district&period=year" })
        {
            var response = await a.GetAsync(path);
            Assert.True(response.IsSuccessStatusCode, $"{path}: {response.StatusCode}");
            var text = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain(nameB, text);
            Assert.DoesNotContain(outTradeNo, text);
        }
        Assert.Contains(nameA, await a.GetStringAsync("/api/v1/space"));
    }

    [Fact]
    public async Task ForgedExpiredAndRevokedTokens_AreUnauthorized()
    {
        var (client, openId, login) = await gateway.LoginNewUserAsync();
        var token = login.GetProperty("token").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/me")).StatusCode);

        var tampered = token[..^1] + (token[^1] == 'A' ? 'B' : 'A');
        var forged = new[] { tampered, Convert.ToBase64String(Guid.NewGuid().ToByteArray()), "null", "' OR 1=1 --", new string('a', 4096), token + token };
        foreach (var bad in forged)
        {
            await AssertUnauthorizedAsync(gateway.ClientWithToken(bad), bad);
        }
        using (var basic = new HttpClient { BaseAddress = new Uri(gateway.Url) })
        {
            basic.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:x")));
            await AssertUnauthorizedAsync(basic, "basic");
        }

        // Expired: a fresh session whose expiry has passed (not yet cached, so read from the database).
        var (_, _, expiring) = await gateway.LoginNewUserAsync();
        var expiredToken = expiring.GetProperty("token").GetString()!;
        await using (var db = gateway.SystemDb())
        {
            var newest = await db.WeChatSessions.OrderByDescending(s => s.CreatedAt).ThenByDescending(s => s.Id).FirstAsync();
            newest.ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(-1);
            await db.SaveChangesAsync();
        }
        await AssertUnauthorizedAsync(gateway.ClientWithToken(expiredToken), "expired");

        // Revoked: logging out kills the token at once.
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync("/api/v1/auth/logout", null)).StatusCode);
        await AssertUnauthorizedAsync(client, "revoked");
        Assert.False(string.IsNullOrEmpty(openId));
    }

    private async Task AssertUnauthorizedAsync(HttpClient client, string what)
    {
        foreach (var path in new[] { "/api/v1/me", "/api/v1/space" })
        {
            var response = await client.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{what} on {path}: {response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("unauthorized", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        }
    }

    /// <summary>0 = allowed; else the status the caller must get.</summary>
    private static int Expect(Required access, CallerKind kind) => (access, kind) switch
    {
        (Required.Anonymous, _) => 0,
        (_, CallerKind.Anonymous) => 401,
        (Required.Member, CallerKind.Resident) => 403,
        _ => 0,
    };

    private static HttpRequestMessage Request(string endpoint, string? body)
    {
        var space = endpoint.IndexOf(' ', StringComparison.Ordinal);
        var method = endpoint[..space] == "ANY" ? "GET" : endpoint[..space];
        var path = System.Text.RegularExpressions.Regex.Replace(endpoint[(space + 1)..], @"\{([^}:]+)(:[^}]*)?\}", m => PathValues[m.Groups[1].Value]);
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }
        return request;
    }

    public static bool HasChinese(string? text) => text?.Any(ch => ch is >= '\u4e00' and <= '\u9fff') == true;

    private static string Truncate(string text) => text.Length > 300 ? text[..300] + "…" : text;

    private static string Suffix() => Guid.NewGuid().ToString("N")[..4];
}
