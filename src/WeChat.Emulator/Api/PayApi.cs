using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using EBranch.WeChat.Emulator.Core;
using Microsoft.AspNetCore.Http.Features;

namespace EBranch.WeChat.Emulator.Api;

/// <summary>api.mch.weixin.qq.com /v3: every request must carry the merchant's signature; every answer is platform-signed.</summary>
public static partial class PayApi
{
    private const string RawBodyKey = "emulator.raw-body";

    public static void MapPayApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v3/certificates", Certificates);
        app.MapPost("/v3/pay/transactions/jsapi", CreateJsapiOrder);
        app.MapGet("/v3/pay/transactions/out-trade-no/{outTradeNo}", QueryOrder);
        app.MapPost("/v3/pay/transactions/out-trade-no/{outTradeNo}/close", CloseOrder);
        app.MapPost("/v3/refund/domestic/refunds", CreateRefund);
        app.MapGet("/v3/refund/domestic/refunds/{outRefundNo}", QueryRefund);
        app.MapGet("/v3/bill/tradebill", TradeBill);
        app.MapGet("/v3/billdownload/file", DownloadBill);
    }

    /// <summary>Rejects /v3 requests without a valid merchant signature (401 SIGN_ERROR) and keeps the raw body for handlers.</summary>
    public static async Task RequireMerchantSignature(HttpContext context, Func<Task> next)
    {
        if (!context.Request.Path.StartsWithSegments("/v3"))
        {
            await next();
            return;
        }
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        context.Items[RawBodyKey] = body;
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path + context.Request.QueryString;
        var problem = context.RequestServices.GetRequiredService<PaySignature>()
            .CheckMerchant(context.Request.Method, rawTarget, context.Request.Headers.Authorization.FirstOrDefault(), body);
        if (problem is not null)
        {
            await SignedPayResult.Error(401, "SIGN_ERROR", $"签名错误: {problem}").ExecuteAsync(context);
            return;
        }
        await next();
    }

    private static JsonElement Body(HttpContext context) =>
        JsonDocument.Parse(context.Items[RawBodyKey] as byte[] is { Length: > 0 } raw ? raw : "{}"u8.ToArray()).RootElement;

    private static IResult Certificates(EmulatorKeys keys, PaySignature signature)
    {
        var (nonce, ciphertext) = signature.Encrypt(keys.PlatformCertificatePem, "certificate");
        return new SignedPayResult(200, new
        {
            data = new[]
            {
                new
                {
                    serial_no = keys.PlatformCertificateSerial,
                    effective_time = EmulatorClock.Rfc3339(keys.PlatformCertificate.NotBefore),
                    expire_time = EmulatorClock.Rfc3339(keys.PlatformCertificate.NotAfter),
                    encrypt_certificate = new { algorithm = "AEAD_AES_256_GCM", associated_data = "certificate", nonce, ciphertext },
                },
            },
        });
    }

    private static IResult CreateJsapiOrder(HttpContext context, EmulatorState state, EmulatorSettings settings, EmulatorClock clock)
    {
        var body = Body(context);
        var appId = Str(body, "appid");
        var mchId = Str(body, "mchid");
        var outTradeNo = Str(body, "out_trade_no") ?? "";
        var description = Str(body, "description") ?? "";
        var notifyUrl = Str(body, "notify_url") ?? "";
        var total = body.TryGetProperty("amount", out var amount) && amount.TryGetProperty("total", out var t) && t.TryGetInt64(out var fen) ? fen : -1;
        var openId = body.TryGetProperty("payer", out var payer) ? Str(payer, "openid") : null;
        if (appId != settings.AppId || mchId != settings.MchId)
        {
            return SignedPayResult.Error(400, "APPID_MCHID_NOT_MATCH", "appid和mch_id不匹配");
        }
        if (!OutTradeNoPattern().IsMatch(outTradeNo))
        {
            return ParamError("out_trade_no", outTradeNo, "6-32 characters of 0-9 A-Z a-z _ - | *");
        }
        if (description.Length is 0 or > 127)
        {
            return ParamError("description", description, "1-127 characters");
        }
        if (total <= 0)
        {
            return ParamError("amount.total", total.ToString(System.Globalization.CultureInfo.InvariantCulture), "a positive integer number of fen");
        }
        if (!Uri.TryCreate(notifyUrl, UriKind.Absolute, out var notify) || notify.Query.Length > 0 || (settings.RequireHttpsNotifyUrl && notify.Scheme != "https"))
        {
            return ParamError("notify_url", notifyUrl, "an absolute https URL without a query");
        }
        var fingerprint = string.Join("|", appId, description, total, openId, notifyUrl, Str(body, "attach"));
        return state.Locked(() =>
        {
            if (openId is null || !state.Users.ContainsKey(openId))
            {
                return ParamError("payer.openid", openId ?? "", "an openid of this appid");
            }
            if (state.Orders.TryGetValue(outTradeNo, out var existing))
            {
                if (existing.State is "SUCCESS" or "REFUND")
                {
                    return SignedPayResult.Error(400, "ORDERPAID", "该订单已支付");
                }
                if (existing.State == "CLOSED")
                {
                    return SignedPayResult.Error(400, "ORDER_CLOSED", "订单已关闭");
                }
                if (existing.Fingerprint != fingerprint)
                {
                    return SignedPayResult.Error(403, "OUT_TRADE_NO_USED", "商户订单号重复");
                }
            }
            else
            {
                state.Orders[outTradeNo] = new EmulatedOrder
                {
                    AppId = appId!, MchId = mchId!, OutTradeNo = outTradeNo, Description = description, Total = total, OpenId = openId,
                    NotifyUrl = notifyUrl, Attach = Str(body, "attach"), Fingerprint = fingerprint, CreatedAt = clock.Now,
                };
            }
            return new SignedPayResult(200, new { prepay_id = "wx" + clock.ChinaNow.ToString("ddHHmmss", System.Globalization.CultureInfo.InvariantCulture) + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)) });
        });
    }

    private static IResult QueryOrder(string outTradeNo, string? mchid, EmulatorState state, EmulatorSettings settings) =>
        mchid != settings.MchId
            ? SignedPayResult.Error(400, "PARAM_ERROR", "mchid is required and must be this merchant")
            : state.Locked(() => state.Orders.TryGetValue(outTradeNo, out var order)
                ? new SignedPayResult(200, TransactionView(order))
                : SignedPayResult.Error(404, "ORDER_NOT_EXIST", "订单不存在"));

    public static object TransactionView(EmulatedOrder order) => new
    {
        appid = order.AppId,
        mchid = order.MchId,
        out_trade_no = order.OutTradeNo,
        transaction_id = order.TransactionId.Length > 0 ? order.TransactionId : null,
        trade_type = "JSAPI",
        trade_state = order.State,
        trade_state_desc = order.StateDesc,
        bank_type = order.SuccessTime is null ? null : "OTHERS",
        attach = order.Attach ?? "",
        success_time = order.SuccessTime is { } at ? EmulatorClock.Rfc3339(at) : null,
        payer = new { openid = order.OpenId },
        amount = new { total = order.Total, payer_total = order.SuccessTime is null ? (long?)null : order.Total, currency = "CNY", payer_currency = "CNY" },
    };

    private static IResult CloseOrder(string outTradeNo, HttpContext context, EmulatorState state, EmulatorSettings settings)
    {
        if (Str(Body(context), "mchid") != settings.MchId)
        {
            return ParamError("mchid", "", "this merchant's mchid");
        }
        return state.Locked(() =>
        {
            if (!state.Orders.TryGetValue(outTradeNo, out var order))
            {
                return SignedPayResult.Error(404, "ORDER_NOT_EXIST", "订单不存在");
            }
            if (order.State is "SUCCESS" or "REFUND")
            {
                return SignedPayResult.Error(400, "ORDERPAID", "订单已支付");
            }
            order.State = "CLOSED";
            order.StateDesc = "订单已关闭";
            return new SignedPayResult(204, null);
        });
    }

    private static IResult CreateRefund(HttpContext context, EmulatorState state, EmulatorSettings settings, EmulatorClock clock, PaymentDesk desk)
    {
        var body = Body(context);
        var outRefundNo = Str(body, "out_refund_no") ?? "";
        var outTradeNo = Str(body, "out_trade_no");
        var transactionId = Str(body, "transaction_id");
        var amount = body.TryGetProperty("amount", out var a) ? a : default;
        var refund = amount.ValueKind == JsonValueKind.Object && amount.TryGetProperty("refund", out var r) ? r.GetInt64() : 0;
        var total = amount.ValueKind == JsonValueKind.Object && amount.TryGetProperty("total", out var t) ? t.GetInt64() : 0;
        if (!OutRefundNoPattern().IsMatch(outRefundNo))
        {
            return ParamError("out_refund_no", outRefundNo, "6-64 characters of 0-9 A-Z a-z _ - | * @");
        }
        var created = state.Locked(() =>
        {
            if (state.Refunds.TryGetValue(outRefundNo, out var same))
            {
                return ((EmulatedRefund?)same, (IResult?)null);
            }
            var order = state.Orders.Values.FirstOrDefault(o => o.OutTradeNo == outTradeNo || (transactionId is not null && o.TransactionId == transactionId));
            if (order is null)
            {
                return (null, SignedPayResult.Error(404, "RESOURCE_NOT_EXISTS", "订单不存在"));
            }
            if (order.State is not ("SUCCESS" or "REFUND"))
            {
                return (null, SignedPayResult.Error(400, "INVALID_REQUEST", "订单未支付，不能退款"));
            }
            if (total != order.Total)
            {
                return (null, ParamError("amount.total", total.ToString(System.Globalization.CultureInfo.InvariantCulture), "the order's total"));
            }
            if (refund <= 0 || order.Refunded + refund > order.Total)
            {
                return (null, SignedPayResult.Error(400, "INVALID_REQUEST", "退款金额超过订单可退金额"));
            }
            order.Refunded += refund;
            var entry = new EmulatedRefund
            {
                RefundId = "50" + Random.Shared.NextInt64(100000000000000000, 999999999999999999).ToString(System.Globalization.CultureInfo.InvariantCulture) + "00",
                OutRefundNo = outRefundNo, Order = order, Amount = refund, Reason = Str(body, "reason"),
                NotifyUrl = Str(body, "notify_url") ?? order.NotifyUrl, CreatedAt = clock.Now,
            };
            state.Refunds[outRefundNo] = entry;
            return (entry, null);
        });
        if (created.Item2 is { } error)
        {
            return error;
        }
        var view = state.Locked(() => RefundView(created.Item1!));
        if (settings.AutoCompleteRefunds)
        {
            desk.Complete(outRefundNo, "SUCCESS");
        }
        return new SignedPayResult(200, view);
    }

    public static object RefundView(EmulatedRefund refund) => new
    {
        refund_id = refund.RefundId,
        out_refund_no = refund.OutRefundNo,
        transaction_id = refund.Order.TransactionId,
        out_trade_no = refund.Order.OutTradeNo,
        channel = "ORIGINAL",
        user_received_account = "支付用户零钱",
        status = refund.Status,
        create_time = EmulatorClock.Rfc3339(refund.CreatedAt),
        success_time = refund.SuccessTime is { } at ? EmulatorClock.Rfc3339(at) : null,
        amount = new { total = refund.Order.Total, refund = refund.Amount, payer_total = refund.Order.Total, payer_refund = refund.Amount, currency = "CNY" },
    };

    private static IResult QueryRefund(string outRefundNo, EmulatorState state) =>
        state.Locked(() => state.Refunds.TryGetValue(outRefundNo, out var refund)
            ? new SignedPayResult(200, RefundView(refund))
            : SignedPayResult.Error(404, "RESOURCE_NOT_EXISTS", "退款单不存在"));

    private static IResult TradeBill(string? bill_date, string? bill_type, HttpContext context, BillBook bills, EmulatorState state, EmulatorClock clock)
    {
        if (!DateOnly.TryParseExact(bill_date, "yyyy-MM-dd", out var date))
        {
            return ParamError("bill_date", bill_date ?? "", "yyyy-MM-dd");
        }
        if (bill_type is not (null or "ALL" or "SUCCESS" or "REFUND"))
        {
            return ParamError("bill_type", bill_type, "ALL, SUCCESS or REFUND");
        }
        if (!bills.IsReady(date))
        {
            return SignedPayResult.Error(400, "NO_STATEMENT_EXIST", "账单文件尚未生成，请次日9点后再下载");
        }
        var (file, announcedHash) = bills.Generate(date);
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        state.Locked(() => state.BillDownloads[token] = (file, clock.Now.AddMinutes(5)));
        var host = $"{context.Request.Scheme}://{context.Request.Host}";
        return new SignedPayResult(200, new { hash_type = "SHA1", hash_value = announcedHash, download_url = $"{host}/v3/billdownload/file?token={token}" });
    }

    /// <summary>The bill file itself: signed request required, answer NOT signed (integrity = the announced SHA1).</summary>
    private static IResult DownloadBill(string? token, EmulatorState state, EmulatorClock clock) =>
        state.Locked(() => token is not null && state.BillDownloads.TryGetValue(token, out var entry) && entry.ValidUntil > clock.Now
            ? Results.Bytes(entry.File, "application/octet-stream")
            : (IResult)SignedPayResult.Error(400, "INVALID_REQUEST", "下载链接已失效"));

    private static SignedPayResult ParamError(string field, string value, string expected) =>
        SignedPayResult.Error(400, "PARAM_ERROR", $"参数错误: {field}", new { field, value, issue = $"must be {expected}", location = "body" });

    private static string? Str(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    [GeneratedRegex(@"^[0-9A-Za-z_\-|*@]{6,64}$")]
    private static partial Regex OutRefundNoPattern();

    [GeneratedRegex(@"^[0-9A-Za-z_\-|*]{6,32}$")]
    private static partial Regex OutTradeNoPattern();
}
