using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using EBranch.Core.WeChat.MiniProgram;
using Microsoft.Extensions.Options;

namespace EBranch.Core.WeChat.Pay;

/// <summary>WeChat Pay API v3 (direct merchant): JSAPI orders, query, close, refunds and trade bills. Every 2xx answer is verified.</summary>
public sealed class WeChatPayClient(
    WeChatPayTransport transport,
    WeChatPayVerifier verifier,
    WeChatPaySigner signer,
    IOptions<WeChatPayOptions> options,
    IOptions<MiniProgramOptions> miniProgram)
{
    private readonly WeChatPayOptions _options = options.Value;

    /// <summary>Creates the order and the signed <c>wx.requestPayment</c> parameters. Retries reuse the same out_trade_no.</summary>
    public async Task<JsapiPayment> CreateJsapiOrderAsync(JsapiOrderRequest order, CancellationToken cancellationToken = default)
    {
        var appId = order.AppId ?? miniProgram.Value.AppId;
        var body = new
        {
            appid = appId,
            mchid = _options.MchId,
            description = order.Description,
            out_trade_no = order.OutTradeNo,
            time_expire = order.TimeExpire?.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
            attach = order.Attach,
            notify_url = order.NotifyUrl ?? _options.NotifyUrl,
            amount = new { total = order.TotalFen, currency = "CNY" },
            payer = new { openid = order.PayerOpenId },
        };
        using var json = await CallJsonAsync(HttpMethod.Post, "/v3/pay/transactions/jsapi", body, cancellationToken);
        var prepayId = json.RootElement.GetProperty("prepay_id").GetString()!;
        return new JsapiPayment(prepayId, signer.CreateRequestPayment(appId, prepayId));
    }

    public async Task<PayTransaction> QueryOrderAsync(string outTradeNo, CancellationToken cancellationToken = default)
    {
        using var json = await CallJsonAsync(HttpMethod.Get, $"/v3/pay/transactions/out-trade-no/{Uri.EscapeDataString(outTradeNo)}?mchid={_options.MchId}", null, cancellationToken);
        return json.Deserialize<PayTransaction>(WeChatJson.Options)!;
    }

    /// <summary>Closes an unpaid order (WeChat answers 204, still signed).</summary>
    public async Task CloseOrderAsync(string outTradeNo, CancellationToken cancellationToken = default) =>
        await CallAsync(HttpMethod.Post, $"/v3/pay/transactions/out-trade-no/{Uri.EscapeDataString(outTradeNo)}/close", new { mchid = _options.MchId }, cancellationToken);

    public async Task<PayRefund> RefundAsync(RefundRequest refund, CancellationToken cancellationToken = default)
    {
        var body = new
        {
            out_trade_no = refund.OutTradeNo,
            out_refund_no = refund.OutRefundNo,
            reason = refund.Reason,
            notify_url = refund.NotifyUrl ?? _options.NotifyUrl,
            amount = new { refund = refund.RefundFen, total = refund.TotalFen, currency = "CNY" },
        };
        using var json = await CallJsonAsync(HttpMethod.Post, "/v3/refund/domestic/refunds", body, cancellationToken);
        return json.Deserialize<PayRefund>(WeChatJson.Options)!;
    }

    public async Task<PayRefund> QueryRefundAsync(string outRefundNo, CancellationToken cancellationToken = default)
    {
        using var json = await CallJsonAsync(HttpMethod.Get, $"/v3/refund/domestic/refunds/{Uri.EscapeDataString(outRefundNo)}", null, cancellationToken);
        return json.Deserialize<PayRefund>(WeChatJson.Options)!;
    }

    /// <summary>Downloads the day's trade bill (bill_type ALL) and checks its SHA1; throws <see cref="WeChatPayBillHashMismatchException"/>.</summary>
    public async Task<byte[]> DownloadTradeBillAsync(DateOnly billDate, CancellationToken cancellationToken = default)
    {
        var path = $"/v3/bill/tradebill?bill_date={billDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}&bill_type=ALL";
        using var json = await CallJsonAsync(HttpMethod.Get, path, null, cancellationToken);
        var root = json.RootElement;
        var url = new Uri(root.GetProperty("download_url").GetString()!);
        // The file itself is not signed: its integrity is the announced hash.
        var file = await transport.SendAsync(HttpMethod.Get, url, null, cancellationToken);
        file.ThrowOnError();
        var expected = root.GetProperty("hash_value").GetString() ?? "";
        var actual = Convert.ToHexStringLower(SHA1.HashData(file.Body));
        if (!string.Equals(expected, actual, StringComparison.OrdinalIgnoreCase))
        {
            throw new WeChatPayBillHashMismatchException(expected, actual);
        }
        return file.Body;
    }

    public async Task<TradeBill> GetTradeBillAsync(DateOnly billDate, CancellationToken cancellationToken = default) =>
        TradeBillParser.Parse(await DownloadTradeBillAsync(billDate, cancellationToken));

    private async Task<JsonDocument> CallJsonAsync(HttpMethod method, string pathAndQuery, object? body, CancellationToken cancellationToken) =>
        JsonDocument.Parse((await CallAsync(method, pathAndQuery, body, cancellationToken)).Body);

    private async Task<WeChatPayResponse> CallAsync(HttpMethod method, string pathAndQuery, object? body, CancellationToken cancellationToken)
    {
        var json = body is null ? null : JsonSerializer.Serialize(body, WeChatJson.Options);
        var response = await transport.SendAsync(method, pathAndQuery, json, cancellationToken);
        response.ThrowOnError();
        await verifier.VerifyAsync(response.Headers, response.Body, cancellationToken);
        if (response.Status == HttpStatusCode.NoContent && method == HttpMethod.Get)
        {
            throw new WeChatPayException(response.Status, "NO_CONTENT", "Expected a body", null);
        }
        return response;
    }
}
