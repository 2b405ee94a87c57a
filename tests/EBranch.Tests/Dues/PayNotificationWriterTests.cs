using EBranch.Core.Dues;
using EBranch.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EBranch.Tests.Dues;

/// <summary>Raw notifications written in groups: every caller returns only once its own record is committed, and a failed insert fails its callers only.</summary>
[Collection(DistrictCollection.Name)]
public sealed class PayNotificationWriterTests(DistrictFixture district)
{
    private static PayNotificationRecord Record(string marker, string? body = "{}") => new()
    {
        ReceivedAt = DateTimeOffset.UtcNow, Kind = "transaction", OutTradeNo = marker, RawBody = body!, Outcome = "duplicate",
    };

    [Fact]
    public async Task ConcurrentWrites_AreAllCommittedWhenTheyReturn_AndAFailedInsertFailsOnlyItsCallers()
    {
        await using var services = district.BuildServices();
        var writer = services.GetRequiredService<PayNotificationWriter>();
        var marker = "W" + Guid.NewGuid().ToString("N")[..20];

        await Task.WhenAll(Enumerable.Range(0, 300).Select(_ => writer.WriteAsync(Record(marker))));
        await using (var db = district.SystemDb())
        {
            Assert.Equal(300, await db.PayNotifications.CountAsync(n => n.OutTradeNo == marker));
        }

        // A record the database refuses (no body) fails its write; the writer goes on.
        var refused = "X" + Guid.NewGuid().ToString("N")[..20];
        await Assert.ThrowsAsync<DbUpdateException>(() => writer.WriteAsync(Record(refused, body: null)));
        await writer.WriteAsync(Record(marker));
        await using (var db = district.SystemDb())
        {
            Assert.Equal(301, await db.PayNotifications.CountAsync(n => n.OutTradeNo == marker));
            Assert.Equal(0, await db.PayNotifications.CountAsync(n => n.OutTradeNo == refused));
        }

        await writer.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => writer.WriteAsync(Record(marker)));
    }
}
