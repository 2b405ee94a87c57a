using EBranch.Core.Accounts;
using EBranch.Core.Common;
using EBranch.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace EBranch.Core.Dues;

public sealed record PayOrderView(Guid Id, string OutTradeNo, Guid MemberId, string MemberName, string OrganizationName, long AmountFen, long ExtraFen,
    PayOrderStatus Status, bool PaidOnBehalf, string Description, IReadOnlyList<int> Months, DateTimeOffset CreatedAt, DateTimeOffset? PaidAt,
    bool RefundPending = false);

/// <summary>WeChat Pay orders of the caller's subtree, for the console (read only; refunds go through <see cref="DuesRefundService"/>).</summary>
public sealed class DuesOrderService(ScopedDb scopedDb)
{
    public async Task<PagedResult<PayOrderView>> ListAsync(PayOrderStatus? status, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        await using var db = await scopedDb.OpenAsync(cancellationToken);
        db.Caller.Demand(Permission.ViewMembers);
        (page, pageSize) = Paging.Normalize(page, pageSize);
        var query = db.PayOrders.AsNoTracking();
        if (status is { } s)
        {
            query = query.Where(o => o.Status == s);
        }
        var total = await query.CountAsync(cancellationToken);
        var orders = await query.OrderByDescending(o => o.CreatedAt).Skip((page - 1) * pageSize).Take(pageSize)
            .Select(o => new
            {
                o.Id, o.OutTradeNo, o.MemberId, o.OrganizationId, o.AmountFen, o.ExtraFen, o.Status, o.PaidOnBehalf, o.Description, o.CreatedAt, o.PaidAt,
                Months = o.Items.OrderBy(i => i.Month).Select(i => i.Month).ToList(),
                RefundPending = db.DuesRefunds.Any(r => r.OrderId == o.Id && r.Status == RefundStatus.Requested),
            })
            .ToListAsync(cancellationToken);
        var memberIds = orders.Select(o => o.MemberId).Distinct().ToList();
        var organizationIds = orders.Select(o => o.OrganizationId).Distinct().ToList();
        // Names come through the scoped sets: a member moved out of the subtree since paying shows no name.
        var members = await db.Members.Where(m => memberIds.Contains(m.Id)).ToDictionaryAsync(m => m.Id, m => m.Name, cancellationToken);
        var organizations = await db.Organizations.Where(o => organizationIds.Contains(o.Id)).ToDictionaryAsync(o => o.Id, o => o.Name, cancellationToken);
        var items = orders.Select(o => new PayOrderView(o.Id, o.OutTradeNo, o.MemberId, members.GetValueOrDefault(o.MemberId, "—"),
            organizations.GetValueOrDefault(o.OrganizationId, "—"), o.AmountFen, o.ExtraFen, o.Status, o.PaidOnBehalf, o.Description, o.Months, o.CreatedAt, o.PaidAt, o.RefundPending)).ToList();
        return new PagedResult<PayOrderView>(items, total, page, pageSize);
    }
}
