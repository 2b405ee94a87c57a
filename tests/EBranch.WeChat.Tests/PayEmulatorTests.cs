using System.Net;
using EBranch.Core.WeChat.Pay;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace EBranch.WeChat.Tests;

[Collection(EmulatorCollection.Name)]
public class PayEmulatorTests(EmulatorFixture emulator)
{
    private WeChatPayClient Client => emulator.Product.GetRequiredService<WeChatPayClient>();

    private static string NewTradeNo() => "T" + Guid.NewGuid().ToString("N")[..20];

    private async Task<(string OutTradeNo, JsapiPayment Payment)> NewOrderAsync(long fen = 1234)
    {
        var (openId, _) = await emulator.NewUserAsync();
        var outTradeNo = NewTradeNo();
        var payment = await Client.CreateJsapiOrderAsync(new JsapiOrderRequest("党费,2024年5月", outTradeNo, fen, openId) { Attach = "dues" });
        return (outTradeNo, payment);
    }

    private async Task<PayNotification<PayTransaction>> WaitForPaymentAsync(string outTradeNo)
    {
        await EmulatorFixture.WaitUntilAsync(() => Task.FromResult(emulator.Transactions.Any(t => t.Resource.OutTradeNo == outTradeNo)), "the payment notification");
        await EmulatorFixture.WaitUntilAsync(async () => (await emulator.NotificationsAsync(outTradeNo)).All(n => n.GetProperty("acknowledged").GetBoolean()), "the acknowledgement");
        return emulator.Transactions.First(t => t.Resource.OutTradeNo == outTradeNo);
    }

    [Fact]
    public async Task Order_IsPaidNotifiedAndAcknowledged_WhenPayerPays()
    {
        var (outTradeNo, payment) = await NewOrderAsync();
        Assert.Equal("prepay_id=" + payment.PrepayId, payment.RequestPayment.Package);

        await emulator.PostControlAsync($"/_emulator/orders/{outTradeNo}/pay", new { outcome = "success" });
        var notification = await WaitForPaymentAsync(outTradeNo);

        Assert.Equal(("TRANSACTION.SUCCESS", "SUCCESS", 1234L), (notification.EventType, notification.Resource.TradeState, notification.Resource.Amount!.Total));
        var query = await Client.QueryOrderAsync(outTradeNo);
        Assert.True(query.IsPaid);
        Assert.Equal(notification.Resource.TransactionId, query.TransactionId);
    }

    [Theory]
    [InlineData("tamper")]
    [InlineData("wrong-serial")]
    [InlineData("stale-timestamp")]
    [InlineData("signtest")]
    public async Task Notification_IsRejectedAndRetried_WhenNotAuthentic(string corruption)
    {
        var (outTradeNo, _) = await NewOrderAsync();
        await emulator.PostControlAsync("/_emulator/faults/notifications", new { corrupt = corruption, corruptCount = 2 });

        await emulator.PostControlAsync($"/_emulator/orders/{outTradeNo}/pay");
        await WaitForPaymentAsync(outTradeNo);

        var attempts = (await emulator.NotificationsAsync(outTradeNo)).Single().GetProperty("attempts").EnumerateArray().ToList();
        Assert.Equal(3, attempts.Count);
        Assert.All(attempts.Take(2), a => Assert.InRange(a.GetProperty("status").GetInt32(), 400, 499));
        Assert.InRange(attempts[2].GetProperty("status").GetInt32(), 200, 299);
    }

    [Fact]
    public async Task SignTestProbe_IsRejectedWith4xx()
    {
        var probe = await emulator.PostControlAsync("/_emulator/probes/signtest", new { url = emulator.ReceiverUrl + "/pay/notify" });
        Assert.InRange(probe.GetProperty("status").GetInt32(), 400, 499);
    }

    [Theory]
    [InlineData("public-key")]
    [InlineData("certificate")]
    public async Task Responses_Verify_WhenSignedWithEitherSerialKind(string mode)
    {
        var (outTradeNo, _) = await NewOrderAsync();
        await emulator.PostControlAsync("/_emulator/pay/signing-mode", new { mode });
        try
        {
            var order = await Client.QueryOrderAsync(outTradeNo);
            Assert.Equal("NOTPAY", order.TradeState);
            await emulator.PostControlAsync($"/_emulator/orders/{outTradeNo}/pay");
            Assert.Equal("SUCCESS", (await WaitForPaymentAsync(outTradeNo)).Resource.TradeState);
        }
        finally
        {
            await emulator.PostControlAsync("/_emulator/pay/signing-mode", new { mode = "public-key" });
        }
    }

    [Fact]
    public async Task Close_Succeeds_WhenEmulatorAnswers204Signed()
    {
        var (outTradeNo, _) = await NewOrderAsync();
        await Client.CloseOrderAsync(outTradeNo);
        Assert.Equal("CLOSED", (await Client.QueryOrderAsync(outTradeNo)).TradeState);
    }

    [Fact]
    public async Task Query_ThrowsOrderNotExist_WhenUnknown()
    {
        var error = await Assert.ThrowsAsync<WeChatPayException>(() => Client.QueryOrderAsync(NewTradeNo()));
        Assert.Equal((HttpStatusCode.NotFound, "ORDER_NOT_EXIST"), (error.Status, error.Code));
    }

    [Fact]
    public async Task Refund_IsNotifiedAndQueryable_WhenOrderWasPaid()
    {
        var (outTradeNo, _) = await NewOrderAsync(5000);
        await emulator.PostControlAsync($"/_emulator/orders/{outTradeNo}/pay");
        await WaitForPaymentAsync(outTradeNo);
        var outRefundNo = "R" + outTradeNo;

        var refund = await Client.RefundAsync(new RefundRequest(outTradeNo, outRefundNo, 2000, 5000) { NotifyUrl = emulator.ReceiverUrl + "/refund/notify" });

        Assert.Equal(2000, refund.Amount!.Refund);
        await EmulatorFixture.WaitUntilAsync(() => Task.FromResult(emulator.Refunds.Any(r => r.Resource.OutRefundNo == outRefundNo)), "the refund notification");
        var notice = emulator.Refunds.First(r => r.Resource.OutRefundNo == outRefundNo);
        Assert.Equal(("REFUND.SUCCESS", "SUCCESS", 2000L), (notice.EventType, notice.Resource.RefundStatus, notice.Resource.Amount!.Refund));
        Assert.Equal("SUCCESS", (await Client.QueryRefundAsync(outRefundNo)).Status);
    }

    [Fact]
    public async Task TradeBill_IsDownloadedAndParsed_WhenHashMatches()
    {
        var (outTradeNo, _) = await NewOrderAsync(888);
        await emulator.PostControlAsync($"/_emulator/orders/{outTradeNo}/pay");
        await WaitForPaymentAsync(outTradeNo);

        var bill = await Client.GetTradeBillAsync(Today());

        var row = Assert.Single(bill.Rows, r => r.OutTradeNo == outTradeNo);
        Assert.Equal((888L, "党费,2024年5月", "SUCCESS"), (row.SettlementTotalFen, row.ItemName, row.TradeState));
        Assert.Equal(bill.Rows.Count, bill.Summary!.TradeCount);
    }

    [Fact]
    public async Task TradeBill_ThrowsHashMismatch_WhenAnnouncedSha1IsWrong()
    {
        var date = Today().AddDays(-3);
        await emulator.PostControlAsync($"/_emulator/bills/{date:yyyy-MM-dd}/mismatches", new { kind = "hash" });
        await Assert.ThrowsAsync<WeChatPayBillHashMismatchException>(() => Client.DownloadTradeBillAsync(date));
    }

    [Fact]
    public async Task Order_IsRetriedWithSameOutTradeNo_WhenEmulatorAnswers5xx()
    {
        var (openId, _) = await emulator.NewUserAsync();
        var outTradeNo = NewTradeNo();
        var before = await emulator.CallCountAsync("/v3/pay/transactions/jsapi");
        await emulator.PostControlAsync("/_emulator/faults/fail-next", new { count = 2, status = 500 });

        await Client.CreateJsapiOrderAsync(new JsapiOrderRequest("党费", outTradeNo, 100, openId));

        Assert.Equal(3, await emulator.CallCountAsync("/v3/pay/transactions/jsapi") - before);
        Assert.Equal("NOTPAY", (await Client.QueryOrderAsync(outTradeNo)).TradeState);
    }

    [Fact]
    public async Task Order_IsNotRetried_WhenEmulatorAnswers4xx()
    {
        var (openId, _) = await emulator.NewUserAsync();
        var before = await emulator.CallCountAsync("/v3/pay/transactions/jsapi");

        var error = await Assert.ThrowsAsync<WeChatPayException>(() => Client.CreateJsapiOrderAsync(new JsapiOrderRequest("党费", "bad", 100, openId)));

        Assert.Equal(("PARAM_ERROR", "out_trade_no"), (error.Code, error.Detail?.Field));
        Assert.Equal(1, await emulator.CallCountAsync("/v3/pay/transactions/jsapi") - before);
    }

    [Fact]
    public async Task Request_IsRejectedWithSignError_WhenClockIsOffMoreThanFiveMinutes()
    {
        var (openId, _) = await emulator.NewUserAsync();
        var skewed = new FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(-6));
        using var product = emulator.NewProduct(s => s.AddSingleton<TimeProvider>(skewed));
        var error = await Assert.ThrowsAsync<WeChatPayException>(() =>
            product.GetRequiredService<WeChatPayClient>().CreateJsapiOrderAsync(new JsapiOrderRequest("党费", NewTradeNo(), 100, openId)));
        Assert.Equal((HttpStatusCode.Unauthorized, "SIGN_ERROR"), (error.Status, error.Code));
    }

    private static DateOnly Today() => DateOnly.FromDateTime(DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).DateTime);
}
