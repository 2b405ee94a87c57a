using System.Net.Http.Json;
using EBranch.Core.Common;
using EBranch.Core.Demo;
using EBranch.Core.Dues;
using EBranch.Tests.Gateway;

namespace EBranch.Tests.Dues;

/// <summary>What the console adds over the dues services: the scoped order list and reconciliation runs started by a user.</summary>
[Collection(GatewayCollection.Name)]
public sealed class DuesConsoleQueryTests(GatewayFixture gateway)
{
    private static int Current => DuesMonth.Current(TimeProvider.System);

    [Fact]
    public async Task OrderList_ShowsOrdersOfTheCallersSubtreeOnly_WithMemberAndMonths()
    {
        var (client, _, _) = await gateway.NewPayingMemberAsync("尤订单");
        var created = await client.PostAsJsonAsync("/api/v1/dues/orders", new { months = new[] { DuesMonth.Add(Current, -1), Current }, extraFen = 0 });
        created.EnsureSuccessStatusCode();

        var township = await gateway.AsConsoleUser<DuesOrderService>(DemoIdentities.TownshipAdmin);
        var order = (await township.ListAsync(PayOrderStatus.Waiting, 1, 200)).Items.Single(o => o.MemberName == "尤订单");
        Assert.Equal([DuesMonth.Add(Current, -1), Current], order.Months);
        Assert.Equal(16_200, order.AmountFen);
        Assert.DoesNotContain((await township.ListAsync(PayOrderStatus.Refunded, 1, 200)).Items, o => o.OutTradeNo == order.OutTradeNo);

        var otherTownship = await gateway.AsConsoleUser<DuesOrderService>("town02");
        Assert.DoesNotContain((await otherTownship.ListAsync(null, 1, 200)).Items, o => o.OutTradeNo == order.OutTradeNo);
    }

    [Fact]
    public async Task ReconcilingFromTheConsole_IsForDistrictAdministrators_AndOnlyForPastDays()
    {
        var township = await gateway.AsConsoleUser<ReconciliationService>(DemoIdentities.TownshipAdmin);
        var refused = await Assert.ThrowsAsync<AppException>(() => township.ReconcileAsCallerAsync(DistrictTime.Today(TimeProvider.System).AddDays(-2)));
        Assert.Equal(ErrorKind.Forbidden, refused.Kind);

        var district = await gateway.AsConsoleUser<ReconciliationService>(DemoIdentities.DistrictAdmin);
        var today = await Assert.ThrowsAsync<AppException>(() => district.ReconcileAsCallerAsync(DistrictTime.Today(TimeProvider.System)));
        Assert.Equal(ErrorKind.Invalid, today.Kind);
        var day = DistrictTime.Today(TimeProvider.System).AddDays(-2);
        Assert.Equal(day, (await district.ReconcileAsCallerAsync(day)).Date);
    }
}
