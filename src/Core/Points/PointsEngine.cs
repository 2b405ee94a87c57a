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
            ?? throw new AppException(ErrorCodes.ServiceUnavailable, "系统繁忙，请稍后再试", ErrorKind.Unavailable);
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
    /// window (<see cref="Points.Window"/> of <paramref name="at"/>). The unique (member, action, source) index makes it count once.
    /// </summary>
    private static PointEntry NewEntry(PointRule rule, Guid memberId, string sourceKey, DateTimeOffset at, string organizationPath, int earnedInWindowTenths,
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
    /// Credits points inside the caller's save: adds the ledger entry to <paramref name="db"/> (the caller's unit of work) and
    /// returns what to do once it committed. Use it as
    /// <c>var credit = await points.AddCreditAsync(db, memberId, action, sourceKey, at, ct); await db.SaveChangesAsync(ct); await credit.CompleteAsync(ct);</c>
    /// Idempotent like <see cref="CreditAsync"/>: the unique (member, action, source) index lets one entry in, so a concurrent
    /// duplicate fails the caller's save with a <see cref="DbUpdateException"/> (nothing of it committed). The entry is written
    /// in the save only when that keeps the cap without the engine's lock: an uncapped rule, or one capped per day (a day's
    /// concurrent credits share their source key). A rule capped over a longer period is credited through
    /// <see cref="CreditAsync"/> (with its lock) by <see cref="PendingCredit.CompleteAsync"/>. No rule in force: nothing.
    /// (A day-capped credit keyed by its day has at most one entry per window and a reversal keeps that key taken, so the
    /// in-save sum needs no netting of reversals; <see cref="StandingInWindowAsync"/> nets them for every other credit.)
    /// </summary>
    public async Task<PendingCredit> AddCreditAsync(EBranchDbContext db, Guid memberId, string action, string sourceKey, DateTimeOffset at,
        CancellationToken cancellationToken = default)
    {
        var rule = await ActiveRuleAsync(action, at, cancellationToken);
        if (rule is null)
        {
            return new PendingCredit(this, memberId, action, sourceKey, at, entry: null, creditAfterSave: false);
        }
        if (rule is not ({ CapTenths: null } or { Period: PointPeriod.Day }))
        {
            return new PendingCredit(this, memberId, action, sourceKey, at, entry: null, creditAfterSave: true);
        }
        var window = EarnedInCapWindow(db, memberId, rule, at);
        var state = await db.Members.IgnoreQueryFilters().AsNoTracking().Where(m => m.Id == memberId)
            .Select(m => new
            {
                m.Organization!.Path,
                Credited = db.PointEntries.Any(e => e.MemberId == memberId && e.Action == action && e.SourceKey == sourceKey),
                Earned = window.Sum(e => (int?)e.PointsTenths) ?? 0,
            })
            .FirstOrDefaultAsync(cancellationToken);
        if (state is null || state.Credited)
        {
            return new PendingCredit(this, memberId, action, sourceKey, at, entry: null, creditAfterSave: false);
        }
        var entry = NewEntry(rule, memberId, sourceKey, at, state.Path, state.Earned);
        db.PointEntries.Add(entry);
        return new PendingCredit(this, memberId, action, sourceKey, at, entry, creditAfterSave: false);
    }

    /// <summary>After the save that carried a credit of <see cref="AddCreditAsync"/>: ranks it, or credits through the engine.</summary>
    internal async Task<int> CompleteAsync(PendingCredit credit, CancellationToken cancellationToken)
    {
        if (credit.Entry is { } entry)
        {
            if (entry.PointsTenths != 0)
            {
                await rankings.OnCreditedAsync(entry, cancellationToken);
            }
            return entry.PointsTenths;
        }
        return credit.CreditAfterSave
            ? (await CreditAsync(credit.MemberId, credit.Action, credit.SourceKey, occurredAt: credit.At, cancellationToken: cancellationToken)).PointsTenths
            : 0;
    }

    /// <summary>The member's entries of the rule's action in the rule's cap window around <paramref name="at"/> (the one place it is written).</summary>
    private static IQueryable<PointEntry> EarnedInCapWindow(EBranchDbContext db, Guid memberId, PointRule rule, DateTimeOffset at)
    {
        var (start, end) = Points.Window(rule.Period, at);
        var action = rule.Action;
        return db.PointEntries.Where(e => e.MemberId == memberId && e.Action == action && e.OccurredAt >= start && e.OccurredAt < end);
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

/// <summary>
/// A credit added to a caller's unit of work by <see cref="PointsEngine.AddCreditAsync"/>: call <see cref="CompleteAsync"/>
/// after the caller's save committed.
/// </summary>
public sealed class PendingCredit
{
    private readonly PointsEngine _engine;

    internal PendingCredit(PointsEngine engine, Guid memberId, string action, string sourceKey, DateTimeOffset at, PointEntry? entry, bool creditAfterSave)
    {
        _engine = engine;
        MemberId = memberId;
        Action = action;
        SourceKey = sourceKey;
        At = at;
        Entry = entry;
        CreditAfterSave = creditAfterSave;
    }

    internal Guid MemberId { get; }
    internal string Action { get; }
    internal string SourceKey { get; }
    internal DateTimeOffset At { get; }
    internal PointEntry? Entry { get; }
    internal bool CreditAfterSave { get; }

    /// <summary>Ranks the committed entry, or credits a rule capped over a longer period. Returns the tenths earned.</summary>
    public Task<int> CompleteAsync(CancellationToken cancellationToken = default) => _engine.CompleteAsync(this, cancellationToken);
}
