using EBranch.Core.Common;
using EBranch.Core.Data;
using EBranch.Core.Infrastructure;
using Microsoft.EntityFrameworkCore;
using ZiggyCreatures.Caching.Fusion;

namespace EBranch.Core.Points;

public enum CreditOutcome
{
    Credited,
    CappedAtZero,
    AlreadyCredited,
    NoActiveRule,
}

public sealed record CreditResult(CreditOutcome Outcome, int PointsTenths, Guid? EntryId);

/// <summary>
/// Credits points by the rules in force at the moment of the event. Idempotent per (member, action, source);
/// caps are counted over the rule's period in district time; concurrent credits for one member and action
/// are serialized by a distributed lock so a cap cannot be overrun.
/// </summary>
public sealed class PointsEngine(EBranchDbFactory factory, IDistributedLock locks, IFusionCache cache, RankingService rankings, TimeProvider time)
{
    private const string RulesKey = "points:rules";

    public async Task<CreditResult> CreditAsync(Guid memberId, string action, string sourceKey, int? pointsOverrideTenths = null,
        DateTimeOffset? occurredAt = null, CancellationToken cancellationToken = default)
    {
        var at = occurredAt ?? time.GetUtcNow();
        var existing = await FindAsync(memberId, action, sourceKey, cancellationToken);
        if (existing is not null)
        {
            return new CreditResult(CreditOutcome.AlreadyCredited, existing.PointsTenths, existing.Id);
        }
        var rule = await ActiveRuleAsync(action, at, cancellationToken);
        if (rule is null)
        {
            return new CreditResult(CreditOutcome.NoActiveRule, 0, null);
        }

        await using var held = await locks.TryAcquireAsync($"points:{memberId:N}:{action}", TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), cancellationToken)
            ?? throw new AppException(ErrorCodes.ServiceUnavailable, "系统繁忙，请稍后再试", 503);
        existing = await FindAsync(memberId, action, sourceKey, cancellationToken);
        if (existing is not null)
        {
            return new CreditResult(CreditOutcome.AlreadyCredited, existing.PointsTenths, existing.Id);
        }

        await using var db = factory.CreateForSystem();
        var path = await db.Members.IgnoreQueryFilters().Where(m => m.Id == memberId).Select(m => m.Organization!.Path).FirstOrDefaultAsync(cancellationToken)
            ?? throw AppException.NotFound("党员");
        var earned = 0;
        if (rule.CapTenths is not null)
        {
            var (start, end) = Points.Window(rule.Period, at);
            earned = await StandingInWindowAsync(db, memberId, action, start, end, cancellationToken);
        }
        var entry = NewEntry(rule, memberId, sourceKey, at, path, earned, pointsOverrideTenths);
        db.PointEntries.Add(entry);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            var raced = await FindAsync(memberId, action, sourceKey, cancellationToken);
            if (raced is null)
            {
                throw;
            }
            return new CreditResult(CreditOutcome.AlreadyCredited, raced.PointsTenths, raced.Id);
        }
        if (entry.PointsTenths != 0)
        {
            await rankings.OnCreditedAsync(entry, cancellationToken);
        }
        return new CreditResult(entry.PointsTenths == 0 ? CreditOutcome.CappedAtZero : CreditOutcome.Credited, entry.PointsTenths, entry.Id);
    }

    /// <summary>Reverses an entry with a new, negative entry (the ledger is append-only). Idempotent.</summary>
    public async Task<CreditResult> ReverseAsync(Guid entryId, string reason, CancellationToken cancellationToken = default)
    {
        await using var db = factory.CreateForSystem();
        var original = await db.PointEntries.AsNoTracking().FirstOrDefaultAsync(e => e.Id == entryId, cancellationToken)
            ?? throw AppException.NotFound("积分记录");
        var sourceKey = ReversalSourceKey(entryId);
        if (await FindAsync(original.MemberId, PointActions.Reversal, sourceKey, cancellationToken) is { } done)
        {
            return new CreditResult(CreditOutcome.AlreadyCredited, done.PointsTenths, done.Id);
        }
        var reversal = new PointEntry
        {
            MemberId = original.MemberId, Action = PointActions.Reversal, SourceKey = sourceKey, PointsTenths = -original.PointsTenths,
            OccurredAt = time.GetUtcNow(), OrganizationPath = original.OrganizationPath, Note = reason,
        };
        db.PointEntries.Add(reversal);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            var raced = await FindAsync(original.MemberId, PointActions.Reversal, sourceKey, cancellationToken);
            if (raced is null)
            {
                throw;
            }
            return new CreditResult(CreditOutcome.AlreadyCredited, raced.PointsTenths, raced.Id);
        }
        if (reversal.PointsTenths != 0)
        {
            await rankings.OnCreditedAsync(reversal, cancellationToken);
        }
        return new CreditResult(CreditOutcome.Credited, reversal.PointsTenths, reversal.Id);
    }

    /// <summary>The source key of the reversal of <paramref name="entryId"/>: the link from a reversal to the entry it reverses.</summary>
    public static string ReversalSourceKey(Guid entryId) => "reversal:" + entryId.ToString("N");

    /// <summary>
    /// What stands of a member's credits for <paramref name="action"/> in a cap window: the window's entries net of their
    /// reversals (a reversal frees the cap of the window its entry was credited in, whenever it is made). The ledger stays
    /// append-only; a reversal is tied to its entry by <see cref="ReversalSourceKey"/>.
    /// </summary>
    public static async Task<int> StandingInWindowAsync(EBranchDbContext db, Guid memberId, string action, DateTimeOffset start, DateTimeOffset end,
        CancellationToken cancellationToken)
    {
        var entries = await db.PointEntries.AsNoTracking()
            .Where(e => e.MemberId == memberId && e.Action == action && e.OccurredAt >= start && e.OccurredAt < end && e.PointsTenths != 0)
            .Select(e => new { e.Id, e.PointsTenths }).ToListAsync(cancellationToken);
        if (entries.Count == 0)
        {
            return 0;
        }
        var reversalKeys = entries.Select(e => ReversalSourceKey(e.Id)).ToList();
        var reversed = await db.PointEntries.AsNoTracking()
            .Where(e => e.MemberId == memberId && e.Action == PointActions.Reversal && reversalKeys.Contains(e.SourceKey))
            .SumAsync(e => (int?)e.PointsTenths, cancellationToken) ?? 0;
        return entries.Sum(e => e.PointsTenths) + reversed;
    }

    public async Task<int> BalanceAsync(Guid memberId, CancellationToken cancellationToken = default)
    {
        await using var db = factory.CreateForSystem();
        return await db.PointEntries.Where(e => e.MemberId == memberId).SumAsync(e => (int?)e.PointsTenths, cancellationToken) ?? 0;
    }

    public async Task<PagedResult<PointEntry>> HistoryAsync(Guid memberId, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        (page, pageSize) = Paging.Normalize(page, pageSize);
        await using var db = factory.CreateForSystem();
        var query = db.PointEntries.AsNoTracking().Where(e => e.MemberId == memberId);
        var total = await query.CountAsync(cancellationToken);
        var items = await query.OrderByDescending(e => e.OccurredAt).ThenByDescending(e => e.Id)
            .Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(cancellationToken);
        return new PagedResult<PointEntry>(items, total, page, pageSize);
    }

    /// <summary>The rule version of <paramref name="action"/> in force at <paramref name="at"/> (from the cached rules), or null.</summary>
    public async ValueTask<PointRule?> ActiveRuleAsync(string action, DateTimeOffset at, CancellationToken cancellationToken = default)
        => (await GetRulesAsync(cancellationToken)).FirstOrDefault(r => r.Action == action && r.IsActiveAt(at));

    /// <summary>
    /// The ledger entry a credit under <paramref name="rule"/> makes, given what the member already earned in the rule's cap
    /// window (<see cref="Points.Window"/> of <paramref name="at"/>). The caller adds it to a context; the unique
    /// (member, action, source) index makes it count once.
    /// </summary>
    public static PointEntry NewEntry(PointRule rule, Guid memberId, string sourceKey, DateTimeOffset at, string organizationPath, int earnedInWindowTenths,
        int? pointsOverrideTenths = null)
    {
        var points = Math.Max(0, pointsOverrideTenths is { } o ? Math.Min(o, rule.PointsTenths) : rule.PointsTenths);
        if (rule.CapTenths is { } cap)
        {
            points = Math.Clamp(cap - earnedInWindowTenths, 0, points);
        }
        return new PointEntry
        {
            MemberId = memberId, Action = rule.Action, SourceKey = sourceKey, PointsTenths = points, RuleId = rule.Id,
            OccurredAt = at, OrganizationPath = organizationPath, Note = points == 0 ? "已达本周期上限" : null,
        };
    }

    /// <summary>
    /// Whether a credit under <paramref name="rule"/> may be written in the caller's own save, without the engine's lock:
    /// uncapped, or capped per day (concurrent credits of one day share their source key, so the unique index lets one
    /// in). A rule capped over a longer period goes through <see cref="CreditAsync"/> after the save. (A day-capped credit keyed
    /// by its day has at most one entry per window, and a reversal keeps that key taken, so the in-save sum needs no netting of
    /// reversals; <see cref="StandingInWindowAsync"/> nets them for every other credit.)
    /// </summary>
    public static bool CanCreditInSave(PointRule? rule) => rule is { CapTenths: null } or { Period: PointPeriod.Day };

    /// <summary>
    /// After a save that carried <paramref name="entry"/> (made by <see cref="NewEntry"/> when <see cref="CanCreditInSave"/>):
    /// ranks it; or, when there was no entry but there is a rule, credits through <see cref="CreditAsync"/>. Returns the
    /// tenths earned.
    /// </summary>
    public async Task<int> CompleteCreditAsync(PointEntry? entry, Guid memberId, string action, string sourceKey, PointRule? rule, DateTimeOffset at,
        CancellationToken cancellationToken = default)
    {
        if (entry is not null)
        {
            if (entry.PointsTenths != 0)
            {
                await rankings.OnCreditedAsync(entry, cancellationToken);
            }
            return entry.PointsTenths;
        }
        return rule is null ? 0 : (await CreditAsync(memberId, action, sourceKey, occurredAt: at, cancellationToken: cancellationToken)).PointsTenths;
    }

    /// <summary>All rule versions (cached; invalidated on every instance when a rule changes).</summary>
    public async ValueTask<IReadOnlyList<PointRule>> GetRulesAsync(CancellationToken cancellationToken = default)
        => await cache.GetOrSetAsync<IReadOnlyList<PointRule>>(RulesKey, async (_, ct) =>
        {
            await using var db = factory.CreateForSystem();
            return await db.PointRules.AsNoTracking().OrderBy(r => r.Action).ThenByDescending(r => r.ActiveFrom).ToListAsync(ct);
        }, TimeSpan.FromMinutes(10), token: cancellationToken) ?? [];

    public ValueTask InvalidateRulesAsync(CancellationToken cancellationToken = default) => cache.RemoveAsync(RulesKey, CacheInvalidation.Announced, cancellationToken);

    private async Task<PointEntry?> FindAsync(Guid memberId, string action, string sourceKey, CancellationToken cancellationToken)
    {
        await using var db = factory.CreateForSystem();
        return await db.PointEntries.AsNoTracking()
            .FirstOrDefaultAsync(e => e.MemberId == memberId && e.Action == action && e.SourceKey == sourceKey, cancellationToken);
    }
}
