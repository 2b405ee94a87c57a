using EBranch.Core.Accounts;
using EBranch.Core.Common;
using EBranch.Core.Data;
using EBranch.Core.WeChat.Pay;
using Microsoft.EntityFrameworkCore;

namespace EBranch.Core.Dues;

public sealed record ReconciliationResult(DateOnly Date, int BillRows, int OurOrders, int NewIssues, bool HashMismatch);

/// <summary>
/// Daily reconciliation: WeChat Pay's trade bill for a day (SHA1-checked) against our orders and refunds.
/// Every difference is stored as a <see cref="DuesIssue"/> and stays in the console until someone resolves it.
/// Running a day again adds no duplicate issues.
/// </summary>
public sealed class ReconciliationService(EBranchDbFactory factory, ScopedDb scopedDb, WeChatPayClient pay, TimeProvider time)
{
    public async Task<ReconciliationResult> ReconcileAsync(DateOnly date, CancellationToken cancellationToken = default)
    {
        TradeBill bill;
        try
        {
            bill = await pay.GetTradeBillAsync(date, cancellationToken);
        }
        catch (WeChatPayBillHashMismatchException ex)
        {
            await using var db = factory.CreateForSystem();
            var flagged = await AddAsync(db, date, [new DuesIssue
            {
                Kind = IssueKind.BillHashMismatch, BillDate = date, Detail = $"对账单校验失败（SHA1 应为 {ex.Expected}，实为 {ex.Actual}），本日未对账",
            }], cancellationToken);
            return new ReconciliationResult(date, 0, 0, flagged, true);
        }

        var start = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.FromHours(8)).ToUniversalTime();
        var end = start.AddDays(1);
        await using var context = factory.CreateForSystem();
        var ours = await context.PayOrders.AsNoTracking().Where(o => o.PaidAt >= start && o.PaidAt < end).ToListAsync(cancellationToken);
        var byNumber = ours.ToDictionary(o => o.OutTradeNo);
        var rowNumbers = bill.Rows.Select(r => r.OutTradeNo).ToHashSet();
        var mentioned = await context.PayOrders.AsNoTracking().Where(o => rowNumbers.Contains(o.OutTradeNo)).ToDictionaryAsync(o => o.OutTradeNo, cancellationToken);
        var refunds = await context.DuesRefunds.AsNoTracking().Where(r => bill.Rows.Select(b => b.OutRefundNo).Contains(r.OutRefundNo)).ToDictionaryAsync(r => r.OutRefundNo, cancellationToken);

        var issues = new List<DuesIssue>();
        foreach (var row in bill.Rows)
        {
            var isRefund = !string.IsNullOrEmpty(row.OutRefundNo) && row.OutRefundNo != "0";
            mentioned.TryGetValue(row.OutTradeNo, out var order);
            var path = order?.OrganizationPath ?? "/";
            if (isRefund)
            {
                if (!refunds.TryGetValue(row.OutRefundNo, out var refund))
                {
                    issues.Add(Issue(IssueKind.MissingHere, date, row, null, null, $"微信对账单有退款 {row.OutRefundNo}，本系统无此退款", path));
                }
                else if (refund.Status != RefundStatus.Succeeded && row.RefundState == "SUCCESS")
                {
                    issues.Add(Issue(IssueKind.StateDiffers, date, row, refund.AmountFen, refund.Status.ToString(), "微信已退款，本系统退款未完成", path));
                }
                else if (refund.AmountFen != row.RefundFen)
                {
                    issues.Add(Issue(IssueKind.AmountDiffers, date, row, refund.AmountFen, refund.Status.ToString(), $"退款金额不符：本系统 {DuesCalculator.Yuan(refund.AmountFen)} 元，微信 {DuesCalculator.Yuan(row.RefundFen)} 元", path));
                }
                continue;
            }
            if (order is null)
            {
                issues.Add(Issue(IssueKind.MissingHere, date, row, null, null, $"微信对账单有订单 {row.OutTradeNo}，本系统无此订单", path));
            }
            else if (order.AmountFen != row.OrderTotalFen)
            {
                issues.Add(Issue(IssueKind.AmountDiffers, date, row, order.AmountFen, order.Status.ToString(), $"金额不符：本系统 {DuesCalculator.Yuan(order.AmountFen)} 元，微信 {DuesCalculator.Yuan(row.OrderTotalFen)} 元", path));
            }
            else if (row.TradeState == "SUCCESS" && order.Status is not (PayOrderStatus.Paid or PayOrderStatus.Refunding or PayOrderStatus.Refunded))
            {
                issues.Add(Issue(IssueKind.StateDiffers, date, row, order.AmountFen, order.Status.ToString(), "微信已支付，本系统未记为已支付", path));
            }
        }
        foreach (var order in ours.Where(o => !rowNumbers.Contains(o.OutTradeNo)))
        {
            issues.Add(new DuesIssue
            {
                Kind = IssueKind.MissingThere, BillDate = date, OutTradeNo = order.OutTradeNo, OurAmountFen = order.AmountFen, OurState = order.Status.ToString(),
                Detail = $"本系统已支付订单 {order.OutTradeNo} 不在微信对账单中", OrganizationPath = order.OrganizationPath,
            });
        }
        var added = await AddAsync(context, date, issues, cancellationToken);
        return new ReconciliationResult(date, bill.Rows.Count, ours.Count, added, false);
    }

    /// <summary>A run for a date started from the console: district-wide administrators only (the bill covers every township).</summary>
    public async Task<ReconciliationResult> ReconcileAsCallerAsync(DateOnly date, CancellationToken cancellationToken = default)
    {
        var caller = await scopedDb.CallerAsync(cancellationToken);
        caller.Demand(Permission.ManageMembers);
        if (caller.Scope.Kind != DataScopeKind.All)
        {
            throw AppException.Forbidden("只有区级管理员可以重新对账");
        }
        if (date >= DistrictTime.Today(time))
        {
            throw AppException.Validation(new Dictionary<string, string[]> { ["date"] = ["只能对今天以前的日期对账"] });
        }
        return await ReconcileAsync(date, cancellationToken);
    }

    public async Task<PagedResult<DuesIssue>> IssuesAsync(bool unresolvedOnly, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        await using var db = await scopedDb.OpenAsync(cancellationToken);
        db.Caller.Demand(Permission.ViewMembers);
        (page, pageSize) = Paging.Normalize(page, pageSize);
        var query = db.DuesIssues.AsNoTracking();
        if (unresolvedOnly)
        {
            query = query.Where(i => i.ResolvedAt == null);
        }
        var total = await query.CountAsync(cancellationToken);
        var items = await query.OrderByDescending(i => i.CreatedAt).Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(cancellationToken);
        return new PagedResult<DuesIssue>(items, total, page, pageSize);
    }

    public async Task ResolveAsync(Guid issueId, string resolution, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(resolution) || resolution.Trim().Length > 200)
        {
            throw AppException.Validation(new Dictionary<string, string[]> { ["resolution"] = ["请填写处理说明（不超过200字）"] });
        }
        await using var db = await scopedDb.OpenAsync(cancellationToken);
        db.Caller.Demand(Permission.ManageMembers);
        var issue = await db.DuesIssues.FirstOrDefaultAsync(i => i.Id == issueId, cancellationToken) ?? throw AppException.NotFound("对账差异");
        issue.ResolvedAt = time.GetUtcNow();
        issue.ResolvedBy = db.Caller.Name;
        issue.Resolution = resolution.Trim();
        await db.SaveChangesAsync(cancellationToken);
    }

    private static DuesIssue Issue(IssueKind kind, DateOnly date, TradeBillRow row, long? ours, string? ourState, string detail, string path) => new()
    {
        Kind = kind, BillDate = date, OutTradeNo = row.OutTradeNo, OutRefundNo = string.IsNullOrEmpty(row.OutRefundNo) || row.OutRefundNo == "0" ? null : row.OutRefundNo,
        OurAmountFen = ours, TheirAmountFen = kind == IssueKind.AmountDiffers && row.RefundFen > 0 ? row.RefundFen : row.OrderTotalFen,
        OurState = ourState, TheirState = row.TradeState, Detail = detail, OrganizationPath = path,
    };

    private static async Task<int> AddAsync(EBranchDbContext db, DateOnly date, List<DuesIssue> issues, CancellationToken cancellationToken)
    {
        var existing = await db.DuesIssues.Where(i => i.BillDate == date).Select(i => new { i.Kind, i.OutTradeNo, i.OutRefundNo }).ToListAsync(cancellationToken);
        var fresh = issues.Where(i => !existing.Any(e => e.Kind == i.Kind && e.OutTradeNo == i.OutTradeNo && e.OutRefundNo == i.OutRefundNo)).ToList();
        db.DuesIssues.AddRange(fresh);
        await db.SaveChangesAsync(cancellationToken);
        return fresh.Count;
    }
}
