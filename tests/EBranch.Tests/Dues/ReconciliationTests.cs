using System.Net.Http.Json;
using System.Text.Json;
using EBranch.Core.Common;
using EBranch.Core.Dues;
using EBranch.Tests.Gateway;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EBranch.Tests.Dues;

/// <summary>The daily reconciliation finds every kind of difference planted in the emulator's trade bill.</summary>
[Collection(GatewayCollection.Name)]
public sealed class ReconciliationTests(GatewayFixture gateway)
{
    private async Task<string> PaidOrderAsync(string name, bool loseNotifications = false)
    {
        var (client, _, _) = await gateway.NewPayingMemberAsync(name);
        var order = await (await client.PostAsJsonAsync("/api/v1/dues/orders", new { months = new[] { DuesMonth.Current(TimeProvider.System) }, extraFen = 0 }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var outTradeNo = order.GetProperty("outTradeNo").GetString()!;
        if (loseNotifications)
        {
            await gateway.Emulator.Control.PostAsJsonAsync("/_emulator/faults/notifications", new { corrupt = "wrong-serial", corruptCount = 1000 });
        }
        (await gateway.Emulator.Control.PostAsJsonAsync($"/_emulator/orders/{outTradeNo}/pay", new { outcome = "success" })).EnsureSuccessStatusCode();
        if (loseNotifications)
        {
            return outTradeNo; // the caller clears the fault once it has reconciled
        }
        var deadline = DateTime.UtcNow.AddSeconds(15);
        await using var db = gateway.SystemDb();
        while (!await db.PayOrders.AnyAsync(o => o.OutTradeNo == outTradeNo && o.Status == PayOrderStatus.Paid) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        return outTradeNo;
    }

    [Fact]
    public async Task Reconciliation_FindsEachKindOfMismatch_AndIsIdempotent()
    {
        var today = DistrictTime.Today(TimeProvider.System);
        var amountOrder = await PaidOrderAsync("鲁对账甲");
        var missingOrder = await PaidOrderAsync("鲁对账乙");
        var matchingOrder = await PaidOrderAsync("鲁对账丙");
        var unpaidHere = await PaidOrderAsync("鲁对账丁", loseNotifications: true);
        var phantom = "PHANTOM" + Guid.NewGuid().ToString("N")[..10];
        foreach (var (kind, no) in new[] { ("amount", amountOrder), ("missing", missingOrder), ("extra", phantom) })
        {
            (await gateway.Emulator.Control.PostAsJsonAsync($"/_emulator/bills/{today:yyyy-MM-dd}/mismatches", new { kind, outTradeNo = no })).EnsureSuccessStatusCode();
        }

        await using var scope = gateway.Services.CreateAsyncScope();
        var reconciliation = scope.ServiceProvider.GetRequiredService<ReconciliationService>();
        ReconciliationResult result;
        try
        {
            result = await reconciliation.ReconcileAsync(today);
        }
        finally
        {
            await gateway.Emulator.Control.DeleteAsync("/_emulator/faults");
        }
        Assert.False(result.HashMismatch);

        await using var db = gateway.SystemDb();
        var issues = await db.DuesIssues.Where(i => i.BillDate == today).ToListAsync();
        Assert.Contains(issues, i => i.Kind == IssueKind.AmountDiffers && i.OutTradeNo == amountOrder && i.TheirAmountFen == i.OurAmountFen + 1);
        Assert.Contains(issues, i => i.Kind == IssueKind.MissingThere && i.OutTradeNo == missingOrder);
        Assert.Contains(issues, i => i.Kind == IssueKind.MissingHere && i.OutTradeNo == phantom);
        Assert.Contains(issues, i => i.Kind == IssueKind.StateDiffers && i.OutTradeNo == unpaidHere);
        Assert.DoesNotContain(issues, i => i.OutTradeNo == matchingOrder);

        // Running the same day again adds nothing.
        var again = await reconciliation.ReconcileAsync(today);
        Assert.Equal(0, again.NewIssues);
        Assert.Equal(issues.Count, await db.DuesIssues.CountAsync(i => i.BillDate == today));

        // A bill whose SHA1 does not match is not trusted at all.
        (await gateway.Emulator.Control.PostAsJsonAsync($"/_emulator/bills/{today:yyyy-MM-dd}/mismatches", new { kind = "hash" })).EnsureSuccessStatusCode();
        var tampered = await reconciliation.ReconcileAsync(today);
        Assert.True(tampered.HashMismatch);
        Assert.True(await db.DuesIssues.AnyAsync(i => i.BillDate == today && i.Kind == IssueKind.BillHashMismatch));
    }
}
