using System.ComponentModel;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using EBranch.Core.Common;
using EBranch.Core.Dues;
using EBranch.Core.Identity;
using EBranch.Core.WeChat.Pay;
using EBranch.Gateway.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EBranch.Gateway.Api;

public sealed record OnBehalfTarget(string Name, string IdNumber);

public sealed record CreateDuesOrderRequest(
    [property: Description("要缴纳的月份，yyyyMM，如 202611；可补缴最近6个月、预缴未来6个月")] int[] Months,
    [property: Description("自愿多缴金额（分），可为0")] long ExtraFen,
    [property: Description("代缴：被代缴党员的姓名和身份证号；为空表示为自己缴纳")] OnBehalfTarget? OnBehalf);

public sealed record CreateDuesOrderResponse(string OutTradeNo, long AmountFen, IReadOnlyList<int> Months, RequestPaymentParameters RequestPayment, bool RemitToCentre);

/// <summary>Party dues: what is due, paying through WeChat Pay, and WeChat Pay's notifications.</summary>
public static class DuesApi
{
    public static void MapDuesApi(this IEndpointRouteBuilder app)
    {
        var dues = app.MapGroup("/api/v1/dues").WithTags("党费").RequireAuthorization().ProducesErrors(401);
        dues.MapGet("/", Overview).RequireAuthorization(SessionAuthenticationHandler.MemberPolicy)
            .WithName("getDues").WithSummary("我的党费：月缴金额、可缴（含补缴）月份、可预缴月份、缴费记录（金额单位：分）")
            .ProducesErrors(403, IdentityErrors.MemberRequired);
        dues.MapPost("/on-behalf/lookup", LookupOnBehalf)
            .WithName("lookupOnBehalf").WithSummary("代缴：按姓名+身份证号查询被代缴党员的应缴党费")
            .ProducesErrors(400, ErrorCodes.ValidationFailed, ErrorCodes.InvalidRequest).ProducesErrors(404, DuesErrors.MemberNotFound).ProducesErrors(429);
        dues.MapPost("/orders", CreateOrder)
            .WithName("createDuesOrder").WithSummary("创建党费支付订单，返回 wx.requestPayment 参数（一次可含多个月份；金额单位：分）")
            .ProducesErrors(400, ErrorCodes.ValidationFailed, ErrorCodes.InvalidRequest).ProducesErrors(403, IdentityErrors.MemberRequired)
            .ProducesErrors(404, DuesErrors.MemberNotFound).ProducesErrors(409, DuesErrors.AlreadyPaid, DuesErrors.OrderInProgress)
            .ProducesErrors(429).ProducesErrors(503);
        dues.MapGet("/orders/{outTradeNo}", GetOrder)
            .WithName("getDuesOrder").WithSummary("查询订单状态（以微信支付结果为准，不以前端回调为准）")
            .ProducesErrors(404);

        app.MapPost("/api/v1/pay/notify", Notify).AllowAnonymous().ExcludeFromDescription();
    }

    private static async Task<Ok<DuesOverview>> Overview(ClaimsPrincipal user, DuesBillingService billing, CancellationToken cancellationToken)
        => TypedResults.Ok(await billing.OverviewAsync(user.MemberId(), cancellationToken));

    private static async Task<Ok<DuesOverview>> LookupOnBehalf(OnBehalfTarget target, ClaimsPrincipal user, DuesPaymentService payments, DuesBillingService billing,
        CancellationToken cancellationToken)
    {
        var memberId = await payments.FindMemberForOnBehalfAsync(user.WeChatUserId(), target.Name, target.IdNumber, cancellationToken);
        var overview = await billing.OverviewAsync(memberId, cancellationToken);
        return TypedResults.Ok(overview with { RecentPaid = [] });
    }

    private static async Task<Ok<CreateDuesOrderResponse>> CreateOrder(CreateDuesOrderRequest request, ClaimsPrincipal user, DuesPaymentService payments,
        CancellationToken cancellationToken)
    {
        Guid memberId;
        var onBehalf = request.OnBehalf is not null;
        if (request.OnBehalf is { } target)
        {
            memberId = await payments.FindMemberForOnBehalfAsync(user.WeChatUserId(), target.Name, target.IdNumber, cancellationToken);
        }
        else if (user.HasClaim(c => c.Type == SessionAuthenticationHandler.MemberClaim))
        {
            memberId = user.MemberId();
        }
        else
        {
            throw new AppException(IdentityErrors.MemberRequired, "请先完成党员实名认证，或选择代缴", ErrorKind.Forbidden);
        }
        if (onBehalf && user.HasClaim(c => c.Type == SessionAuthenticationHandler.MemberClaim) && user.MemberId() == memberId)
        {
            onBehalf = false;
        }
        var order = await payments.CreateOrderAsync(user.WeChatUserId(), memberId, request.Months ?? [], request.ExtraFen, onBehalf, cancellationToken);
        return TypedResults.Ok(new CreateDuesOrderResponse(order.OutTradeNo, order.AmountFen, order.Months, order.RequestPayment, order.RemitToCentre));
    }

    private static async Task<Ok<OrderView>> GetOrder(string outTradeNo, ClaimsPrincipal user, DuesPaymentService payments, CancellationToken cancellationToken)
        => TypedResults.Ok(await payments.GetOrderAsync(user.WeChatUserId(), outTradeNo, cancellationToken));

    /// <summary>
    /// WeChat Pay's notify_url for payments and refunds. The status code is the answer: 2xx = received,
    /// 4xx/5xx = WeChat retries. Signatures are verified over the raw bytes before anything is read.
    /// </summary>
    private static async Task<IResult> Notify(HttpRequest request, WeChatPayNotificationHandler handler, DuesPaymentService payments, DuesRefundService refunds,
        AnonymousLimiter limiter, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        var raw = buffer.ToArray();
        var headers = WeChatPayHeaders.From(request.Headers);
        var text = Encoding.UTF8.GetString(raw);
        // Verification and decryption first: anything that fails here is not a genuine notification (4xx).
        PayNotification<RefundNotice>? refundNotice = null;
        PayNotification<PayTransaction>? transaction = null;
        try
        {
            if (EventType(raw)?.StartsWith("REFUND.", StringComparison.Ordinal) == true)
            {
                refundNotice = await handler.ReadRefundAsync(headers, raw, cancellationToken);
            }
            else
            {
                transaction = await handler.ReadTransactionAsync(headers, raw, cancellationToken);
            }
        }
        catch (WeChatPaySignatureException ex)
        {
            // A rejected notification is an anonymous write (its record): limited per address and globally. Genuine ones are never limited.
            if (await limiter.TryAdmitAsync("pay-notify-rejected", request.HttpContext, cancellationToken) is { } retryAfter)
            {
                return AnonymousLimiter.Refuse(request.HttpContext, retryAfter);
            }
            await payments.RecordRejectedAsync("unverified", headers, text, ex.Message, cancellationToken);
            return Results.Json(WeChatPayNotificationHandler.Failure("签名验证失败"), statusCode: StatusCodes.Status401Unauthorized);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or System.Security.Cryptography.CryptographicException or KeyNotFoundException or InvalidOperationException)
        {
            loggers.CreateLogger("EBranch.Gateway.PayNotify").LogWarning(ex, "Unreadable pay notification");
            if (await limiter.TryAdmitAsync("pay-notify-rejected", request.HttpContext, cancellationToken) is { } retryAfter)
            {
                return AnonymousLimiter.Refuse(request.HttpContext, retryAfter);
            }
            await payments.RecordRejectedAsync("unreadable", headers, text, ex.GetType().Name, cancellationToken);
            return Results.Json(WeChatPayNotificationHandler.Failure("报文无法解析"), statusCode: StatusCodes.Status400BadRequest);
        }

        // Processing: a failure here (database down...) is a 5xx, so WeChat Pay retries the genuine notification.
        if (refundNotice is not null)
        {
            await refunds.HandleNotificationAsync(refundNotice.Resource, cancellationToken);
        }
        else
        {
            await payments.HandleTransactionAsync(transaction!, headers, cancellationToken);
        }
        return Results.NoContent();
    }

    private static string? EventType(byte[] raw)
    {
        try
        {
            using var json = JsonDocument.Parse(raw);
            return json.RootElement.TryGetProperty("event_type", out var type) ? type.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
