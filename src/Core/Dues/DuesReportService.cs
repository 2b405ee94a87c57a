using EBranch.Core.Accounts;
using EBranch.Core.Common;
using EBranch.Core.Data;
using EBranch.Core.Organizations;
using Microsoft.EntityFrameworkCore;
using MiniExcelLibs;

namespace EBranch.Core.Dues;

public sealed record BranchDuesRow(Guid OrganizationId, string OrganizationName, int ExpectedCount, long ExpectedFen, int PaidCount, long PaidFen)
{
    /// <summary>Paid bills / expected bills, 0-1.</summary>
    public double CollectionRate => ExpectedCount == 0 ? 0 : (double)PaidCount / ExpectedCount;
}

public sealed record DuesReport(Guid OrganizationId, int Month, IReadOnlyList<BranchDuesRow> Rows, BranchDuesRow Total);

public sealed record UnpaidMember(Guid MemberId, string Name, string OrganizationName, long AmountFen, int ConsecutiveUnpaidMonths, string? Warning);

/// <summary>A page of unpaid members and how many of all of them carry a warning.</summary>
public sealed record UnpaidList(PagedResult<UnpaidMember> Members, int WarnedCount);

/// <summary>
/// Collection per branch and month, unpaid lists and arrears warnings, scoped to the caller's subtree.
/// A report's total is the sum of its rows, computed from them.
/// </summary>
public sealed class DuesReportService(ScopedDb scopedDb, TimeProvider time)
{
    public async Task<DuesReport> BranchMonthAsync(Guid organizationId, int month, CancellationToken cancellationToken = default)
    {
        await using var db = await scopedDb.OpenAsync(cancellationToken);
        db.Caller.Demand(Permission.ViewMembers);
        var root = await db.Organizations.FirstOrDefaultAsync(o => o.Id == organizationId, cancellationToken) ?? throw AppException.NotFound("组织");
        var groups = await db.DuesBills.AsNoTracking()
            .Where(b => b.Month == month && b.OrganizationPath.StartsWith(root.Path))
            .GroupBy(b => b.OrganizationId)
            .Select(g => new
            {
                OrganizationId = g.Key,
                ExpectedCount = g.Count(),
                ExpectedFen = g.Sum(b => b.AmountFen),
                PaidCount = g.Count(b => b.Status == BillStatus.Paid),
                PaidFen = g.Sum(b => b.Status == BillStatus.Paid ? b.AmountFen : 0),
            })
            .ToListAsync(cancellationToken);
        var ids = groups.Select(g => g.OrganizationId).ToList();
        var names = await db.Organizations.Where(o => ids.Contains(o.Id)).ToDictionaryAsync(o => o.Id, o => o.Name, cancellationToken);
        var rows = groups.Select(g => new BranchDuesRow(g.OrganizationId, names.GetValueOrDefault(g.OrganizationId, ""), g.ExpectedCount, g.ExpectedFen, g.PaidCount, g.PaidFen))
            .OrderBy(r => r.OrganizationName, StringComparer.Ordinal).ToList();
        var total = new BranchDuesRow(root.Id, root.Name + "（合计）", rows.Sum(r => r.ExpectedCount), rows.Sum(r => r.ExpectedFen), rows.Sum(r => r.PaidCount), rows.Sum(r => r.PaidFen));
        return new DuesReport(root.Id, month, rows, total);
    }

    /// <summary>
    /// One page of the subtree's members with the month unpaid (optionally filtered by member or organization name),
    /// most consecutive unpaid months first, with the warning level (2/4/6) and how many are warned in all. Counted
    /// in the database: a district-wide list is 17,000 members × 12 months of bills.
    /// </summary>
    public async Task<UnpaidList> UnpaidAsync(Guid organizationId, int month, string? keyword, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        await using var db = await scopedDb.OpenAsync(cancellationToken);
        db.Caller.Demand(Permission.ViewMembers);
        (page, pageSize) = Paging.Normalize(page, pageSize);
        var root = await db.Organizations.FirstOrDefaultAsync(o => o.Id == organizationId, cancellationToken) ?? throw AppException.NotFound("组织");
        var windowStart = DuesMonth.Add(month, -11);
        var beforeWindow = DuesMonth.Add(windowStart, -1);
        // The streak: unpaid bills since the last paid one within the window ((member, month) is unique and indexed).
        var rows = from bill in db.DuesBills.AsNoTracking()
                   where bill.Month == month && bill.Status == BillStatus.Unpaid && bill.OrganizationPath.StartsWith(root.Path)
                   join member in db.Members on bill.MemberId equals member.Id
                   let lastPaid = db.DuesBills.Where(b => b.MemberId == bill.MemberId && b.Month >= windowStart && b.Month < month && b.Status == BillStatus.Paid)
                       .Max(b => (int?)b.Month) ?? beforeWindow
                   select new
                   {
                       bill.MemberId, member.Name, OrganizationName = member.Organization!.Name, bill.AmountFen,
                       Streak = db.DuesBills.Count(b => b.MemberId == bill.MemberId && b.Month > lastPaid && b.Month <= month && b.Status == BillStatus.Unpaid),
                   };
        if (!string.IsNullOrWhiteSpace(keyword))
        {
            var k = keyword.Trim();
            rows = rows.Where(r => r.Name.Contains(k) || r.OrganizationName.Contains(k));
        }
        var total = await rows.CountAsync(cancellationToken);
        var warned = await rows.CountAsync(r => r.Streak >= 2, cancellationToken);
        var items = (await rows.OrderByDescending(r => r.Streak).ThenBy(r => r.OrganizationName).ThenBy(r => r.Name).ThenBy(r => r.MemberId)
                .Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(cancellationToken))
            .Select(r => new UnpaidMember(r.MemberId, r.Name, r.OrganizationName, r.AmountFen, r.Streak, Warning(r.Streak))).ToList();
        return new UnpaidList(new PagedResult<UnpaidMember>(items, total, page, pageSize), warned);
    }

    /// <summary>Six consecutive unpaid months without good reason count as leaving the Party: warn at 2 and 4.</summary>
    public static string? Warning(int consecutiveUnpaidMonths) => consecutiveUnpaidMonths switch
    {
        >= 6 => "已连续6个月未缴纳党费，按规定视为自行脱党，请支部立即核实处理",
        >= 4 => "已连续4个月未缴纳党费，请支部谈话提醒",
        >= 2 => "已连续2个月未缴纳党费，请提醒按时缴纳",
        _ => null,
    };

    /// <summary>The branch/month report as an .xlsx (rows, then the total row).</summary>
    public async Task<byte[]> ExportAsync(Guid organizationId, int month, CancellationToken cancellationToken = default)
    {
        var report = await BranchMonthAsync(organizationId, month, cancellationToken);
        var rows = report.Rows.Append(report.Total).Select(r => new Dictionary<string, object>
        {
            ["党组织"] = r.OrganizationName,
            ["应缴人数"] = r.ExpectedCount,
            ["应缴金额(元)"] = DuesCalculator.Yuan(r.ExpectedFen),
            ["已缴人数"] = r.PaidCount,
            ["已缴金额(元)"] = DuesCalculator.Yuan(r.PaidFen),
            ["收缴率"] = r.CollectionRate.ToString("P1", System.Globalization.CultureInfo.GetCultureInfo("zh-CN")),
        });
        using var stream = new MemoryStream();
        await stream.SaveAsAsync(rows, sheetName: DuesMonth.Label(month), cancellationToken: cancellationToken);
        return stream.ToArray();
    }

    public async Task<BranchDuesSettings> SettingsAsync(Guid organizationId, CancellationToken cancellationToken = default)
    {
        await using var db = await scopedDb.OpenAsync(cancellationToken);
        db.Caller.Demand(Permission.ViewMembers);
        _ = await db.Organizations.FirstOrDefaultAsync(o => o.Id == organizationId, cancellationToken) ?? throw AppException.NotFound("组织");
        return await db.BranchDuesSettings.AsNoTracking().FirstOrDefaultAsync(s => s.OrganizationId == organizationId, cancellationToken)
            ?? new BranchDuesSettings { OrganizationId = organizationId };
    }

    public async Task SaveSettingsAsync(Guid organizationId, int reminderDay, string? collector, bool allowWeChatPay, bool allowCash, long farmerAmountFen,
        CancellationToken cancellationToken = default)
    {
        var errors = new Dictionary<string, string[]>();
        if (reminderDay is < 1 or > 28)
        {
            errors["reminderDay"] = ["提醒日须为每月1-28日"];
        }
        if (farmerAmountFen is < DuesCalculator.FarmerMinFen or > DuesCalculator.FarmerMaxFen)
        {
            errors["farmerAmountFen"] = ["农民党员党费须为每月0.2元至1元"];
        }
        if (errors.Count > 0)
        {
            throw AppException.Validation(errors);
        }
        await using var db = await scopedDb.OpenAsync(cancellationToken);
        db.Caller.Demand(Permission.ManageMembers);
        var organization = await db.Organizations.FirstOrDefaultAsync(o => o.Id == organizationId, cancellationToken) ?? throw AppException.NotFound("组织");
        if (organization.Kind == OrganizationKind.PartyGroup)
        {
            throw AppException.Validation(new Dictionary<string, string[]> { ["organizationId"] = ["党费设置属于党支部"] });
        }
        var settings = await db.BranchDuesSettings.FirstOrDefaultAsync(s => s.OrganizationId == organizationId, cancellationToken);
        if (settings is null)
        {
            settings = new BranchDuesSettings { OrganizationId = organizationId };
            db.BranchDuesSettings.Add(settings);
        }
        settings.ReminderDay = reminderDay;
        settings.Collector = collector?.Trim() is { Length: > 0 } c ? c[..Math.Min(c.Length, 32)] : null;
        settings.AllowWeChatPay = allowWeChatPay;
        settings.AllowCash = allowCash;
        settings.FarmerAmountFen = farmerAmountFen;
        await db.SaveChangesAsync(cancellationToken);
    }

    public int CurrentMonth() => DuesMonth.Current(time);
}
