using EBranch.Core.Accounts;
using EBranch.Core.Activities;
using EBranch.Core.Common;
using EBranch.Core.Data;
using EBranch.Core.Points;
using EBranch.Core.WeChat.Pay;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace EBranch.Core.Dues;

/// <summary>A refund request as listed; <see cref="CanDecide"/> and <see cref="CanWithdraw"/> apply <see cref="ApprovalRules"/> for the caller.</summary>
public sealed record RefundView(Guid Id, string OutTradeNo, string MemberName, string OutRefundNo, long AmountFen, string Reason, RefundStatus Status,
    string RequestedBy, DateTimeOffset RequestedAt, string? DecidedBy, string? DecisionNote, bool CanDecide = false, bool CanWithdraw = false);

/// <summary>
/// Refunds of whole orders. An administrator requests one with a reason; it is decided by <see cref="ApprovalRules"/>
/// (a higher role, or another district user at the top; never the requester, who may withdraw it); WeChat Pay refunds and notifies; then the order's bills become unpaid again and its points are
/// reversed by a new ledger entry.
/// </summary>
public sealed class DuesRefundService(
    EBranchDbFactory factory, ScopedDb scopedDb, WeChatPayClient pay, PointsEngine points, ActivityRecorder activities,
    TimeProvider time, ILogger<DuesRefundService> logger)
{
    public async Task<Guid> RequestAsync(string outTradeNo, string reason, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(reason) || reason.Trim().Length > 80)
        {
            throw AppException.Validation(new Dictionary<string, string[]> { ["reason"] = ["请填写退款原因（不超过80字）"] });
        }
        await using var db = await scopedDb.OpenAsync(cancellationToken);
        db.Caller.Demand(Permission.ManageMembers);
        var order = await db.PayOrders.FirstOrDefaultAsync(o => o.OutTradeNo == outTradeNo, cancellationToken) ?? throw AppException.NotFound("订单");
        if (order.Status != PayOrderStatus.Paid)
        {
            throw AppException.Conflict("refund_not_allowed", "只有已支付的订单可以退款");
        }
        if (await db.DuesRefunds.AnyAsync(r => r.OrderId == order.Id && r.Status != RefundStatus.Rejected && r.Status != RefundStatus.Failed
                && r.Status != RefundStatus.Withdrawn, cancellationToken))
        {
            throw AppException.Conflict("refund_exists", "该订单已有退款申请");
        }
        var attempts = await db.DuesRefunds.CountAsync(r => r.OrderId == order.Id, cancellationToken);
        var refund = new DuesRefund
        {
            OrderId = order.Id, OutRefundNo = RefundNumber(order.OutTradeNo, attempts + 1), AmountFen = order.AmountFen, Reason = reason.Trim(),
            RequestedBy = db.Caller.Name, OrganizationPath = order.OrganizationPath,
        };
        db.DuesRefunds.Add(refund);
        await db.SaveChangesAsync(cancellationToken);
        return refund.Id;
    }

    /// <summary>
    /// The refund number of an order's <paramref name="attempt"/>-th request (1, 2, ...): the whole order number, "-R" and the
    /// attempt, so it reads as that order's (at most 32 + 5 characters of WeChat's allowed [0-9A-Za-z_-|*@], within its 64).
    /// </summary>
    public static string RefundNumber(string outTradeNo, int attempt) => $"{outTradeNo}-R{attempt}";

    /// <summary>The requester takes back a pending request (nobody decided yet); the order may then be asked for again.</summary>
    public async Task WithdrawAsync(Guid refundId, CancellationToken cancellationToken = default)
    {
        await using var db = await scopedDb.OpenAsync(cancellationToken);
        db.Caller.Demand(Permission.ManageMembers);
        var refund = await db.DuesRefunds.FirstOrDefaultAsync(r => r.Id == refundId, cancellationToken) ?? throw AppException.NotFound("退款申请");
        ApprovalRules.EnsureMayWithdraw(db.Caller, refund.RequestedBy, "退款");
        // Compare-and-set: an approval committed meanwhile wins and the withdrawal is refused.
        var withdrawn = await db.DuesRefunds.Where(r => r.Id == refund.Id && r.Status == RefundStatus.Requested)
            .ExecuteUpdateAsync(r => r.SetProperty(x => x.Status, RefundStatus.Withdrawn).SetProperty(x => x.DecidedAt, time.GetUtcNow())
                .SetProperty(x => x.UpdatedAt, time.GetUtcNow()).SetProperty(x => x.UpdatedBy, db.Caller.Name), cancellationToken);
        if (withdrawn != 1)
        {
            throw AppException.Conflict("refund_not_pending", "该退款申请已处理");
        }
    }

    public async Task ApproveAsync(Guid refundId, CancellationToken cancellationToken = default)
    {
        var caller = await scopedDb.CallerAsync(cancellationToken);
        caller.Demand(Permission.ManageMembers);
        // One read, in the transaction and under the caller's scope. The decision and the order's Paid → Refunding move
        // commit together or not at all; of two approvers at once, the order's compare-and-set lets exactly one through.
        var refund = await factory.InTransactionAsync(caller, async (tx, token) =>
        {
            var pending = await tx.DuesRefunds.Include(r => r.Order).FirstOrDefaultAsync(r => r.Id == refundId, token) ?? throw AppException.NotFound("退款申请");
            await EnsureHigherRoleAsync(tx, pending, token);
            if (pending.Status != RefundStatus.Requested)
            {
                throw AppException.Conflict("refund_not_pending", "该退款申请已处理");
            }
            var moved = await tx.PayOrders.Where(o => o.Id == pending.OrderId && o.Status == PayOrderStatus.Paid)
                .ExecuteUpdateAsync(o => o.SetProperty(x => x.Status, PayOrderStatus.Refunding).SetProperty(x => x.Version, Guid.NewGuid()), token);
            if (moved != 1)
            {
                throw AppException.Conflict("refund_not_allowed", "订单状态已变化，无法退款");
            }
            pending.Status = RefundStatus.Approved;
            pending.DecidedBy = tx.Caller.Name;
            pending.DecidedAt = time.GetUtcNow();
            await tx.SaveChangesAsync(token);
            return pending;
        }, cancellationToken);

        try
        {
            var result = await pay.RefundAsync(new RefundRequest(refund.Order!.OutTradeNo, refund.OutRefundNo, refund.AmountFen, refund.Order.AmountFen) { Reason = refund.Reason }, cancellationToken);
            await ApplyRefundStatusAsync(refund.OutRefundNo, result.Status, result.RefundId, cancellationToken);
        }
        catch (Exception ex) when (ex is WeChatPayException or HttpRequestException or TimeoutException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // The request is approved; the sync job asks WeChat Pay again (same out_refund_no, so never twice).
            logger.LogWarning(ex, "Refund {OutRefundNo} call failed; will be retried by the sync job", refund.OutRefundNo);
        }
    }

    public async Task RejectAsync(Guid refundId, string note, CancellationToken cancellationToken = default)
    {
        await using var db = await scopedDb.OpenAsync(cancellationToken);
        db.Caller.Demand(Permission.ManageMembers);
        var refund = await db.DuesRefunds.FirstOrDefaultAsync(r => r.Id == refundId, cancellationToken) ?? throw AppException.NotFound("退款申请");
        await EnsureHigherRoleAsync(db, refund, cancellationToken);
        if (refund.Status != RefundStatus.Requested)
        {
            throw AppException.Conflict("refund_not_pending", "该退款申请已处理");
        }
        refund.Status = RefundStatus.Rejected;
        refund.DecidedBy = db.Caller.Name;
        refund.DecidedAt = time.GetUtcNow();
        refund.DecisionNote = string.IsNullOrWhiteSpace(note) ? null : note.Trim()[..Math.Min(note.Trim().Length, 200)];
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<PagedResult<RefundView>> ListAsync(RefundStatus? status, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        await using var db = await scopedDb.OpenAsync(cancellationToken);
        db.Caller.Demand(Permission.ViewMembers);
        (page, pageSize) = Paging.Normalize(page, pageSize);
        var query = db.DuesRefunds.AsNoTracking();
        if (status is { } s)
        {
            query = query.Where(r => r.Status == s);
        }
        var total = await query.CountAsync(cancellationToken);
        var rows = await query.OrderByDescending(r => r.CreatedAt).Skip((page - 1) * pageSize).Take(pageSize)
            .Select(r => new { r.Id, r.Order!.OutTradeNo, r.Order.MemberId, r.OutRefundNo, r.AmountFen, r.Reason, r.Status, r.RequestedBy, r.CreatedAt, r.DecidedBy, r.DecisionNote })
            .ToListAsync(cancellationToken);
        var memberIds = rows.Select(r => r.MemberId).Distinct().ToList();
        // Names come through the scoped set, as on the order list.
        var members = await db.Members.Where(m => memberIds.Contains(m.Id)).ToDictionaryAsync(m => m.Id, m => m.Name, cancellationToken);
        var roles = await ApprovalRules.RequesterRolesAsync(db, rows.Select(r => r.RequestedBy), cancellationToken);
        var manages = db.Caller.Can(Permission.ManageMembers);
        var items = rows.Select(r =>
        {
            var pending = r.Status == RefundStatus.Requested && manages;
            var verdict = ApprovalRules.Judge(db.Caller.Name, db.Caller.Role, r.RequestedBy, roles.TryGetValue(r.RequestedBy, out var role) ? role : null);
            return new RefundView(r.Id, r.OutTradeNo, members.GetValueOrDefault(r.MemberId, "—"), r.OutRefundNo, r.AmountFen, r.Reason, r.Status,
                r.RequestedBy, r.CreatedAt, r.DecidedBy, r.DecisionNote, pending && verdict == ApprovalVerdict.MayDecide, pending && verdict == ApprovalVerdict.IsRequester);
        }).ToList();
        return new PagedResult<RefundView>(items, total, page, pageSize);
    }

    /// <summary>Applies a verified REFUND.* notification. Idempotent.</summary>
    public Task HandleNotificationAsync(RefundNotice notice, CancellationToken cancellationToken = default)
        => ApplyRefundStatusAsync(notice.OutRefundNo, notice.RefundStatus, notice.RefundId, cancellationToken);

    /// <summary>Asks WeChat Pay about approved or processing refunds (lost notifications, failed calls).</summary>
    public async Task SyncAsync(CancellationToken cancellationToken = default)
    {
        List<(string OutRefundNo, RefundStatus Status, string OutTradeNo, long Amount, long Total, string Reason)> open;
        await using (var db = factory.CreateForSystem())
        {
            open = (await db.DuesRefunds.Where(r => r.Status == RefundStatus.Approved || r.Status == RefundStatus.Processing)
                .Select(r => new { r.OutRefundNo, r.Status, r.Order!.OutTradeNo, r.AmountFen, Total = r.Order.AmountFen, r.Reason }).Take(200).ToListAsync(cancellationToken))
                .Select(r => (r.OutRefundNo, r.Status, r.OutTradeNo, r.AmountFen, r.Total, r.Reason)).ToList();
        }
        foreach (var refund in open)
        {
            try
            {
                var result = refund.Status == RefundStatus.Approved
                    ? await RefundOrQueryAsync(refund, cancellationToken)
                    : await pay.QueryRefundAsync(refund.OutRefundNo, cancellationToken);
                await ApplyRefundStatusAsync(refund.OutRefundNo, result.Status, result.RefundId, cancellationToken);
            }
            catch (Exception ex) when (ex is WeChatPayException or HttpRequestException or TimeoutException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Refund sync of {OutRefundNo} failed", refund.OutRefundNo);
            }
        }
        await ReverseMissingPointsAsync(cancellationToken);
    }

    private async Task<PayRefund> RefundOrQueryAsync((string OutRefundNo, RefundStatus Status, string OutTradeNo, long Amount, long Total, string Reason) refund, CancellationToken cancellationToken)
    {
        try
        {
            return await pay.QueryRefundAsync(refund.OutRefundNo, cancellationToken);
        }
        catch (WeChatPayException ex) when (ex.Code == "RESOURCE_NOT_EXISTS" || ex.Status == System.Net.HttpStatusCode.NotFound)
        {
            return await pay.RefundAsync(new RefundRequest(refund.OutTradeNo, refund.OutRefundNo, refund.Amount, refund.Total) { Reason = refund.Reason }, cancellationToken);
        }
    }

    private async Task ApplyRefundStatusAsync(string outRefundNo, string status, string? refundId, CancellationToken cancellationToken)
    {
        await using var db = factory.CreateForSystem();
        var refund = await db.DuesRefunds.Include(r => r.Order).ThenInclude(o => o!.Items).FirstOrDefaultAsync(r => r.OutRefundNo == outRefundNo, cancellationToken);
        if (refund is null || refund.Status is RefundStatus.Succeeded or RefundStatus.Failed or RefundStatus.Rejected)
        {
            return;
        }
        switch (status)
        {
            case "PROCESSING":
                // Compare-and-set: a SUCCESS applied meanwhile (by the notification) must not be overwritten.
                await db.DuesRefunds.Where(r => r.Id == refund.Id && r.Status == RefundStatus.Approved)
                    .ExecuteUpdateAsync(r => r.SetProperty(x => x.Status, RefundStatus.Processing).SetProperty(x => x.RefundId, refundId), cancellationToken);
                return;
            case "SUCCESS":
                var refunded = await factory.InTransactionAsync(async (tx, token) =>
                {
                    var order = refund.Order!;
                    var moved = await tx.PayOrders.Where(o => o.Id == order.Id && o.Status == PayOrderStatus.Refunding)
                        .ExecuteUpdateAsync(o => o.SetProperty(x => x.Status, PayOrderStatus.Refunded).SetProperty(x => x.Version, Guid.NewGuid()), token);
                    if (moved != 1)
                    {
                        return false;
                    }
                    var billIds = order.Items.Select(i => i.BillId).ToList();
                    await tx.DuesBills.Where(b => billIds.Contains(b.Id) && b.PaidByOrderId == order.Id)
                        .ExecuteUpdateAsync(b => b.SetProperty(x => x.Status, BillStatus.Unpaid).SetProperty(x => x.PaidByOrderId, (Guid?)null).SetProperty(x => x.PaidAt, (DateTimeOffset?)null), token);
                    var now = time.GetUtcNow();
                    await tx.DuesRefunds.Where(r => r.Id == refund.Id)
                        .ExecuteUpdateAsync(r => r.SetProperty(x => x.Status, RefundStatus.Succeeded).SetProperty(x => x.RefundId, refundId).SetProperty(x => x.SucceededAt, now), token);
                    activities.Record(tx, DuesActivityTypes.Refunded, order.MemberId, order.OrganizationId, order.OrganizationPath, nameof(PayOrder), order.OutTradeNo,
                        new { amountFen = refund.AmountFen, reason = refund.Reason });
                    await tx.SaveChangesAsync(token);
                    return true;
                }, cancellationToken);
                if (!refunded)
                {
                    return;
                }
                await ReversePointsAsync(db, [(refund.Order!.MemberId, refund.Order.OutTradeNo)], cancellationToken);
                return;
            default: // ABNORMAL, CLOSED
                if (await db.PayOrders.Where(o => o.Id == refund.OrderId && o.Status == PayOrderStatus.Refunding)
                        .ExecuteUpdateAsync(o => o.SetProperty(x => x.Status, PayOrderStatus.Paid).SetProperty(x => x.Version, Guid.NewGuid()), cancellationToken) != 1)
                {
                    return;
                }
                refund.Status = RefundStatus.Failed;
                refund.DecisionNote = $"微信退款结果：{status}";
                db.DuesIssues.Add(new DuesIssue
                {
                    Kind = IssueKind.StateDiffers, OutTradeNo = refund.Order!.OutTradeNo, OutRefundNo = outRefundNo, OurAmountFen = refund.AmountFen,
                    TheirState = status, OurState = "Refunding", Detail = $"退款未成功（{status}），请核实后处理", OrganizationPath = refund.OrganizationPath,
                });
                await db.SaveChangesAsync(cancellationToken);
                return;
        }
    }

    /// <summary>
    /// Reverses the dues points of refunded orders (idempotent: one reversal per entry). Called right after a refund
    /// succeeds and by the sync job for the last 30 days' refunds, so a crash in between loses no reversal.
    /// </summary>
    private async Task ReversePointsAsync(EBranchDbContext db, IReadOnlyList<(Guid MemberId, string OutTradeNo)> orders, CancellationToken cancellationToken)
    {
        var memberIds = orders.Select(o => o.MemberId).Distinct().ToList();
        var sourceKeys = orders.Select(o => "dues:" + o.OutTradeNo).ToList();
        var entries = await db.PointEntries.AsNoTracking()
            .Where(e => memberIds.Contains(e.MemberId) && e.Action == PointActions.DuesPayment && sourceKeys.Contains(e.SourceKey) && e.PointsTenths != 0)
            .Select(e => new { e.Id, e.MemberId }).ToListAsync(cancellationToken);
        var reversalKeys = entries.Select(e => PointsEngine.ReversalSourceKey(e.Id)).ToList();
        var reversed = (await db.PointEntries.AsNoTracking()
            .Where(e => memberIds.Contains(e.MemberId) && e.Action == PointActions.Reversal && reversalKeys.Contains(e.SourceKey))
            .Select(e => e.SourceKey).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        foreach (var entry in entries.Where(e => !reversed.Contains(PointsEngine.ReversalSourceKey(e.Id))))
        {
            await points.ReverseAsync(entry.Id, "党费退款，积分冲正", cancellationToken);
        }
    }

    private async Task ReverseMissingPointsAsync(CancellationToken cancellationToken)
    {
        await using var db = factory.CreateForSystem();
        var since = time.GetUtcNow().AddDays(-30);
        var refunded = await db.DuesRefunds.AsNoTracking().Where(r => r.Status == RefundStatus.Succeeded && r.SucceededAt >= since)
            .OrderByDescending(r => r.SucceededAt).Take(500).Select(r => new { r.Order!.MemberId, r.Order.OutTradeNo }).ToListAsync(cancellationToken);
        if (refunded.Count > 0)
        {
            await ReversePointsAsync(db, refunded.Select(r => (r.MemberId, r.OutTradeNo)).ToList(), cancellationToken);
        }
    }

    private static Task EnsureHigherRoleAsync(EBranchDbContext db, DuesRefund refund, CancellationToken cancellationToken)
        => ApprovalRules.EnsureMayDecideAsync(db, refund.RequestedBy, "退款", cancellationToken);
}
