using System.Net;
using System.Net.Http.Json;
using EBranch.Testing;
using EBranch.Tests.Gateway;

namespace EBranch.Tests.Security;

/// <summary>The gateway's security headers are on every kind of answer: data, errors, refusals, the API reference.</summary>
[Collection(GatewayCollection.Name)]
public sealed class SecurityHeadersTests(GatewayFixture gateway)
{
    [Fact]
    public async Task EveryAnswer_CarriesTheSecurityHeaders()
    {
        var answers = new[]
        {
            await gateway.Client.GetAsync("/api/v1/regions"),
            await gateway.Client.GetAsync("/api/v1/nothing-here"),
            await gateway.Client.GetAsync("/api/v1/me"),
            await gateway.Client.PostAsJsonAsync("/api/v1/auth/login", new { code = "" }),
            await gateway.Client.GetAsync("/docs"),
        };
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.NotFound, HttpStatusCode.Unauthorized], answers.Take(3).Select(a => a.StatusCode));
        SecurityHeaderChecks.AssertOnEvery(answers);
    }
}
