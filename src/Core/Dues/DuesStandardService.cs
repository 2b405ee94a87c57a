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
