using EBranch.Core.Common;
using EBranch.Core.Data;
using EBranch.Core.Members;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace EBranch.Core.Dues;

public sealed record BillView(Guid Id, int Month, string MonthLabel, long AmountFen, BillStatus Status, DateTimeOffset? PaidAt);

public sealed record DuesOverview(
    Guid MemberId, string MemberName, long MonthlyFen, string CategoryLabel, int CurrentMonth,
    IReadOnlyList<BillView> Payable, IReadOnlyList<int> PrepayableMonths, int OlderArrearsMonths, IReadOnlyList<BillView> RecentPaid, int? PaidUpTo);

/// <summary>Monthly bills: generated per member per month from the standard in force, prepaid months on demand.</summary>
public sealed class DuesBillingService(EBranchDbFactory factory, IOptions<DuesOptions> options, TimeProvider time)
{
    private DuesOptions Options => options.Value;

    /// <summary>Bills for <paramref name="month"/> for every member in good standing with a standard in force. Idempotent.</summary>
    public async Task<int> GenerateMonthAsync(int month, CancellationToken cancellationToken = default)
    {
        await using var db = factory.CreateForSystem();
        var standards = await StandardsInForceAsync(db, month, null, cancellationToken);
        var billed = (await db.DuesBills.Where(b => b.Month == month).Select(b => b.MemberId).ToListAsync(cancellationToken)).ToHashSet();
        var members = await db.Members.AsNoTracking()
            .Where(m => m.Standing == StandingState.Normal)
            .Select(m => new { m.Id, m.AdmittedOn, m.OrganizationId, m.Organization!.Path })
            .ToListAsync(cancellationToken);
        var created = 0;
        foreach (var chunk in members.Where(m => !billed.Contains(m.Id) && standards.ContainsKey(m.Id) && DuesMonth.Of(m.AdmittedOn) <= month).Chunk(2_000))
        {
            await using var batch = factory.CreateForSystem();
            batch.ChangeTracker.AutoDetectChangesEnabled = false;
            batch.DuesBills.AddRange(chunk.Select(m => new DuesBill
            {
                MemberId = m.Id, Month = month, AmountFen = standards[m.Id].MonthlyFen, OrganizationId = m.OrganizationId, OrganizationPath = m.Path,
            }));
            await batch.SaveChangesAsync(cancellationToken);
            created += chunk.Length;
        }
        return created;
    }

    public async Task<DuesOverview> OverviewAsync(Guid memberId, CancellationToken cancellationToken = default)
    {
        var current = DuesMonth.Current(time);
        await using var db = factory.CreateForSystem();
        var member = await db.Members.AsNoTracking().Where(m => m.Id == memberId).Select(m => new { m.Id, m.Name, m.AdmittedOn }).FirstOrDefaultAsync(cancellationToken)
            ?? throw AppException.NotFound("党员");
        var standard = (await StandardsInForceAsync(db, current, memberId, cancellationToken)).GetValueOrDefault(memberId);
        var earliest = DuesMonth.Add(current, -(Options.MaxBackPayMonths - 1));
        var bills = await db.DuesBills.AsNoTracking().Where(b => b.MemberId == memberId).OrderBy(b => b.Month).ToListAsync(cancellationToken);
        var payable = bills.Where(b => b.Status == BillStatus.Unpaid && b.Month >= earliest).Select(View).ToList();
        var older = bills.Count(b => b.Status == BillStatus.Unpaid && b.Month < earliest);
        var billedMonths = bills.Select(b => b.Month).ToHashSet();
        var prepayable = Enumerable.Range(1, Options.MaxPrepayMonths).Select(i => DuesMonth.Add(current, i)).Where(m => !billedMonths.Contains(m)).ToList();
        if (standard is null)
        {
            prepayable.Clear();
        }
        var paid = bills.Where(b => b.Status == BillStatus.Paid).ToList();
        return new DuesOverview(member.Id, member.Name, standard?.MonthlyFen ?? 0, standard is null ? "未设置" : DuesCalculator.CategoryLabel(standard.Category), current,
            payable, prepayable, older, paid.OrderByDescending(b => b.Month).Take(12).Select(View).ToList(), paid.Count > 0 ? paid.Max(b => b.Month) : null);
    }

    /// <summary>
    /// The bills an order for <paramref name="months"/> covers, creating prepaid months' bills. Every month must be
    /// within the back-pay and prepay windows and unpaid.
    /// </summary>
    internal async Task<List<DuesBill>> BillsForPaymentAsync(EBranchDbContext db, Guid memberId, IReadOnlyCollection<int> months, CancellationToken cancellationToken)
    {
        var current = DuesMonth.Current(time);
        var earliest = DuesMonth.Add(current, -(Options.MaxBackPayMonths - 1));
        var latest = DuesMonth.Add(current, Options.MaxPrepayMonths);
        if (months.Count == 0 || months.Count != months.Distinct().Count())
        {
            throw Invalid("请选择要缴纳的月份（不可重复）");
        }
        if (months.Any(m => !DuesMonth.IsValid(m) || m < earliest))
        {
            throw Invalid($"只能补缴最近{Options.MaxBackPayMonths}个月的党费，更早的欠缴请联系所在党支部");
        }
        if (months.Any(m => m > latest))
        {
            throw Invalid($"最多可预缴{Options.MaxPrepayMonths}个月");
        }
        var bills = await db.DuesBills.Where(b => b.MemberId == memberId && months.Contains(b.Month)).ToListAsync(cancellationToken);
        if (bills.Any(b => b.Status == BillStatus.Paid))
        {
            throw AppException.Conflict(DuesErrors.AlreadyPaid, "所选月份中有已缴纳的月份，请刷新后重试");
        }
        var missing = months.Except(bills.Select(b => b.Month)).ToList();
        if (missing.Any(m => m <= current))
        {
            throw Invalid("所选月份没有应缴账单，请刷新后重试");
        }
        if (missing.Count > 0)
        {
            var member = await db.Members.Where(m => m.Id == memberId).Select(m => new { m.OrganizationId, m.Organization!.Path }).FirstAsync(cancellationToken);
            foreach (var month in missing)
            {
                var standard = (await StandardsInForceAsync(db, month, memberId, cancellationToken)).GetValueOrDefault(memberId)
                    ?? throw Invalid("尚未设置党费标准，请联系所在党支部");
                var bill = new DuesBill { MemberId = memberId, Month = month, AmountFen = standard.MonthlyFen, OrganizationId = member.OrganizationId, OrganizationPath = member.Path };
                db.DuesBills.Add(bill);
                bills.Add(bill);
            }
        }
        return bills.OrderBy(b => b.Month).ToList();
    }

    /// <summary>The standard in force for <paramref name="month"/> per member (all members, or one).</summary>
    internal static async Task<Dictionary<Guid, DuesStandard>> StandardsInForceAsync(EBranchDbContext db, int month, Guid? memberId, CancellationToken cancellationToken)
    {
        var query = db.DuesStandards.AsNoTracking().Where(s => s.EffectiveFrom <= month);
        if (memberId is { } id)
        {
            query = query.Where(s => s.MemberId == id);
        }
        var rows = await query.ToListAsync(cancellationToken);
        return rows.GroupBy(s => s.MemberId).ToDictionary(g => g.Key, g => g.OrderByDescending(s => s.EffectiveFrom).ThenByDescending(s => s.CreatedAt).First());
    }

    private static BillView View(DuesBill b) => new(b.Id, b.Month, DuesMonth.Label(b.Month), b.AmountFen, b.Status, b.PaidAt);

    private static AppException Invalid(string message) => AppException.Validation(new Dictionary<string, string[]> { ["months"] = [message] });
}
