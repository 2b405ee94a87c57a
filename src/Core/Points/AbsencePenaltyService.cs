using EBranch.Core.Common;
using EBranch.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Quartz;

namespace EBranch.Core.Points;

/// <summary>What one run of the absence penalty did.</summary>
public sealed record AbsenceRun(int Absent, int Penalized, int AtZero);

/// <summary>
/// The published table's "−1 after a week absent": a bound member who has not logged in for a full week loses the
/// <see cref="PointActions.Absence"/> rule's points, once for every further full week, never below a zero balance.
/// A week counts from the later of the last login (district day) and the rule version's start. Each penalty's source
/// is the day its week ended, so a run repeated or retried, or run on two instances, takes it once. A week whose
/// penalty found a zero balance is retried by the next runs of that week (points earned meanwhile, e.g. a meeting
/// recorded by the branch, then pay it). Runs daily; a week is not made up if the job was down for all of it.
/// </summary>
public sealed class AbsencePenaltyService(EBranchDbFactory factory, PointsEngine engine, RankingService rankings, TimeProvider time,
    ILogger<AbsencePenaltyService> logger)
{
    public const int WeekDays = 7;
    private const int Batch = 200; // saves of up to 256 members drop their cached views (personal space shows the balance)

    public async Task<AbsenceRun> PenalizeAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var today = DistrictTime.Today(time);
        var rule = await engine.ActiveRuleAsync(PointActions.Absence, now, cancellationToken);
        if (rule is null || rule.PointsTenths >= 0)
        {
            return new AbsenceRun(0, 0, 0);
        }
        var ruleStart = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(rule.ActiveFrom, DistrictTime.Zone).DateTime);

        // Absent: last login before the start of the day a week ago (today's run looks at completed days only).
        var loggedInBefore = DistrictTime.StartOf(today.AddDays(-WeekDays));
        await using var db = factory.CreateForSystem();
        var absent = await db.WeChatUsers.AsNoTracking()
            .Where(u => u.MemberId != null && u.LastLoginAt != null && u.LastLoginAt < loggedInBefore)
            .Select(u => new { MemberId = u.MemberId!.Value, LastLoginAt = u.LastLoginAt!.Value, u.Member!.Organization!.Path })
            .ToListAsync(cancellationToken);

        var due = new List<(Guid MemberId, string SourceKey, string Path)>();
        foreach (var member in absent)
        {
            var lastLogin = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(member.LastLoginAt, DistrictTime.Zone).DateTime);
            var from = lastLogin > ruleStart ? lastLogin : ruleStart;
            var weeks = (today.DayNumber - from.DayNumber - 1) / WeekDays;
            if (weeks >= 1)
            {
                var weekEnded = from.AddDays(weeks * WeekDays);
                due.Add((member.MemberId, "absent:" + weekEnded.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), member.Path));
            }
        }

        var penalized = 0;
        var atZero = 0;
        // The penalties of the current week were written at most 8 days ago.
        var recent = DistrictTime.StartOf(today.AddDays(-WeekDays - 1));
        foreach (var chunk in due.Chunk(Batch))
        {
            var ids = chunk.Select(d => d.MemberId).ToList();
            var taken = (await db.PointEntries.AsNoTracking()
                    .Where(e => e.Action == PointActions.Absence && ids.Contains(e.MemberId) && e.OccurredAt >= recent)
                    .Select(e => new { e.MemberId, e.SourceKey }).ToListAsync(cancellationToken))
                .Select(e => (e.MemberId, e.SourceKey)).ToHashSet();
            var open = chunk.Where(d => !taken.Contains((d.MemberId, d.SourceKey))).ToList();
            if (open.Count == 0)
            {
                continue;
            }
            var openIds = open.Select(d => d.MemberId).ToList();
            var balances = await db.PointEntries.AsNoTracking().Where(e => openIds.Contains(e.MemberId))
                .GroupBy(e => e.MemberId).Select(g => new { MemberId = g.Key, Tenths = g.Sum(e => e.PointsTenths) })
                .ToDictionaryAsync(g => g.MemberId, g => g.Tenths, cancellationToken);
            var entries = new List<PointEntry>();
            foreach (var (memberId, sourceKey, path) in open)
            {
                var balance = balances.GetValueOrDefault(memberId);
                if (balance <= 0)
                {
                    atZero++;
                    continue;
                }
                entries.Add(new PointEntry
                {
                    MemberId = memberId, Action = PointActions.Absence, SourceKey = sourceKey, RuleId = rule.Id, OccurredAt = now,
                    PointsTenths = Math.Max(rule.PointsTenths, -balance), OrganizationPath = path, Note = "连续一周未登录",
                });
            }
            penalized += await SaveAsync(entries, cancellationToken);
        }
        if (penalized > 0 || atZero > 0)
        {
            logger.LogInformation("Absence penalty: {Absent} members absent a week or more, {Penalized} penalized, {AtZero} at a zero balance",
                absent.Count, penalized, atZero);
        }
        return new AbsenceRun(absent.Count, penalized, atZero);
    }

    /// <summary>Saves the batch in one go; if another run wrote some of it first (unique source), one by one, skipping those.</summary>
    private async Task<int> SaveAsync(List<PointEntry> entries, CancellationToken cancellationToken)
    {
        if (entries.Count == 0)
        {
            return 0;
        }
        var saved = new List<PointEntry>();
        await using (var db = factory.CreateForSystem())
        {
            db.PointEntries.AddRange(entries);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                saved.AddRange(entries);
            }
            catch (DbUpdateException)
            {
                foreach (var entry in entries)
                {
                    await using var single = factory.CreateForSystem();
                    single.PointEntries.Add(entry);
                    try
                    {
                        await single.SaveChangesAsync(cancellationToken);
                        saved.Add(entry);
                    }
                    catch (DbUpdateException)
                    {
                        // Written by a concurrent run.
                    }
                }
            }
        }
        foreach (var entry in saved)
        {
            await rankings.OnCreditedAsync(entry, cancellationToken);
        }
        return saved.Count;
    }
}

[DisallowConcurrentExecution]
public sealed class AbsencePenaltyJob(AbsencePenaltyService absence) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) => await absence.PenalizeAsync(cancellationToken);
}

public static class PointsJobs
{
    /// <summary>The points jobs (see <see cref="Hosting.Jobs"/>): the absence penalty, daily at 01:10 China Standard Time.</summary>
    public static void AddPointsJobs(this IQuartzBuilder quartz)
        => quartz.ScheduleJob<AbsencePenaltyJob>(t => t.WithIdentity("points-absence")
            .WithCronSchedule("0 10 1 * * ?", c => c.InTimeZone(DistrictTime.Zone)));
}
