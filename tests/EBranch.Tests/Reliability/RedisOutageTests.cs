using EBranch.Testing;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EBranch.Tests.Gateway;

namespace EBranch.Tests.Reliability;

/// <summary>Redis stops while the gateway serves, then comes back.</summary>
[Collection(ReliabilityCollection.Name)]
[Trait(Reliability.Category, Reliability.Name)]
public sealed class RedisOutageTests
{
    [ReliabilityFact]
    public async Task RedisStopped_GatewayKeepsServing_ThenUsesRedisAgain()
    {
        await using var redis = await IsolatedRedis.StartAsync();
        var gateway = new GatewayFixture();
        await gateway.StartAsync(overrides: new Dictionary<string, string?> { ["ConnectionStrings:Redis"] = redis.ConnectionString });
        try
        {
            var members = new List<(HttpClient Client, Guid MemberId)>();
            for (var i = 0; i < 4; i++)
            {
                members.Add(await Reliability.NewMemberAsync(gateway, $"缓存{i}"));
            }
            await RoundAsync(gateway, members[0].Client, checkIn: true);

            await redis.StopAsync();
            // Reads, sessions (cached or straight from the database), logins, bindings (rate limit), check-ins (points lock).
            var (newcomer, newcomerId) = await Reliability.NewMemberAsync(gateway, "断缓存");
            members.Add((newcomer, newcomerId));
            for (var i = 1; i < members.Count; i++)
            {
                await RoundAsync(gateway, members[i].Client, checkIn: true);
            }
            var (fresh, _, login) = await gateway.LoginNewUserAsync();
            Assert.Equal(HttpStatusCode.OK, (await fresh.GetAsync("/api/v1/me")).StatusCode);

            await redis.StartAgainAsync();
            // Redis is used again: a binding attempt's counter lands there (the client reconnects on its own).
            await Eventually.WaitUntilAsync(async () =>
            {
                var (client, _, _) = await gateway.LoginNewUserAsync();
                await client.PostAsJsonAsync("/api/v1/binding/id-number", new { name = "无此人", idNumber = "110101199003070000" });
                var (_, keys) = await IsolatedServices.RunAsync("redis-cli", "-p", redis.Port.ToString(), "--scan", "--pattern", "*ebranch:rl:binding:*");
                return keys.Contains("ebranch:rl:binding:", StringComparison.Ordinal);
            }, "the gateway to use Redis again", TimeSpan.FromSeconds(30));
            foreach (var member in members)
            {
                await RoundAsync(gateway, member.Client, checkIn: false);
            }
            Assert.NotNull(login.GetProperty("token").GetString());
            await Reliability.AssertCheckInsWholeAsync(gateway);
        }
        finally
        {
            await gateway.DisposeAsync();
        }
    }

    private static async Task RoundAsync(GatewayFixture gateway, HttpClient member, bool checkIn)
    {
        Assert.Equal(HttpStatusCode.OK, (await gateway.Client.GetAsync("/api/v1/regions")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await member.GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await member.GetAsync("/api/v1/space")).StatusCode);
        if (checkIn)
        {
            var response = await member.PostAsync("/api/v1/checkins", null);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.False((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("alreadyCheckedIn").GetBoolean());
        }
        Assert.Equal(HttpStatusCode.OK, (await member.GetAsync("/api/v1/points/ranking?scope=branch&period=week")).StatusCode);
    }
}
