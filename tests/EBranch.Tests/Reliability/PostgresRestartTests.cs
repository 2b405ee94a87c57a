using EBranch.Testing;
using System.Net;
using EBranch.Core.Points;
using EBranch.Tests.Gateway;
using Microsoft.EntityFrameworkCore;

namespace EBranch.Tests.Reliability;

/// <summary>PostgreSQL restarts while the gateway serves: requests fail cleanly, then succeed; nothing is half-written.</summary>
[Collection(ReliabilityCollection.Name)]
[Trait(Reliability.Category, Reliability.Name)]
public sealed class PostgresRestartTests
{
    [ReliabilityFact]
    public async Task PostgresRestarted_RequestsFailCleanly_ThenSucceed_AndNothingIsHalfWritten()
    {
        await using var postgres = await IsolatedPostgres.StartAsync();
        var gateway = new GatewayFixture();
        // No Redis here: sessions and locks in process, so only the database fails.
        await gateway.StartAsync(await postgres.CreateDatabaseAsync("restart"), overrides: new Dictionary<string, string?> { ["ConnectionStrings:Redis"] = "" });
        try
        {
            var members = new List<(HttpClient Client, Guid MemberId)>();
            for (var i = 0; i < 12; i++)
            {
                members.Add(await Reliability.NewMemberAsync(gateway, $"重启{i}"));
            }
            var checkedIn = new HashSet<Guid>();
            using var stop = new CancellationTokenSource();
            var unavailable = 0;
            var traffic = Task.Run(async () =>
            {
                var i = 0;
                while (!stop.IsCancellationRequested)
                {
                    var (client, memberId) = members[i++ % members.Count];
                    if (await Reliability.SucceededOrCleanlyUnavailableAsync(await gateway.Client.GetAsync("/api/v1/regions"), "regions")
                        & await Reliability.SucceededOrCleanlyUnavailableAsync(await client.GetAsync("/api/v1/space"), "space")
                        & (checkedIn.Contains(memberId) || await Reliability.SucceededOrCleanlyUnavailableAsync(await client.PostAsync("/api/v1/checkins", null), "check-in")))
                    {
                        checkedIn.Add(memberId);
                    }
                    else
                    {
                        Interlocked.Increment(ref unavailable);
                    }
                    await Task.Delay(20);
                }
            });
            await Task.Delay(300);
            await postgres.CtlAsync("restart");
            await Task.Delay(1500);
            await stop.CancelAsync();
            await traffic;

            // Afterwards everything succeeds again (each member checks in, once).
            await Eventually.WaitUntilAsync(async () => (await gateway.Client.GetAsync("/api/v1/regions")).IsSuccessStatusCode, "the gateway to recover", TimeSpan.FromSeconds(20));
            foreach (var (client, _) in members)
            {
                Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/v1/checkins", null)).StatusCode);
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/space")).StatusCode);
            }
            await Reliability.AssertCheckInsWholeAsync(gateway);
            await using var db = gateway.SystemDb();
            var ids = members.Select(m => m.MemberId).ToList();
            Assert.Equal(members.Count, await db.CheckIns.CountAsync(c => ids.Contains(c.MemberId)));
            Assert.Equal(members.Count, await db.PointEntries.CountAsync(e => ids.Contains(e.MemberId) && e.Action == PointActions.CheckIn));
        }
        finally
        {
            await gateway.DisposeAsync();
        }
    }
}
