using System.Security.Cryptography;
using EBranch.Core.Activities;
using EBranch.Core.Common;
using EBranch.Core.Data;
using EBranch.Core.Infrastructure;
using EBranch.Core.Points;
using EBranch.Core.Security;
using EBranch.Core.WeChat.MiniProgram;
using EBranch.Core.WeChat.Pay;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EBranch.Core.Dues;

public sealed record CreatedOrder(string OutTradeNo, long AmountFen, IReadOnlyList<int> Months, RequestPaymentParameters RequestPayment, bool RemitToCentre);

public sealed record OrderView(string OutTradeNo, PayOrderStatus Status, long AmountFen, long ExtraFen, IReadOnlyList<int> Months, DateTimeOffset CreatedAt, DateTimeOffset? PaidAt);

public enum NotificationOutcome
{
    Processed,
    Duplicate,
    Mismatch,
    UnknownOrder,
    NotPaid,
}

/// <summary>
/// Dues through WeChat Pay. The front end's "success" is never trusted: an order becomes paid only from a
/// verified notification or a query answer, through one compare-and-set (<c>Waiting|Closed → Paid</c>) that
/// changes exactly one row, in the same transaction as its bills. Points are credited once per order.
/// </summary>
public sealed class DuesPaymentService(
    EBranchDbFactory factory, DuesBillingService billing, WeChatPayClient pay, WeChatPaySigner signer, IOptions<MiniProgramOptions> miniProgram,
    IOptions<WeChatPayOptions> payOptions, IOptions<DuesOptions> options, PointsEngine points, ActivityRecorder activities,
    PiiProtector pii, IRateLimitCounter rateLimits, IDistributedLock locks, PayNotificationWriter notifications, TimeProvider time,
    ILogger<DuesPaymentService> logger)
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, InFlight> _applying = new(StringComparer.Ordinal);

    private DuesOptions Options => options.Value;

    /// <summary>Finds a member to pay for on their behalf (代缴) by name and ID number. Rate-limited per payer.</summary>
    public async Task<Guid> FindMemberForOnBehalfAsync(Guid payerWeChatUserId, string name, string idNumber, CancellationToken cancellationToken = default)
    {
        if (await rateLimits.HitAsync($"dues-lookup:{payerWeChatUserId:N}", TimeSpan.FromHours(1), cancellationToken) > 10)
        {
            throw new AppException(ErrorCodes.RateLimited, "查询次数过多，请一小时后再试", ErrorKind.RateLimited);
        }
        var id = ChineseId.Normalize(idNumber ?? "");
        if (!ChineseId.IsValid(id) || string.IsNullOrWhiteSpace(name))
        {
            throw AppException.Validation(new Dictionary<string, string[]> { ["idNumber"] = ["请填写被代缴党员的姓名和正确的身份证号"] });
        }
        var digest = pii.Digest(id);
        await using var db = factory.CreateForSystem();
        return await db.Members.Where(m => m.IdNumberDigest == digest && m.Name == name.Trim()).Select(m => (Guid?)m.Id).FirstOrDefaultAsync(cancellationToken)
            ?? throw new AppException(DuesErrors.MemberNotFound, "未找到该党员，请核对姓名和身份证号", ErrorKind.NotFound);
    }

    public async Task<CreatedOrder> CreateOrderAsync(Guid payerWeChatUserId, Guid memberId, IReadOnlyCollection<int> months, long extraFen, bool onBehalf,
        CancellationToken cancellationToken = default)
    {
        if (extraFen < 0 || extraFen > Options.MaxExtraFen)
        {
            throw AppException.Validation(new Dictionary<string, string[]> { ["extraFen"] = ["自愿多缴金额须为0至100万元"] });
        }
        // One order at a time per member: concurrent taps must not create two orders for the same months.
        await using var held = await locks.TryAcquireAsync($"dues-order:{memberId:N}", TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10), cancellationToken)
            ?? throw new AppException(ErrorCodes.RateLimited, "正在创建订单，请稍候", ErrorKind.RateLimited);

        await using var db = factory.CreateForSystem();
        var payer = await db.WeChatUsers.FirstOrDefaultAsync(u => u.Id == payerWeChatUserId, cancellationToken) ?? throw AppException.NotFound("用户");
        var bills = await billing.BillsForPaymentAsync(db, memberId, months, cancellationToken);
        var billIds = bills.Select(b => b.Id).ToList();

        // An open order for any of these bills: reuse it when it is the same payment, otherwise close it first.
        var open = await db.PayOrders.Include(o => o.Items)
            .Where(o => o.MemberId == memberId && o.Status == PayOrderStatus.Waiting && o.Items.Any(i => billIds.Contains(i.BillId)))
            .ToListAsync(cancellationToken);
        foreach (var existing in open)
        {
            var same = existing.PayerWeChatUserId == payerWeChatUserId && existing.ExtraFen == extraFen && existing.PrepayId is not null
                && existing.Items.Select(i => i.BillId).Order().SequenceEqual(billIds.Order()) && existing.ExpiresAt > time.GetUtcNow().AddMinutes(1);
            if (same)
            {
                return new CreatedOrder(existing.OutTradeNo, existing.AmountFen, existing.Items.Select(i => i.Month).Order().ToList(),
                    signer.CreateRequestPayment(miniProgram.Value.AppId, existing.PrepayId!), existing.ExtraFen >= Options.RemitToCentreFen);
            }
            await CloseAtWeChatAsync(existing.OutTradeNo, cancellationToken);
            if (await db.PayOrders.Where(o => o.Id == existing.Id).CloseIfWaitingAsync(time.GetUtcNow(), cancellationToken) == 0)
            {
                throw AppException.Conflict(DuesErrors.OrderInProgress, "该月份党费正在支付中，请稍后刷新");
            }
        }

        var member = await db.Members.Where(m => m.Id == memberId).Select(m => new { m.Name, m.OrganizationId, m.Organization!.Path }).FirstAsync(cancellationToken);
        var now = time.GetUtcNow();
        var order = new PayOrder
        {
            OutTradeNo = NewOutTradeNo(now),
            MemberId = memberId,
            PayerWeChatUserId = payer.Id,
            PayerOpenId = payer.OpenId,
            PaidOnBehalf = onBehalf,
            AmountFen = bills.Sum(b => b.AmountFen) + extraFen,
            ExtraFen = extraFen,
            ExpiresAt = now + Options.OrderLifetime,
            Description = Description(bills, extraFen),
            OrganizationId = member.OrganizationId,
            OrganizationPath = member.Path,
            Items = bills.Select(b => new PayOrderItem { BillId = b.Id, Month = b.Month, AmountFen = b.AmountFen }).ToList(),
        };
        if (order.AmountFen <= 0)
        {
            throw AppException.Validation(new Dictionary<string, string[]> { ["months"] = ["应缴金额为0，无需支付"] });
        }
        db.PayOrders.Add(order);
        await db.SaveChangesAsync(cancellationToken);

        JsapiPayment prepay;
        try
        {
            prepay = await pay.CreateJsapiOrderAsync(new JsapiOrderRequest(order.Description, order.OutTradeNo, order.AmountFen, payer.OpenId)
            {
                TimeExpire = order.ExpiresAt,
                Attach = onBehalf ? "behalf" : null,
            }, cancellationToken);
        }
        catch (Exception ex) when (ex is WeChatPayException or HttpRequestException or TimeoutException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "JSAPI order {OutTradeNo} failed", order.OutTradeNo);
            await db.PayOrders.Where(o => o.Id == order.Id).CloseIfWaitingAsync(time.GetUtcNow(), CancellationToken.None);
            throw new AppException(ErrorCodes.ServiceUnavailable, "微信支付暂时不可用，请稍后再试", ErrorKind.Unavailable);
        }
        await db.PayOrders.Where(o => o.Id == order.Id).ExecuteUpdateAsync(o => o.SetProperty(x => x.PrepayId, prepay.PrepayId), cancellationToken);
        return new CreatedOrder(order.OutTradeNo, order.AmountFen, bills.Select(b => b.Month).ToList(), prepay.RequestPayment, extraFen >= Options.RemitToCentreFen);
    }

    /// <summary>An order as the payer sees it. A waiting order is checked at WeChat Pay (a query is proof; the front end is not).</summary>
    public async Task<OrderView> GetOrderAsync(Guid payerWeChatUserId, string outTradeNo, CancellationToken cancellationToken = default)
    {
        await using (var db = factory.CreateForSystem())
        {
            var waiting = await db.PayOrders.AnyAsync(o => o.OutTradeNo == outTradeNo && o.PayerWeChatUserId == payerWeChatUserId && o.Status == PayOrderStatus.Waiting, cancellationToken);
            if (waiting)
            {
                await SyncOneAsync(outTradeNo, cancellationToken);
            }
        }
        await using var read = factory.CreateForSystem();
        var order = await read.PayOrders.AsNoTracking().Include(o => o.Items)
            .FirstOrDefaultAsync(o => o.OutTradeNo == outTradeNo && o.PayerWeChatUserId == payerWeChatUserId, cancellationToken)
            ?? throw AppException.NotFound("订单");
        return new OrderView(order.OutTradeNo, order.Status, order.AmountFen, order.ExtraFen, order.Items.Select(i => i.Month).Order().ToList(), order.CreatedAt, order.PaidAt);
    }

    /// <summary>
    /// Applies a verified TRANSACTION notification. Idempotent under duplicates and concurrency. WeChat repeats a notification
    /// until it is answered, often several copies at once: on one instance, copies arriving while the same notification is
    /// being applied wait for it and, once it is applied (or found a duplicate), are stored raw as duplicates in one insert;
    /// a copy for an order already paid (same amount, appid and mchid) is stored as a duplicate after one read. The database
    /// compare-and-set still decides between instances.
    /// </summary>
    public async Task<NotificationOutcome> HandleTransactionAsync(PayNotification<PayTransaction> notification, WeChatPayHeaders headers, CancellationToken cancellationToken = default)
    {
        var transaction = notification.Resource;
        var mine = new InFlight(transaction);
        var current = _applying.GetOrAdd(transaction.OutTradeNo, mine);
        if (current != mine)
        {
            var leader = await current.Done.Task.WaitAsync(cancellationToken);
            if (leader is NotificationOutcome.Processed or NotificationOutcome.Duplicate && SameFacts(current.Transaction, transaction))
            {
                await RecordNotificationAsync(notification, headers, "duplicate", cancellationToken);
                return NotificationOutcome.Duplicate;
            }
            return await HandleAsync(notification, headers, cancellationToken);
        }
        NotificationOutcome? outcome = null;
        try
        {
            // The copies are answered once the order is paid for good (committed), not after the points and the outcome
            // label: those complete later even if this request fails (the sweep credits missing points).
            outcome = await HandleAsync(notification, headers, cancellationToken, () => mine.Done.TrySetResult(NotificationOutcome.Processed));
            return outcome.Value;
        }
        finally
        {
            _applying.TryRemove(new KeyValuePair<string, InFlight>(transaction.OutTradeNo, mine));
            mine.Done.TrySetResult(outcome);
        }
    }

    private async Task<NotificationOutcome> HandleAsync(PayNotification<PayTransaction> notification, WeChatPayHeaders headers, CancellationToken cancellationToken,
        Action? settled = null)
    {
        var transaction = notification.Resource;
        if (transaction.IsPaid)
        {
            await using var read = factory.CreateForSystem();
            var known = await read.PayOrders.Where(o => o.OutTradeNo == transaction.OutTradeNo)
                .Select(o => new { o.Status, o.AmountFen, o.PointsCredited }).FirstOrDefaultAsync(cancellationToken);
            // A paid order whose points were never credited (the process stopped in between) goes the whole way, which completes them.
            if (known is { Status: PayOrderStatus.Paid or PayOrderStatus.Refunding or PayOrderStatus.Refunded } && Problems(transaction, known.AmountFen).Count == 0
                && !(known.Status == PayOrderStatus.Paid && !known.PointsCredited))
            {
                // Nothing to act on: kept raw as a duplicate (and only then answered).
                await RecordNotificationAsync(notification, headers, "duplicate", cancellationToken);
                return NotificationOutcome.Duplicate;
            }
        }
        // Kept before it is acted on, so the raw notification survives whatever happens next.
        var recordId = await RecordNotificationAsync(notification, headers, "received", cancellationToken);
        var outcome = await ApplyAsync(transaction, "notification", cancellationToken, settled);
        await using var db = factory.CreateForSystem();
        var label = outcome.ToString().ToLowerInvariant();
        await db.PayNotifications.Where(n => n.Id == recordId).ExecuteUpdateAsync(n => n.SetProperty(x => x.Outcome, label), cancellationToken);
        return outcome;
    }

    private Task<Guid> RecordNotificationAsync(PayNotification<PayTransaction> notification, WeChatPayHeaders headers, string outcome, CancellationToken cancellationToken)
        => RecordAsync("transaction", notification.Id, notification.EventType, notification.Resource.OutTradeNo, headers, notification.RawBody, outcome, null, cancellationToken);

    /// <summary>Two verified notifications that say the same thing about the same order.</summary>
    private static bool SameFacts(PayTransaction a, PayTransaction b)
        => a.OutTradeNo == b.OutTradeNo && a.TransactionId == b.TransactionId && a.TradeState == b.TradeState && a.Amount?.Total == b.Amount?.Total
           && a.AppId == b.AppId && a.MchId == b.MchId;

    /// <summary>What does not match between a transaction and our order (amount, appid, mchid); empty when it matches.</summary>
    private List<string> Problems(PayTransaction transaction, long orderAmountFen)
    {
        var problems = new List<string>();
        if (transaction.Amount?.Total != orderAmountFen)
        {
            problems.Add($"金额不符：订单 {orderAmountFen} 分，微信 {transaction.Amount?.Total} 分");
        }
        if (transaction.AppId != miniProgram.Value.AppId)
        {
            problems.Add("appid 不符");
        }
        if (transaction.MchId != payOptions.Value.MchId)
        {
            problems.Add("商户号不符");
        }
        return problems;
    }

    /// <summary>A notification being applied on this instance; copies arriving meanwhile wait for <see cref="Done"/>.</summary>
    private sealed class InFlight(PayTransaction transaction)
    {
        public PayTransaction Transaction { get; } = transaction;
        public TaskCompletionSource<NotificationOutcome?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Keeps a notification that failed verification (forged, stale, probe) for the audit trail.</summary>
    public Task<Guid> RecordRejectedAsync(string kind, WeChatPayHeaders headers, string rawBody, string reason, CancellationToken cancellationToken = default)
        => RecordAsync(kind, null, null, null, headers, rawBody, "rejected", reason, cancellationToken);

    /// <summary>Queries waiting orders older than <see cref="DuesOptions.SyncAfter"/>: lost notifications are recovered here.</summary>
    public async Task<int> SyncWaitingOrdersAsync(CancellationToken cancellationToken = default)
    {
        var before = time.GetUtcNow() - Options.SyncAfter;
        List<string> numbers;
        await using (var db = factory.CreateForSystem())
        {
            numbers = await db.PayOrders.Where(o => o.Status == PayOrderStatus.Waiting && o.CreatedAt <= before)
                .OrderBy(o => o.CreatedAt).Select(o => o.OutTradeNo).Take(500).ToListAsync(cancellationToken);
        }
        var applied = 0;
        foreach (var number in numbers)
        {
            if (await SyncOneAsync(number, cancellationToken) == NotificationOutcome.Processed)
            {
                applied++;
            }
        }
        await CreditMissingPointsAsync(cancellationToken);
        return applied;
    }

    /// <summary>Closes waiting orders past their expiry (after a last query, so a paid one is never closed).</summary>
    public async Task<int> CloseExpiredOrdersAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        List<string> numbers;
        await using (var db = factory.CreateForSystem())
        {
            numbers = await db.PayOrders.Where(o => o.Status == PayOrderStatus.Waiting && o.ExpiresAt <= now)
                .OrderBy(o => o.ExpiresAt).Select(o => o.OutTradeNo).Take(500).ToListAsync(cancellationToken);
        }
        var closed = 0;
        foreach (var number in numbers)
        {
            if (await SyncOneAsync(number, cancellationToken) == NotificationOutcome.Processed)
            {
                continue;
            }
            await CloseAtWeChatAsync(number, cancellationToken);
            await using var db = factory.CreateForSystem();
            closed += await db.PayOrders.Where(o => o.OutTradeNo == number).CloseIfWaitingAsync(time.GetUtcNow(), cancellationToken);
        }
        return closed;
    }

    private async Task<NotificationOutcome> SyncOneAsync(string outTradeNo, CancellationToken cancellationToken)
    {
        PayTransaction transaction;
        try
        {
            transaction = await pay.QueryOrderAsync(outTradeNo, cancellationToken);
        }
        catch (WeChatPayException ex) when (ex.Code == "ORDER_NOT_EXIST")
        {
            return NotificationOutcome.NotPaid;
        }
        catch (Exception ex) when (ex is WeChatPayException or HttpRequestException or TimeoutException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Query of {OutTradeNo} failed; will retry", outTradeNo);
            return NotificationOutcome.NotPaid;
        }
        if (transaction.TradeState is "CLOSED" or "REVOKED" or "PAYERROR")
        {
            await using var db = factory.CreateForSystem();
            await db.PayOrders.Where(o => o.OutTradeNo == outTradeNo).CloseIfWaitingAsync(time.GetUtcNow(), cancellationToken);
            return NotificationOutcome.NotPaid;
        }
        return await ApplyAsync(transaction, "query", cancellationToken);
    }

    /// <summary>The one place an order becomes paid. <paramref name="settled"/>: called as soon as the order is known paid for good.</summary>
    private async Task<NotificationOutcome> ApplyAsync(PayTransaction transaction, string source, CancellationToken cancellationToken, Action? settled = null)
    {
        if (!transaction.IsPaid)
        {
            return NotificationOutcome.NotPaid;
        }
        await using var db = factory.CreateForSystem();
        var order = await db.PayOrders.AsNoTracking().Include(o => o.Items).FirstOrDefaultAsync(o => o.OutTradeNo == transaction.OutTradeNo, cancellationToken);
        if (order is null)
        {
            await IssueAsync(db, IssueKind.NotificationMismatch, transaction.OutTradeNo, null, transaction.Amount?.Total, null, transaction.TradeState,
                $"收到未知订单的支付结果（{source}）", "/", cancellationToken);
            return NotificationOutcome.UnknownOrder;
        }
        var problems = Problems(transaction, order.AmountFen);
        if (problems.Count > 0)
        {
            await IssueAsync(db, IssueKind.NotificationMismatch, order.OutTradeNo, order.AmountFen, transaction.Amount?.Total, order.Status.ToString(), transaction.TradeState,
                string.Join("；", problems), order.OrganizationPath, cancellationToken);
            return NotificationOutcome.Mismatch;
        }
        if (order.Status is PayOrderStatus.Paid or PayOrderStatus.Refunding or PayOrderStatus.Refunded)
        {
            settled?.Invoke();
            if (order.Status == PayOrderStatus.Paid && !order.PointsCredited)
            {
                // The process stopped between the payment and its points: the repeated notification completes it (the credit is idempotent).
                await CreditPointsAsync(order.Id, order.MemberId, order.OutTradeNo, order.PaidAt ?? time.GetUtcNow(), cancellationToken);
            }
            return NotificationOutcome.Duplicate;
        }

        var paidAt = transaction.SuccessTime?.ToUniversalTime() ?? time.GetUtcNow();
        var applied = await factory.InTransactionAsync(async (tx, token) =>
        {
            var changed = await tx.PayOrders
                .Where(o => o.Id == order.Id && (o.Status == PayOrderStatus.Waiting || o.Status == PayOrderStatus.Closed))
                .ExecuteUpdateAsync(o => o
                    .SetProperty(x => x.Status, PayOrderStatus.Paid)
                    .SetProperty(x => x.TransactionId, transaction.TransactionId)
                    .SetProperty(x => x.PaidAt, paidAt)
                    .SetProperty(x => x.Version, Guid.NewGuid()), token);
            if (changed != 1)
            {
                return false;
            }
            var billIds = order.Items.Select(i => i.BillId).ToList();
            var billsPaid = await tx.DuesBills.Where(b => billIds.Contains(b.Id) && b.Status == BillStatus.Unpaid)
                .ExecuteUpdateAsync(b => b
                    .SetProperty(x => x.Status, BillStatus.Paid)
                    .SetProperty(x => x.PaidByOrderId, order.Id)
                    .SetProperty(x => x.PaidAt, paidAt), token);
            if (billsPaid < billIds.Count)
            {
                // Paid after being closed, while another order had paid some of the same months: money to give back.
                tx.DuesIssues.Add(new DuesIssue
                {
                    Kind = IssueKind.DuplicatePayment, OutTradeNo = order.OutTradeNo, OurAmountFen = order.AmountFen, TheirAmountFen = transaction.Amount?.Total,
                    Detail = $"订单已支付，但其中 {billIds.Count - billsPaid} 个月份已由其他订单缴纳，需退款", OrganizationPath = order.OrganizationPath,
                });
            }
            activities.Record(tx, DuesActivityTypes.Paid, order.MemberId, order.OrganizationId, order.OrganizationPath, nameof(PayOrder), order.OutTradeNo,
                new { amountFen = order.AmountFen, months = order.Items.Select(i => i.Month).Order().ToArray(), onBehalf = order.PaidOnBehalf, source });
            await tx.SaveChangesAsync(token);
            return true;
        }, cancellationToken);
        settled?.Invoke();
        if (!applied)
        {
            return NotificationOutcome.Duplicate;
        }

        await CreditPointsAsync(order.Id, order.MemberId, order.OutTradeNo, paidAt, cancellationToken);
        return NotificationOutcome.Processed;
    }

    private async Task CreditPointsAsync(Guid orderId, Guid memberId, string outTradeNo, DateTimeOffset paidAt, CancellationToken cancellationToken)
    {
        await points.CreditAsync(memberId, PointActions.DuesPayment, "dues:" + outTradeNo, occurredAt: paidAt, cancellationToken: cancellationToken);
        await using var db = factory.CreateForSystem();
        await db.PayOrders.Where(o => o.Id == orderId).ExecuteUpdateAsync(o => o.SetProperty(x => x.PointsCredited, true), cancellationToken);
    }

    /// <summary>A crash between the payment and its points is completed here (the credit is idempotent).</summary>
    private async Task CreditMissingPointsAsync(CancellationToken cancellationToken)
    {
        await using var db = factory.CreateForSystem();
        var missing = await db.PayOrders.Where(o => o.Status == PayOrderStatus.Paid && !o.PointsCredited)
            .Select(o => new { o.Id, o.MemberId, o.OutTradeNo, o.PaidAt }).Take(500).ToListAsync(cancellationToken);
        foreach (var order in missing)
        {
            await CreditPointsAsync(order.Id, order.MemberId, order.OutTradeNo, order.PaidAt ?? time.GetUtcNow(), cancellationToken);
        }
    }

    private async Task CloseAtWeChatAsync(string outTradeNo, CancellationToken cancellationToken)
    {
        try
        {
            await pay.CloseOrderAsync(outTradeNo, cancellationToken);
        }
        catch (WeChatPayException ex) when (ex.Code is "ORDER_NOT_EXIST" or "ORDER_CLOSED")
        {
        }
    }

    private async Task IssueAsync(EBranchDbContext db, IssueKind kind, string? outTradeNo, long? ours, long? theirs, string? ourState, string? theirState,
        string detail, string path, CancellationToken cancellationToken)
    {
        if (await db.DuesIssues.AnyAsync(i => i.Kind == kind && i.OutTradeNo == outTradeNo && i.ResolvedAt == null && i.TheirAmountFen == theirs, cancellationToken))
        {
            return;
        }
        db.DuesIssues.Add(new DuesIssue
        {
            Kind = kind, OutTradeNo = outTradeNo, OurAmountFen = ours, TheirAmountFen = theirs, OurState = ourState, TheirState = theirState,
            Detail = detail, OrganizationPath = path,
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    private async Task<Guid> RecordAsync(string kind, string? id, string? eventType, string? outTradeNo, WeChatPayHeaders headers, string rawBody, string outcome, string? detail,
        CancellationToken cancellationToken)
    {
        var record = new PayNotificationRecord
        {
            ReceivedAt = time.GetUtcNow(), Kind = kind, NotificationId = id, EventType = eventType, OutTradeNo = outTradeNo,
            Serial = Truncate(headers.Serial, 64), Timestamp = Truncate(headers.Timestamp, 32),
            Nonce = Truncate(headers.Nonce, 64), Signature = Truncate(headers.Signature, 700), RawBody = Truncate(rawBody, 16_000)!, Outcome = outcome, Detail = Truncate(detail, 500),
        };
        await notifications.WriteAsync(record, cancellationToken);
        return record.Id;
    }

    private static string? Truncate(string? value, int length) => value is null || value.Length <= length ? value : value[..length];

    /// <summary>"D" + Shanghai time to the second + 10 random digits: unique, 25 characters, never sequential.</summary>
    private string NewOutTradeNo(DateTimeOffset now)
        => "D" + TimeZoneInfo.ConvertTime(now, DistrictTime.Zone).ToString("yyyyMMddHHmmss") + RandomNumberGenerator.GetInt32(0, int.MaxValue).ToString("D10");

    private static string Description(List<DuesBill> bills, long extraFen)
    {
        var months = bills.Select(b => b.Month).Order().ToList();
        var text = months.Count == 1 ? $"党费-{DuesMonth.Label(months[0])}" : $"党费-{DuesMonth.Label(months[0])}至{DuesMonth.Label(months[^1])}({months.Count}个月)";
        return extraFen > 0 ? text + "含自愿多缴" : text;
    }
}
