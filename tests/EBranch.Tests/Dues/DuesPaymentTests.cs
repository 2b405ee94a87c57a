using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using EBranch.Core.Demo;
using EBranch.Core.Dues;
using EBranch.Core.Points;
using EBranch.Tests.Gateway;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EBranch.Tests.Dues;

/// <summary>Dues paid through the gateway and the WeChat Pay emulator: money is never lost, doubled or unexplained.</summary>
[Collection(GatewayCollection.Name)]
public sealed class DuesPaymentTests(GatewayFixture gateway)
{
    private static int Current => DuesMonth.Current(TimeProvider.System);

    private static async Task<JsonElement> Json(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<string> ProblemCode(HttpResponseMessage response)
        => (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString()!;

    private async Task<JsonElement> OrderAsync(HttpClient client, int[] months, long extraFen = 0, object? onBehalf = null)
        => await Json(await client.PostAsJsonAsync("/api/v1/dues/orders", new { months, extraFen, onBehalf }));

    private Task PayAtWeChatAsync(string outTradeNo, string outcome = "success")
        => gateway.Emulator.Control.PostAsJsonAsync($"/_emulator/orders/{outTradeNo}/pay", new { outcome }).ContinueWith(t => t.Result.EnsureSuccessStatusCode());

    private async Task<PayOrder> WaitForStatusAsync(string outTradeNo, PayOrderStatus status, int seconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            await using var db = gateway.SystemDb();
            var order = await db.PayOrders.AsNoTracking().Include(o => o.Items).SingleAsync(o => o.OutTradeNo == outTradeNo);
            // A paid order is complete once its points are credited (done right after the payment commits).
            var complete = order.Status == status && (status != PayOrderStatus.Paid || order.PointsCredited);
            if (complete || DateTime.UtcNow > deadline)
            {
                Assert.Equal(status, order.Status);
                return order;
            }
            await Task.Delay(50);
        }
    }

    private async Task<int> PaidBillsAsync(Guid memberId)
    {
        await using var db = gateway.SystemDb();
        return await db.DuesBills.CountAsync(b => b.MemberId == memberId && b.Status == BillStatus.Paid);
    }

    private async Task<int> DuesPointEntriesAsync(Guid memberId)
    {
        await using var db = gateway.SystemDb();
        return await db.PointEntries.CountAsync(e => e.MemberId == memberId && e.Action == PointActions.DuesPayment);
    }

    [Fact]
    public async Task MemberPaysTwoMonths_ThroughWeChatPay_AndSeesThemPaid()
    {
        var (client, memberId, _) = await gateway.NewPayingMemberAsync("冯缴费");
        var overview = await Json(await client.GetAsync("/api/v1/dues"));
        Assert.Equal(3, overview.GetProperty("payable").GetArrayLength());
        Assert.Equal(8100, overview.GetProperty("monthlyFen").GetInt64());

        var months = new[] { DuesMonth.Add(Current, -2), DuesMonth.Add(Current, -1) };
        var order = await OrderAsync(client, months);
        Assert.Equal(16200, order.GetProperty("amountFen").GetInt64());
        var payment = order.GetProperty("requestPayment");
        Assert.StartsWith("prepay_id=", payment.GetProperty("package").GetString());
        Assert.Equal("RSA", payment.GetProperty("signType").GetString());
        Assert.Equal(10, payment.GetProperty("timeStamp").GetString()!.Length);
        var outTradeNo = order.GetProperty("outTradeNo").GetString()!;

        // The front end says "requestPayment:ok" - nothing changes until WeChat Pay confirms.
        Assert.Equal("Waiting", (await Json(await client.GetAsync($"/api/v1/dues/orders/{outTradeNo}"))).GetProperty("status").GetString());

        await PayAtWeChatAsync(outTradeNo);
        var paid = await WaitForStatusAsync(outTradeNo, PayOrderStatus.Paid);
        Assert.NotNull(paid.TransactionId);
        Assert.Equal(2, await PaidBillsAsync(memberId));
        Assert.Equal(1, await DuesPointEntriesAsync(memberId));

        var after = await Json(await client.GetAsync("/api/v1/dues"));
        Assert.Equal(1, after.GetProperty("payable").GetArrayLength());
        Assert.Equal(months[1], after.GetProperty("paidUpTo").GetInt32());
        await using var db = gateway.SystemDb();
        var record = await db.PayNotifications.FirstAsync(n => n.OutTradeNo == outTradeNo && n.Outcome == "processed");
        Assert.Contains("resource", record.RawBody);
        Assert.True(await db.ActivityRecords.AnyAsync(a => a.MemberId == memberId && a.Type == "dues.paid"));
    }

    [Fact]
    public async Task Prepay_IsLimitedToSixMonths_AndBackPayToTheLastSix()
    {
        var (client, _, _) = await gateway.NewPayingMemberAsync("陈预缴");
        var sixAhead = Enumerable.Range(1, 6).Select(i => DuesMonth.Add(Current, i)).ToArray();
        var ok = await OrderAsync(client, sixAhead);
        Assert.Equal(6 * 8100, ok.GetProperty("amountFen").GetInt64());

        var seventh = await client.PostAsJsonAsync("/api/v1/dues/orders", new { months = new[] { DuesMonth.Add(Current, 7) }, extraFen = 0 });
        Assert.Equal(HttpStatusCode.BadRequest, seventh.StatusCode);
        Assert.Equal("validation_failed", await ProblemCode(seventh));

        var tooOld = await client.PostAsJsonAsync("/api/v1/dues/orders", new { months = new[] { DuesMonth.Add(Current, -6) }, extraFen = 0 });
        Assert.Equal(HttpStatusCode.BadRequest, tooOld.StatusCode);

        var duplicateMonths = await client.PostAsJsonAsync("/api/v1/dues/orders", new { months = new[] { Current, Current }, extraFen = 0 });
        Assert.Equal(HttpStatusCode.BadRequest, duplicateMonths.StatusCode);
        var negativeExtra = await client.PostAsJsonAsync("/api/v1/dues/orders", new { months = new[] { Current }, extraFen = -1 });
        Assert.Equal(HttpStatusCode.BadRequest, negativeExtra.StatusCode);
    }

    [Fact]
    public async Task ARelative_PaysOnBehalf_WithoutBeingAMember()
    {
        var (memberId, idNumber) = await gateway.AddMemberAsync("褚代缴");
        await using (var db = gateway.SystemDb())
        {
            var member = await db.Members.Include(m => m.Organization).SingleAsync(m => m.Id == memberId);
            db.DuesStandards.Add(new DuesStandard { MemberId = memberId, Category = DuesCategory.Retired, BaseFen = 300000, RateBasisPoints = 50, AmountFen = 1500, EffectiveFrom = 202401 });
            db.DuesBills.Add(new DuesBill { MemberId = memberId, Month = Current, AmountFen = 1500, OrganizationId = member.OrganizationId, OrganizationPath = member.Organization!.Path });
            await db.SaveChangesAsync();
        }
        var (relative, _, _) = await gateway.LoginNewUserAsync();
        var lookup = await Json(await relative.PostAsJsonAsync("/api/v1/dues/on-behalf/lookup", new { name = "褚代缴", idNumber }));
        Assert.Equal(1, lookup.GetProperty("payable").GetArrayLength());
        var wrong = await relative.PostAsJsonAsync("/api/v1/dues/on-behalf/lookup", new { name = "褚代交", idNumber });
        Assert.Equal(HttpStatusCode.NotFound, wrong.StatusCode);

        var order = await OrderAsync(relative, [Current], extraFen: 500, onBehalf: new { name = "褚代缴", idNumber });
        Assert.Equal(2000, order.GetProperty("amountFen").GetInt64());
        var outTradeNo = order.GetProperty("outTradeNo").GetString()!;
        await PayAtWeChatAsync(outTradeNo);
        var paid = await WaitForStatusAsync(outTradeNo, PayOrderStatus.Paid);
        Assert.True(paid.PaidOnBehalf);
        Assert.Equal(500, paid.ExtraFen);
        Assert.Equal(1, await PaidBillsAsync(memberId));
    }

    [Fact]
    public async Task DuplicateAndOutOfOrderNotifications_PayEachOrderExactlyOnce()
    {
        var (client, memberId, _) = await gateway.NewPayingMemberAsync("卫重复");
        var first = (await OrderAsync(client, [DuesMonth.Add(Current, -2)])).GetProperty("outTradeNo").GetString()!;
        await gateway.Emulator.Control.PostAsJsonAsync("/_emulator/faults/notifications", new { duplicate = true, outOfOrder = true });
        var second = "";
        try
        {
            await PayAtWeChatAsync(first);
            await WaitForStatusAsync(first, PayOrderStatus.Paid);
            second = (await OrderAsync(client, [DuesMonth.Add(Current, -1)])).GetProperty("outTradeNo").GetString()!;
            await PayAtWeChatAsync(second);
            await WaitForStatusAsync(second, PayOrderStatus.Paid);
        }
        finally
        {
            await gateway.Emulator.Control.DeleteAsync("/_emulator/faults");
        }
        // Every copy (the duplicates, the held-back ones) answered: nothing about these orders is still on its way.
        await gateway.Emulator.NotificationsSettledAsync(first);
        await gateway.Emulator.NotificationsSettledAsync(second);
        Assert.Equal(2, await PaidBillsAsync(memberId));
        Assert.Equal(2, await DuesPointEntriesAsync(memberId));
        await using var db = gateway.SystemDb();
        Assert.True(await db.PayNotifications.CountAsync(n => n.OutTradeNo == first) >= 2);
    }

    [Fact]
    public async Task TwentyConcurrentCopiesOfOneNotification_PayOnce()
    {
        var (client, memberId, _) = await gateway.NewPayingMemberAsync("蒋并发");
        var outTradeNo = (await OrderAsync(client, [Current])).GetProperty("outTradeNo").GetString()!;
        await PayAtWeChatAsync(outTradeNo);
        await WaitForStatusAsync(outTradeNo, PayOrderStatus.Paid);

        // Replay the genuine, signed notification twenty times at once (as WeChat's retries could).
        PayNotificationRecord? original = null;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (original is null && DateTime.UtcNow < deadline)
        {
            await using var db = gateway.SystemDb();
            original = await db.PayNotifications.FirstOrDefaultAsync(n => n.OutTradeNo == outTradeNo && n.Outcome == "processed");
            await Task.Delay(original is null ? 50 : 0);
        }
        Assert.NotNull(original);
        // Reset the order to waiting as if the first delivery had not been processed yet.
        await using (var db = gateway.SystemDb())
        {
            await db.PayOrders.Where(o => o.OutTradeNo == outTradeNo).ExecuteUpdateAsync(o => o.SetProperty(x => x.Status, PayOrderStatus.Waiting));
            await db.DuesBills.Where(b => b.MemberId == memberId).ExecuteUpdateAsync(b => b.SetProperty(x => x.Status, BillStatus.Unpaid).SetProperty(x => x.PaidByOrderId, (Guid?)null));
        }
        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/pay/notify") { Content = new StringContent(original.RawBody, Encoding.UTF8, "application/json") };
            request.Headers.Add("Wechatpay-Timestamp", original.Timestamp);
            request.Headers.Add("Wechatpay-Nonce", original.Nonce);
            request.Headers.Add("Wechatpay-Signature", original.Signature);
            request.Headers.Add("Wechatpay-Serial", original.Serial);
            return gateway.Client.SendAsync(request);
        }));
        Assert.All(responses, r => Assert.True(r.IsSuccessStatusCode, r.StatusCode.ToString()));
        Assert.Equal(1, await PaidBillsAsync(memberId));
        Assert.Equal(1, await DuesPointEntriesAsync(memberId));
        await using var check = gateway.SystemDb();
        Assert.Equal(21, await check.PayNotifications.CountAsync(n => n.OutTradeNo == outTradeNo && (n.Outcome == "processed" || n.Outcome == "duplicate")));
        Assert.Equal(2, await check.PayNotifications.CountAsync(n => n.OutTradeNo == outTradeNo && n.Outcome == "processed"));
    }

    [Fact]
    public async Task ForgedNotifications_AreRejected_AndChangeNothing()
    {
        var (client, memberId, _) = await gateway.NewPayingMemberAsync("沈伪造");
        var outTradeNo = (await OrderAsync(client, [Current])).GetProperty("outTradeNo").GetString()!;
        var forged = new HttpRequestMessage(HttpMethod.Post, "/api/v1/pay/notify")
        {
            Content = new StringContent("{\"id\":\"x\",\"event_type\":\"TRANSACTION.SUCCESS\",\"resource\":{\"ciphertext\":\"AAAA\",\"nonce\":\"abcdefabcdef\",\"associated_data\":\"transaction\"}}", Encoding.UTF8, "application/json"),
        };
        forged.Headers.Add("Wechatpay-Timestamp", DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString());
        forged.Headers.Add("Wechatpay-Nonce", "n");
        forged.Headers.Add("Wechatpay-Signature", Convert.ToBase64String(new byte[256]));
        forged.Headers.Add("Wechatpay-Serial", gateway.Emulator.Config.GetProperty("platformPublicKeyId").GetString());
        var response = await gateway.Client.SendAsync(forged);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("FAIL", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());

        var noHeaders = await gateway.Client.PostAsync("/api/v1/pay/notify", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, noHeaders.StatusCode);
        var probe = await gateway.Emulator.Control.PostAsJsonAsync("/_emulator/probes/signtest", new { url = gateway.Url + "/api/v1/pay/notify" });
        Assert.True((await probe.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetInt32() >= 400);

        // A tampered delivery is refused and WeChat retries until a genuine one arrives.
        await gateway.Emulator.Control.PostAsJsonAsync("/_emulator/faults/notifications", new { corrupt = "tamper", corruptCount = 2 });
        await PayAtWeChatAsync(outTradeNo);
        await WaitForStatusAsync(outTradeNo, PayOrderStatus.Paid);
        await gateway.Emulator.Control.DeleteAsync("/_emulator/faults");
        Assert.Equal(1, await PaidBillsAsync(memberId));
        await using var db = gateway.SystemDb();
        Assert.True(await db.PayNotifications.CountAsync(n => n.Outcome == "rejected") >= 3);
    }

    [Fact]
    public async Task AnAmountMismatchedNotification_DoesNotPay_AndIsRecordedAsAnIssue()
    {
        var (client, memberId, _) = await gateway.NewPayingMemberAsync("韩金额");
        var outTradeNo = (await OrderAsync(client, [Current])).GetProperty("outTradeNo").GetString()!;
        // Our record of the amount differs from what WeChat charged (e.g. tampering with our database).
        await using (var db = gateway.SystemDb())
        {
            await db.PayOrders.Where(o => o.OutTradeNo == outTradeNo).ExecuteUpdateAsync(o => o.SetProperty(x => x.AmountFen, 1));
        }
        await PayAtWeChatAsync(outTradeNo);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        await using var check = gateway.SystemDb();
        while (!await check.DuesIssues.AnyAsync(i => i.OutTradeNo == outTradeNo && i.Kind == IssueKind.NotificationMismatch) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        Assert.True(await check.DuesIssues.AnyAsync(i => i.OutTradeNo == outTradeNo && i.Kind == IssueKind.NotificationMismatch));
        Assert.Equal(PayOrderStatus.Waiting, (await check.PayOrders.SingleAsync(o => o.OutTradeNo == outTradeNo)).Status);
        Assert.Equal(0, await PaidBillsAsync(memberId));
    }

    [Fact]
    public async Task ALostNotification_IsRecoveredByTheSyncJob()
    {
        var (client, memberId, _) = await gateway.NewPayingMemberAsync("杨丢失");
        var outTradeNo = (await OrderAsync(client, [Current])).GetProperty("outTradeNo").GetString()!;
        await gateway.Emulator.Control.PostAsJsonAsync("/_emulator/faults/notifications", new { corrupt = "wrong-serial", corruptCount = 1000 });
        try
        {
            await PayAtWeChatAsync(outTradeNo);
            await Task.Delay(300);
            await WaitForStatusAsync(outTradeNo, PayOrderStatus.Waiting, 1);
            await gateway.Services.GetRequiredService<DuesPaymentService>().SyncWaitingOrdersAsync();
        }
        finally
        {
            await gateway.Emulator.Control.DeleteAsync("/_emulator/faults");
        }
        await WaitForStatusAsync(outTradeNo, PayOrderStatus.Paid, 1);
        Assert.Equal(1, await PaidBillsAsync(memberId));
        Assert.Equal(1, await DuesPointEntriesAsync(memberId));
    }

    [Fact]
    public async Task AnExpiredOrder_IsClosed_AndItsMonthsCanBePaidAgain()
    {
        var (client, _, _) = await gateway.NewPayingMemberAsync("朱过期");
        var outTradeNo = (await OrderAsync(client, [Current])).GetProperty("outTradeNo").GetString()!;
        await using (var db = gateway.SystemDb())
        {
            await db.PayOrders.Where(o => o.OutTradeNo == outTradeNo).ExecuteUpdateAsync(o => o.SetProperty(x => x.ExpiresAt, DateTimeOffset.UtcNow.AddMinutes(-1)));
        }
        Assert.True(await gateway.Services.GetRequiredService<DuesPaymentService>().CloseExpiredOrdersAsync() >= 1);
        await WaitForStatusAsync(outTradeNo, PayOrderStatus.Closed, 1);
        var query = await gateway.Emulator.Control.GetFromJsonAsync<JsonElement>("/_emulator/log");
        Assert.NotEqual(JsonValueKind.Undefined, query.ValueKind);
        var again = await OrderAsync(client, [Current]);
        Assert.NotEqual(outTradeNo, again.GetProperty("outTradeNo").GetString());
    }

    [Fact]
    public async Task OrderingTheSameMonthsAgain_ReusesTheOpenOrder_AndOtherMonthsReplaceIt()
    {
        var (client, _, _) = await gateway.NewPayingMemberAsync("秦重下");
        var first = (await OrderAsync(client, [Current])).GetProperty("outTradeNo").GetString()!;
        Assert.Equal(first, (await OrderAsync(client, [Current])).GetProperty("outTradeNo").GetString());
        var replaced = (await OrderAsync(client, [Current, DuesMonth.Add(Current, -1)])).GetProperty("outTradeNo").GetString()!;
        Assert.NotEqual(first, replaced);
        await WaitForStatusAsync(first, PayOrderStatus.Closed, 1);
    }

    [Fact]
    public async Task Refund_RoundTrip_RevertsBills_AndReversesPoints()
    {
        var (client, memberId, _) = await gateway.NewPayingMemberAsync("尤退款");
        var outTradeNo = (await OrderAsync(client, [Current])).GetProperty("outTradeNo").GetString()!;
        await PayAtWeChatAsync(outTradeNo);
        await WaitForStatusAsync(outTradeNo, PayOrderStatus.Paid);
        var engine = gateway.Services.GetRequiredService<PointsEngine>();
        var balanceAfterPay = await engine.BalanceAsync(memberId);

        var secretary = await gateway.AsConsoleUser<DuesRefundService>(DemoIdentities.BranchSecretary);
        var refundId = await secretary.RequestAsync(outTradeNo, "重复缴纳");
        var self = await Assert.ThrowsAsync<Core.Common.AppException>(() => secretary.ApproveAsync(refundId));
        Assert.Equal("forbidden", self.Code);
        var otherTownship = await gateway.AsConsoleUser<DuesRefundService>("town02");
        await Assert.ThrowsAsync<Core.Common.AppException>(() => otherTownship.ApproveAsync(refundId));

        var township = await gateway.AsConsoleUser<DuesRefundService>(DemoIdentities.TownshipAdmin);
        await township.ApproveAsync(refundId);
        var refunded = await WaitForStatusAsync(outTradeNo, PayOrderStatus.Refunded);
        Assert.Equal(0, await PaidBillsAsync(memberId));
        await using var db = gateway.SystemDb();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await db.PointEntries.AnyAsync(e => e.MemberId == memberId && e.Action == PointActions.Reversal) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        Assert.True(await engine.BalanceAsync(memberId) < balanceAfterPay);
        Assert.Equal(RefundStatus.Succeeded, (await db.DuesRefunds.SingleAsync(r => r.Id == refundId)).Status);
        Assert.Equal(1, await db.PointEntries.CountAsync(e => e.MemberId == memberId && e.Action == PointActions.Reversal));
        Assert.Equal(refunded.AmountFen, (await db.DuesRefunds.SingleAsync(r => r.Id == refundId)).AmountFen);
    }

    [Fact]
    public async Task Refund_ApprovedByTwoAtOnce_IsDecidedOnce_AndRefundsOnce()
    {
        var (memberId, outTradeNo, refundId) = await RefundRequestedAsync("双审批");

        var township = await gateway.AsConsoleUser<DuesRefundService>(DemoIdentities.TownshipAdmin);
        var district = await gateway.AsConsoleUser<DuesRefundService>(DemoIdentities.DistrictAdmin);
        var outcomes = await Task.WhenAll(new[] { township, district }.Select(async approver =>
        {
            try
            {
                await approver.ApproveAsync(refundId);
                return "approved";
            }
            catch (Core.Common.AppException ex)
            {
                return ex.Code;
            }
        }));

        Assert.Single(outcomes, o => o == "approved");
        Assert.Single(outcomes, o => o is "refund_not_pending" or "refund_not_allowed");
        await WaitForStatusAsync(outTradeNo, PayOrderStatus.Refunded);
        await using var db = gateway.SystemDb();
        var refund = await db.DuesRefunds.SingleAsync(r => r.Id == refundId);
        Assert.Equal(RefundStatus.Succeeded, refund.Status);
        Assert.Contains(refund.DecidedBy, new[] { DemoIdentities.TownshipAdmin, DemoIdentities.DistrictAdmin });
        Assert.Equal(0, await PaidBillsAsync(memberId));
    }

    [Fact]
    public async Task Refund_ReversalLostToACrash_IsMadeByTheSyncJob_Once()
    {
        var (memberId, outTradeNo, refundId) = await RefundRequestedAsync("冲正补");
        await (await gateway.AsConsoleUser<DuesRefundService>(DemoIdentities.TownshipAdmin)).ApproveAsync(refundId);
        await WaitForStatusAsync(outTradeNo, PayOrderStatus.Refunded);
        await using var db = gateway.SystemDb();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await db.PointEntries.AnyAsync(e => e.MemberId == memberId && e.Action == PointActions.Reversal) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        var engine = gateway.Services.GetRequiredService<PointsEngine>();
        var balanceAfterRefund = await engine.BalanceAsync(memberId);

        // The process died after the refund committed and before the reversal was written.
        await db.PointEntries.Where(e => e.MemberId == memberId && e.Action == PointActions.Reversal).ExecuteDeleteAsync();
        Assert.True(await engine.BalanceAsync(memberId) > balanceAfterRefund);

        var sync = gateway.Services.GetRequiredService<DuesRefundService>();
        await sync.SyncAsync();
        await sync.SyncAsync();
        Assert.Equal(1, await db.PointEntries.CountAsync(e => e.MemberId == memberId && e.Action == PointActions.Reversal));
        Assert.Equal(balanceAfterRefund, await engine.BalanceAsync(memberId));
    }

    [Fact]
    public async Task ARefundRequestedByTheDistrict_IsDecidedByAnotherDistrictUser_NeverByTheRequesterOrALowerRole()
    {
        var (memberId, outTradeNo) = await PaidOrderAsync("区级退");
        var district = await gateway.AsConsoleUser<DuesRefundService>(DemoIdentities.DistrictAdmin);
        var refundId = await district.RequestAsync(outTradeNo, "重复缴纳");

        var self = await Assert.ThrowsAsync<Core.Common.AppException>(() => district.ApproveAsync(refundId));
        Assert.Equal("forbidden", self.Code);
        Assert.Contains("申请人不能审批自己的", self.Message);
        var township = await gateway.AsConsoleUser<DuesRefundService>(DemoIdentities.TownshipAdmin);
        var lower = await Assert.ThrowsAsync<Core.Common.AppException>(() => township.ApproveAsync(refundId));
        Assert.Contains("区委组织部的其他管理员", lower.Message);
        Assert.DoesNotContain("申请人不能审批自己的", lower.Message);
        await Assert.ThrowsAsync<Core.Common.AppException>(() => township.RejectAsync(refundId, "不同意"));
        // The list offers the decision only to whom the rule lets decide, and the withdrawal only to the requester.
        var asRequester = (await district.ListAsync(RefundStatus.Requested, 1, 100)).Items.Single(r => r.Id == refundId);
        Assert.Equal((false, true), (asRequester.CanDecide, asRequester.CanWithdraw));
        var asTownship = (await township.ListAsync(RefundStatus.Requested, 1, 100)).Items.Single(r => r.Id == refundId);
        Assert.Equal((false, false), (asTownship.CanDecide, asTownship.CanWithdraw));
        var branch = await gateway.AsConsoleUser<DuesRefundService>(DemoIdentities.BranchSecretary);
        var asBranch = (await branch.ListAsync(null, 1, 100)).Items.Single(r => r.Id == refundId);
        Assert.Equal((false, false), (asBranch.CanDecide, asBranch.CanWithdraw));
        Assert.Contains("区委组织部的其他管理员", (await Assert.ThrowsAsync<Core.Common.AppException>(() => branch.ApproveAsync(refundId))).Message);

        var colleague = await gateway.AsConsoleUser<DuesRefundService>(await gateway.AddDistrictUserAsync());
        Assert.True((await colleague.ListAsync(RefundStatus.Requested, 1, 100)).Items.Single(r => r.Id == refundId).CanDecide);
        await colleague.ApproveAsync(refundId);
        await WaitForStatusAsync(outTradeNo, PayOrderStatus.Refunded);
        Assert.Equal(0, await PaidBillsAsync(memberId));
    }

    [Fact]
    public async Task ARequester_WithdrawsAPendingRefund_AndTheOrderMayBeAskedForAgain_UnderANumberDerivedFromTheOrder()
    {
        var (_, outTradeNo) = await PaidOrderAsync("撤回退");
        var district = await gateway.AsConsoleUser<DuesRefundService>(DemoIdentities.DistrictAdmin);
        var first = await district.RequestAsync(outTradeNo, "误操作");
        var again = await Assert.ThrowsAsync<Core.Common.AppException>(() => district.RequestAsync(outTradeNo, "再次申请"));
        Assert.Equal("refund_exists", again.Code);

        var other = await gateway.AsConsoleUser<DuesRefundService>(await gateway.AddDistrictUserAsync());
        Assert.Equal("forbidden", (await Assert.ThrowsAsync<Core.Common.AppException>(() => other.WithdrawAsync(first))).Code);
        await district.WithdrawAsync(first);
        Assert.Equal("refund_not_pending", (await Assert.ThrowsAsync<Core.Common.AppException>(() => district.WithdrawAsync(first))).Code);
        Assert.Equal("refund_not_pending", (await Assert.ThrowsAsync<Core.Common.AppException>(() => other.ApproveAsync(first))).Code);

        var second = await district.RequestAsync(outTradeNo, "确需退款");
        await using var db = gateway.SystemDb();
        var refunds = await db.DuesRefunds.AsNoTracking().Where(r => r.Id == first || r.Id == second).ToDictionaryAsync(r => r.Id);
        Assert.Equal(RefundStatus.Withdrawn, refunds[first].Status);
        Assert.Equal(RefundStatus.Requested, refunds[second].Status);
        Assert.Equal(outTradeNo + "-R1", refunds[first].OutRefundNo);
        Assert.Equal(outTradeNo + "-R2", refunds[second].OutRefundNo);
        Assert.All(refunds.Values, r => Assert.Matches("^[0-9A-Za-z_|*@-]{1,64}$", r.OutRefundNo));
        Assert.True((await other.ListAsync(null, 1, 100)).Items.Single(r => r.Id == second).CanDecide);
    }

    [Fact]
    public void RefundNumbers_AreTheOrderNumberAndASequence_WithinWeChatsRule()
    {
        var longest = new string('9', 32);
        Assert.Equal("D20261203120000-R1", DuesRefundService.RefundNumber("D20261203120000", 1));
        Assert.Equal(longest + "-R12", DuesRefundService.RefundNumber(longest, 12));
        Assert.Matches("^[0-9A-Za-z_|*@-]{1,64}$", DuesRefundService.RefundNumber(longest, 999));
    }

    private async Task<(Guid MemberId, string OutTradeNo)> PaidOrderAsync(string name)
    {
        var (client, memberId, _) = await gateway.NewPayingMemberAsync(name);
        var outTradeNo = (await OrderAsync(client, [Current])).GetProperty("outTradeNo").GetString()!;
        await PayAtWeChatAsync(outTradeNo);
        await WaitForStatusAsync(outTradeNo, PayOrderStatus.Paid);
        return (memberId, outTradeNo);
    }

    /// <summary>A new member's current month paid through WeChat Pay, and a refund of it requested by the branch secretary.</summary>
    private async Task<(Guid MemberId, string OutTradeNo, Guid RefundId)> RefundRequestedAsync(string name)
    {
        var (client, memberId, _) = await gateway.NewPayingMemberAsync(name);
        var outTradeNo = (await OrderAsync(client, [Current])).GetProperty("outTradeNo").GetString()!;
        await PayAtWeChatAsync(outTradeNo);
        await WaitForStatusAsync(outTradeNo, PayOrderStatus.Paid);
        var secretary = await gateway.AsConsoleUser<DuesRefundService>(DemoIdentities.BranchSecretary);
        return (memberId, outTradeNo, await secretary.RequestAsync(outTradeNo, "重复缴纳"));
    }
}
