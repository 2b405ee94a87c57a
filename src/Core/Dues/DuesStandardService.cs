using EBranch.Core.Accounts;
using EBranch.Core.Common;
using EBranch.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace EBranch.Core.Dues;

public sealed class DuesStandardInput
{
    public DuesCategory Category { get; set; } = DuesCategory.Employed;

    /// <summary>Declared monthly base in fen (not needed for farmers and the flat 0.2-yuan categories).</summary>
    public long? BaseFen { get; set; }

    /// <summary>The month (yyyyMM) the standard applies from: the month the new pay is received.</summary>
    public int EffectiveFrom { get; set; }
    public string? Note { get; set; }
}

public sealed record StandardView(Guid Id, DuesCategory Category, string CategoryLabel, long? BaseFen, int RateBasisPoints, long AmountFen, long? ReducedAmountFen,
    int EffectiveFrom, string? Note, string? CreatedBy, DateTimeOffset CreatedAt);

public sealed record ReductionView(Guid Id, string MemberName, long ReducedAmountFen, int EffectiveFrom, string Reason, ReductionStatus Status,
    string RequestedBy, DateTimeOffset RequestedAt, string? DecidedBy, bool CanDecide = false, bool CanWithdraw = false);

/// <summary>Sets members' dues standards (scoped: only members in the caller's subtree), keeping every earlier version.</summary>
public sealed class DuesStandardService(ScopedDb scopedDb, TimeProvider time)
{
    public async Task<IReadOnlyList<StandardView>> HistoryAsync(Guid memberId, CancellationToken cancellationToken = default)
    {
        await using var db = await scopedDb.OpenAsync(cancellationToken);
        db.Caller.Demand(Permission.ViewMembers);
        if (!await db.Members.AnyAsync(m => m.Id == memberId, cancellationToken))
        {
            throw AppException.NotFound("党员");
        }
        return await db.DuesStandards.AsNoTracking().Where(s => s.MemberId == memberId).OrderByDescending(s => s.EffectiveFrom).ThenByDescending(s => s.CreatedAt)
            .Select(s => new StandardView(s.Id, s.Category, DuesCalculator.CategoryLabel(s.Category), s.BaseFen, s.RateBasisPoints, s.AmountFen, s.ReducedAmountFen,
                s.EffectiveFrom, s.Note, s.CreatedBy, s.CreatedAt))
            .ToListAsync(cancellationToken);
    }

    public async Task<PagedResult<ReductionView>> ReductionsAsync(ReductionStatus? status, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        await using var db = await scopedDb.OpenAsync(cancellationToken);
        db.Caller.Demand(Permission.ViewMembers);
        (page, pageSize) = Paging.Normalize(page, pageSize);
        var query = db.DuesReductions.AsNoTracking();
        if (status is { } s)
        {
            query = query.Where(r => r.Status == s);
        }
        var total = await query.CountAsync(cancellationToken);
        var items = await query.OrderByDescending(r => r.CreatedAt).Skip((page - 1) * pageSize).Take(pageSize)
            .Join(db.Members, r => r.MemberId, m => m.Id, (r, m) => new ReductionView(r.Id, m.Name, r.ReducedAmountFen, r.EffectiveFrom, r.Reason, r.Status,
                r.RequestedBy, r.CreatedAt, r.DecidedBy, false, false))
            .ToListAsync(cancellationToken);
        var roles = await ApprovalRules.RequesterRolesAsync(db, items.Select(r => r.RequestedBy), cancellationToken);
        var manages = db.Caller.Can(Permission.ManageMembers);
        items = items.Select(r =>
        {
            var pending = r.Status == ReductionStatus.Requested && manages;
            var verdict = ApprovalRules.Judge(db.Caller.Name, db.Caller.Role, r.RequestedBy, roles.TryGetValue(r.RequestedBy, out var role) ? role : null);
            return r with { CanDecide = pending && verdict == ApprovalVerdict.MayDecide, CanWithdraw = pending && verdict == ApprovalVerdict.IsRequester };
        }).ToList();
        return new PagedResult<ReductionView>(items, total, page, pageSize);
    }

    /// <summary>The branch asks for a hardship reduction of a member's monthly dues from a month on.</summary>
    public async Task<Guid> RequestReductionAsync(Guid memberId, long reducedAmountFen, int effectiveFrom, string reason, CancellationToken cancellationToken = default)
    {
        await using var db = await scopedDb.OpenAsync(cancellationToken);
        db.Caller.Demand(Permission.ManageMembers);
        var member = await db.Members.Include(m => m.Organization).FirstOrDefaultAsync(m => m.Id == memberId, cancellationToken) ?? throw AppException.NotFound("党员");
        var standard = (await DuesBillingService.StandardsInForceAsync(db, effectiveFrom, memberId, cancellationToken)).GetValueOrDefault(memberId);
        var errors = new Dictionary<string, string[]>();
        if (standard is null)
        {
            errors["effectiveFrom"] = ["该月份尚无党费标准，请先设置标准"];
        }
        else if (reducedAmountFen < 0 || reducedAmountFen >= standard.AmountFen)
        {
            errors["reducedAmountFen"] = ["减免后的金额须低于按规定应缴的金额"];
        }
        if (string.IsNullOrWhiteSpace(reason) || reason.Trim().Length > 200)
        {
            errors["reason"] = ["请填写困难情况说明（不超过200字）"];
        }
        if (!DuesMonth.IsValid(effectiveFrom) || effectiveFrom < DuesMonth.Current(time))
        {
            errors["effectiveFrom"] = ["减免自本月或以后的月份起生效"];
        }
        if (errors.Count > 0)
        {
            throw AppException.Validation(errors);
        }
        var reduction = new DuesReduction
        {
            MemberId = memberId, ReducedAmountFen = reducedAmountFen, EffectiveFrom = effectiveFrom, Reason = reason.Trim(),
            RequestedBy = db.Caller.Name, OrganizationPath = member.Organization!.Path,
        };
        db.DuesReductions.Add(reduction);
        await db.SaveChangesAsync(cancellationToken);
        return reduction.Id;
    }

    /// <summary>The requester takes back a pending reduction request.</summary>
    public async Task WithdrawReductionAsync(Guid reductionId, CancellationToken cancellationToken = default)
    {
        await using var db = await scopedDb.OpenAsync(cancellationToken);
        db.Caller.Demand(Permission.ManageMembers);
        var reduction = await db.DuesReductions.FirstOrDefaultAsync(r => r.Id == reductionId, cancellationToken) ?? throw AppException.NotFound("减免申请");
        ApprovalRules.EnsureMayWithdraw(db.Caller, reduction.RequestedBy, "困难减免");
        if (await db.DuesReductions.Where(r => r.Id == reduction.Id && r.Status == ReductionStatus.Requested)
                .ExecuteUpdateAsync(r => r.SetProperty(x => x.Status, ReductionStatus.Withdrawn).SetProperty(x => x.DecidedAt, time.GetUtcNow())
                .SetProperty(x => x.UpdatedAt, time.GetUtcNow()).SetProperty(x => x.UpdatedBy, db.Caller.Name), cancellationToken) != 1)
        {
            throw AppException.Conflict("reduction_not_pending", "该减免申请已处理");
        }
    }

    /// <summary>Decided by <see cref="ApprovalRules"/> (the higher committee; another district user at the top). Approval adds a standard version with the reduced amount from the requested month.</summary>
    public async Task DecideReductionAsync(Guid reductionId, bool approve, CancellationToken cancellationToken = default)
    {
        await using var db = await scopedDb.OpenAsync(cancellationToken);
        db.Caller.Demand(Permission.ManageMembers);
        var reduction = await db.DuesReductions.FirstOrDefaultAsync(r => r.Id == reductionId, cancellationToken) ?? throw AppException.NotFound("减免申请");
        await ApprovalRules.EnsureMayDecideAsync(db, reduction.RequestedBy, "困难减免", cancellationToken);
        if (reduction.Status != ReductionStatus.Requested)
        {
            throw AppException.Conflict("reduction_not_pending", "该减免申请已处理");
        }
        reduction.Status = approve ? ReductionStatus.Approved : ReductionStatus.Rejected;
        reduction.DecidedBy = db.Caller.Name;
        reduction.DecidedAt = time.GetUtcNow();
        if (approve)
        {
            var current = (await DuesBillingService.StandardsInForceAsync(db, reduction.EffectiveFrom, reduction.MemberId, cancellationToken))[reduction.MemberId];
            db.DuesStandards.Add(new DuesStandard
            {
                MemberId = reduction.MemberId, Category = current.Category, BaseFen = current.BaseFen, RateBasisPoints = current.RateBasisPoints,
                AmountFen = current.AmountFen, ReducedAmountFen = reduction.ReducedAmountFen, ReductionApprovedBy = db.Caller.Name,
                EffectiveFrom = reduction.EffectiveFrom, Note = "困难减免：" + reduction.Reason[..Math.Min(reduction.Reason.Length, 150)],
            });
            if (!await db.PayOrders.AnyAsync(o => o.MemberId == reduction.MemberId && o.Status == PayOrderStatus.Waiting, cancellationToken))
            {
                await db.DuesBills.Where(b => b.MemberId == reduction.MemberId && b.Month >= reduction.EffectiveFrom && b.Status == BillStatus.Unpaid)
                    .ExecuteUpdateAsync(b => b.SetProperty(x => x.AmountFen, reduction.ReducedAmountFen), cancellationToken);
            }
        }
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<StandardView> SetAsync(Guid memberId, DuesStandardInput input, CancellationToken cancellationToken = default)
    {
        await using var db = await scopedDb.OpenAsync(cancellationToken);
        db.Caller.Demand(Permission.ManageMembers);
        var member = await db.Members.FirstOrDefaultAsync(m => m.Id == memberId, cancellationToken) ?? throw AppException.NotFound("党员");
        var errors = new Dictionary<string, string[]>();
        var current = DuesMonth.Current(time);
        if (!DuesMonth.IsValid(input.EffectiveFrom) || input.EffectiveFrom < DuesMonth.Add(current, -12) || input.EffectiveFrom > DuesMonth.Add(current, 12))
        {
            errors[nameof(input.EffectiveFrom)] = ["生效月份须在前后12个月之内"];
        }
        var needsBase = input.Category is DuesCategory.Employed or DuesCategory.Retired or DuesCategory.AnnualSalary or DuesCategory.SelfEmployed;
        if (needsBase && input.BaseFen is not (>= 0 and <= 100_000_000_00))
        {
            errors[nameof(input.BaseFen)] = ["请填写缴费基数（0至1亿元）"];
        }
        if (errors.Count > 0)
        {
            throw AppException.Validation(errors);
        }
        var farmerFen = await db.BranchDuesSettings.Where(s => s.OrganizationId == member.OrganizationId).Select(s => (long?)s.FarmerAmountFen).FirstOrDefaultAsync(cancellationToken)
            ?? DuesCalculator.FarmerMinFen;
        var amount = DuesCalculator.Compute(input.Category, needsBase ? input.BaseFen : null, farmerFen);
        var standard = new DuesStandard
        {
            MemberId = memberId, Category = input.Category, BaseFen = needsBase ? input.BaseFen : null, RateBasisPoints = amount.RateBasisPoints,
            AmountFen = amount.AmountFen, EffectiveFrom = input.EffectiveFrom, Note = input.Note?.Trim() is { Length: > 0 } n ? n[..Math.Min(n.Length, 200)] : null,
        };
        db.DuesStandards.Add(standard);
        // Unpaid bills from that month on follow the new standard (a pay change applies from the month it is received).
        var bills = await db.DuesBills.Where(b => b.MemberId == memberId && b.Month >= input.EffectiveFrom && b.Status == BillStatus.Unpaid).ToListAsync(cancellationToken);
        var openOrders = await db.PayOrders.AnyAsync(o => o.MemberId == memberId && o.Status == PayOrderStatus.Waiting, cancellationToken);
        if (!openOrders)
        {
            bills.ForEach(b => b.AmountFen = amount.AmountFen);
        }
        await db.SaveChangesAsync(cancellationToken);
        return new StandardView(standard.Id, standard.Category, DuesCalculator.CategoryLabel(standard.Category), standard.BaseFen, standard.RateBasisPoints,
            standard.AmountFen, null, standard.EffectiveFrom, standard.Note, standard.CreatedBy, standard.CreatedAt);
    }
}
