using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace EBranch.Tests.Gateway;

/// <summary>The cached read answers: the member's own changes show at once, and an unchanged answer is a 304 by ETag.</summary>
[Collection(GatewayCollection.Name)]
public sealed class CachedReadsTests(GatewayFixture gateway)
{
    [Fact]
    public async Task PersonalSpace_IsCached_UntilTheMembersOwnDataChanges()
    {
        var (_, idNumber) = await gateway.AddMemberAsync("钱缓存");
        var (client, _, _) = await gateway.LoginNewUserAsync();
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/v1/binding/id-number", new { name = "钱缓存", idNumber })).StatusCode);

        var first = await client.GetAsync("/api/v1/space");
        var before = await first.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(before.GetProperty("checkedInToday").GetBoolean());
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);

        using (var conditional = new HttpRequestMessage(HttpMethod.Get, "/api/v1/space"))
        {
            conditional.Headers.IfNoneMatch.Add(etag);
            Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(conditional)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/v1/checkins", null)).StatusCode);

        using var after = new HttpRequestMessage(HttpMethod.Get, "/api/v1/space");
        after.Headers.IfNoneMatch.Add(etag);
        var changed = await client.SendAsync(after);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var space = await changed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(space.GetProperty("checkedInToday").GetBoolean());
        Assert.Equal(1, space.GetProperty("checkInStreak").GetInt32());
        Assert.Equal(1m, space.GetProperty("pointsBalance").GetDecimal());
        Assert.NotEqual(etag, changed.Headers.ETag);
    }

    [Fact]
    public async Task RegionTree_AnswersNotModified_ForItsETag()
    {
        var first = await gateway.Client.GetAsync("/api/v1/regions");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("application/json", first.Content.Headers.ContentType?.MediaType);
        using var conditional = new HttpRequestMessage(HttpMethod.Get, "/api/v1/regions");
        conditional.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        var second = await gateway.Client.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        Assert.Equal(first.Headers.ETag, second.Headers.ETag);
    }
}
