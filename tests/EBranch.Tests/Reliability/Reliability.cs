using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EBranch.Core.Activities;
using EBranch.Tests.Gateway;
using EBranch.Testing;
using Microsoft.EntityFrameworkCore;

namespace EBranch.Tests.Reliability;

/// <summary>
/// Faults and several instances, against real servers. They need PostgreSQL and Redis, so they run in the
/// PostgreSQL + Redis pass of <c>./test</c> only (the embedded pass filters out <c>Category=Reliability</c>);
/// run on their own without EBRANCH_TEST_POSTGRES they are reported as skipped, with the reason (<see cref="ReliabilityFactAttribute"/>).
/// </summary>
public static class Reliability
{
    public const string Category = "Category";
    public const string Name = "Reliability";

    public static bool Enabled => TestEnvironment.UsesPostgres;

    /// <summary>A bound member of the demo branch, logged in on <paramref name="gateway"/>.</summary>
    public static async Task<(HttpClient Client, Guid MemberId)> NewMemberAsync(GatewayFixture gateway, string name)
    {
        var (memberId, idNumber) = await gateway.AddMemberAsync(name);
        var (client, _, _) = await gateway.LoginNewUserAsync();
        (await client.PostAsJsonAsync("/api/v1/binding/id-number", new { name, idNumber })).EnsureSuccessStatusCode();
        return (client, memberId);
    }

    /// <summary>2xx, or a clean 503 ProblemDetails <c>service_unavailable</c> (never a 500 or internals).</summary>
    public static async Task<bool> SucceededOrCleanlyUnavailableAsync(HttpResponseMessage response, string what)
    {
        if (response.IsSuccessStatusCode)
        {
            return true;
        }
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{what}: {(int)response.StatusCode} {text}");
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal("service_unavailable", problem.GetProperty("code").GetString());
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Npgsql", text, StringComparison.Ordinal);
        return false;
    }

    /// <summary>No half-written check-ins: every check-in has its activity record and every activity record its check-in.</summary>
    public static async Task AssertCheckInsWholeAsync(GatewayFixture gateway)
    {
        await using var db = gateway.SystemDb();
        var checkIns = await db.CheckIns.AsNoTracking().Select(c => c.MemberId).ToListAsync();
        var records = await db.ActivityRecords.AsNoTracking().Where(a => a.Type == ActivityTypes.CheckIn).Select(a => a.MemberId).ToListAsync();
        Assert.Equal(checkIns.Order(), records.Where(r => r is not null).Select(r => r!.Value).Order());
    }
}

/// <summary>A test that needs PostgreSQL and Redis: skipped visibly (with the reason) when they are not configured, never passed vacuously.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ReliabilityFactAttribute : FactAttribute
{
    public ReliabilityFactAttribute()
    {
        if (!Reliability.Enabled)
        {
            Skip = "needs PostgreSQL and Redis: set EBRANCH_TEST_POSTGRES and EBRANCH_TEST_REDIS (./test does, in its second pass)";
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ReliabilityCollection
{
    // One at a time: they stop and start servers and measure what the emulator saw.
    public const string Name = "reliability";
}
