using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace EBranch.Tests.Gateway;

[Collection(GatewayCollection.Name)]
public sealed class GatewayShellTests(GatewayFixture gateway)
{
    [Fact]
    public async Task RegionTree_ListsTheDistrictsTownshipsAndVillages_WithoutLogin()
    {
        var response = await gateway.Client.GetAsync("/api/v1/regions");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var district = Assert.Single(json.RootElement.EnumerateArray().ToList());
        Assert.Equal("云溪区", district.GetProperty("name").GetString());
        var townships = district.GetProperty("children").EnumerateArray().ToList();
        Assert.Equal(13, townships.Count);
        Assert.Equal(108, townships.Sum(t => t.GetProperty("children").GetArrayLength()));
        Assert.Contains(townships, t => t.GetProperty("kind").GetString() == "街道");
        Assert.Equal("Township", townships[0].GetProperty("level").GetString());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task UnknownPath_IsAProblemDetails_WithAStableCodeAndZhCnTitle()
    {
        var response = await gateway.Client.GetAsync("/api/v1/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("not_found", problem.GetProperty("code").GetString());
        Assert.Equal("请求的内容不存在", problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task WrongMethod_IsAProblemDetails()
    {
        var response = await gateway.Client.PostAsync("/api/v1/regions", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("method_not_allowed", problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Health_IsLiveAndReady()
    {
        Assert.Equal(HttpStatusCode.OK, (await gateway.Client.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await gateway.Client.GetAsync("/health/ready")).StatusCode);
    }
}
