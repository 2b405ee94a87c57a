using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EBranch.Tests.Reliability;
using EBranch.Testing;

namespace EBranch.Tests.Gateway;

/// <summary>
/// Logging in (and every anonymous endpoint that calls WeChat or writes) is limited per client address and globally,
/// before WeChat is called; the client address is the connection's, or the one a configured proxy forwarded.
/// Each test starts its own gateway (and emulator, so WeChat's call count is the test's own).
/// </summary>
public sealed class AnonymousLimitTests
{
    private const string JsCodeToSession = "/sns/jscode2session";

    internal static Dictionary<string, string?> Limits(int perClient, int global = 1000, string? knownProxies = null) => new()
    {
        ["Gateway:AnonymousLimits:PerClient"] = perClient.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Gateway:AnonymousLimits:Global"] = global.ToString(System.Globalization.CultureInfo.InvariantCulture),
        // An hour, so a flood of a few seconds never straddles two windows.
        ["Gateway:AnonymousLimits:Window"] = "01:00:00",
        ["Gateway:KnownProxies"] = knownProxies,
    };

    internal static async Task<int> WeChatLoginCallsAsync(EmulatorHost emulator)
        => (await emulator.Control.GetFromJsonAsync<JsonElement>("/_emulator/log")).GetProperty("counters").GetProperty("calls") is var calls
           && calls.TryGetProperty(JsCodeToSession, out var n) ? n.GetInt32() : 0;

    internal static Task<HttpResponseMessage> LoginAsync(HttpClient client, string code, string? forwardedFor)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/login") { Content = JsonContent.Create(new { code }) };
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }
        return client.SendAsync(request);
    }

    internal static async Task AssertRateLimitedAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("rate_limited", problem.GetProperty("code").GetString());
        Assert.Equal("请求过于频繁，请稍后再试", problem.GetProperty("title").GetString());
        var retryAfter = int.Parse(response.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 3600);
    }

    [Fact]
    public async Task ALoginFlood_FromOneAddress_IsLimitedAfterTheBurst_WeChatSeesOnlyTheAdmitted_AndAnotherAddressStillLogsIn()
    {
        var gateway = new GatewayFixture();
        try
        {
            await gateway.StartAsync(overrides: Limits(perClient: 5, knownProxies: "127.0.0.1"));
            var before = await WeChatLoginCallsAsync(gateway.Emulator);

            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < 30; i++)
            {
                var response = await LoginAsync(gateway.Client, $"well-formed-but-invalid-{i:000}", "203.0.113.7");
                statuses.Add(response.StatusCode);
                if (i >= 5)
                {
                    await AssertRateLimitedAsync(response);
                }
            }
            Assert.All(statuses.Take(5), s => Assert.Equal(HttpStatusCode.BadRequest, s));
            Assert.Equal(5, await WeChatLoginCallsAsync(gateway.Emulator) - before);

            // Another address (through the same configured proxy) is not held back by the flood.
            var (_, code) = await gateway.Emulator.NewUserAsync();
            var other = await LoginAsync(gateway.Client, code, "198.51.100.23");
            Assert.Equal(HttpStatusCode.OK, other.StatusCode);
            Assert.Equal(6, await WeChatLoginCallsAsync(gateway.Emulator) - before);
        }
        finally
        {
            await gateway.DisposeAsync();
        }
    }

    [Fact]
    public async Task ForwardedHeaders_FromAnUnconfiguredProxy_DoNotLetAFloodChangeItsAddress()
    {
        var gateway = new GatewayFixture();
        try
        {
            await gateway.StartAsync(overrides: Limits(perClient: 3));
            var before = await WeChatLoginCallsAsync(gateway.Emulator);
            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < 8; i++)
            {
                statuses.Add((await LoginAsync(gateway.Client, $"invalid-{i}", $"192.0.2.{i + 1}")).StatusCode);
            }
            Assert.All(statuses.Take(3), s => Assert.Equal(HttpStatusCode.BadRequest, s));
            Assert.All(statuses.Skip(3), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
            Assert.Equal(3, await WeChatLoginCallsAsync(gateway.Emulator) - before);
        }
        finally
        {
            await gateway.DisposeAsync();
        }
    }

    [Fact]
    public async Task TheGlobalLimit_HoldsAcrossAddresses()
    {
        var gateway = new GatewayFixture();
        try
        {
            await gateway.StartAsync(overrides: Limits(perClient: 100, global: 4, knownProxies: "127.0.0.1"));
            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < 7; i++)
            {
                statuses.Add((await LoginAsync(gateway.Client, $"invalid-{i}", $"192.0.2.{i + 1}")).StatusCode);
            }
            Assert.All(statuses.Take(4), s => Assert.Equal(HttpStatusCode.BadRequest, s));
            Assert.All(statuses.Skip(4), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
        }
        finally
        {
            await gateway.DisposeAsync();
        }
    }
}

/// <summary>Two gateways on one PostgreSQL database and one Redis share the login limit.</summary>
[Collection(ReliabilityCollection.Name)]
[Trait(Reliability.Reliability.Category, Reliability.Reliability.Name)]
public sealed class SharedAnonymousLimitTests
{
    [ReliabilityFact]
    public async Task TwoGateways_ShareTheLoginLimit_ThroughRedis()
    {
        await using var redis = await IsolatedRedis.StartAsync();
        await using var emulator = await EmulatorHost.StartAsync();
        var database = await TestEnvironment.CreateDatabaseAsync("limits");
        var shared = AnonymousLimitTests.Limits(perClient: 4, knownProxies: "127.0.0.1");
        shared["ConnectionStrings:Redis"] = redis.ConnectionString;
        var a = new GatewayFixture();
        var b = new GatewayFixture();
        try
        {
            await a.StartAsync(database, emulator, shared);
            await b.StartAsync(database, emulator, shared);
            var before = await AnonymousLimitTests.WeChatLoginCallsAsync(emulator);
            var responses = new List<HttpResponseMessage>();
            for (var i = 0; i < 12; i++)
            {
                responses.Add(await AnonymousLimitTests.LoginAsync((i % 2 == 0 ? a : b).Client, $"invalid-{i}", "203.0.113.99"));
            }
            Assert.All(responses.Take(4), r => Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode));
            foreach (var refused in responses.Skip(4))
            {
                await AnonymousLimitTests.AssertRateLimitedAsync(refused);
            }
            Assert.Equal(4, await AnonymousLimitTests.WeChatLoginCallsAsync(emulator) - before);

            var (_, code) = await emulator.NewUserAsync();
            Assert.Equal(HttpStatusCode.OK, (await AnonymousLimitTests.LoginAsync(b.Client, code, "198.51.100.24")).StatusCode);
        }
        finally
        {
            await a.DisposeAsync();
            await b.DisposeAsync();
        }
    }
}
