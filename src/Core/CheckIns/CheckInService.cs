using EBranch.Core.Activities;
using EBranch.Core.Common;
using EBranch.Core.Data;
using EBranch.Core.Points;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EBranch.Core.CheckIns;

public sealed record CheckInResult(DateOnly Day, int Streak, bool AlreadyCheckedIn, int PointsEarnedTenths, int BalanceTenths);

/// <summary>
/// Daily check-in: once per member per district day (a unique index decides races), with a streak, an
/// activity record and points credited idempotently ("checkin:{day}"). Three round trips: one read of everything
/// the decision needs, the points engine's read of the cap window (<see cref="PointsEngine.AddCreditAsync"/>), then one
/// save of the check-in, its activity record and its point entry, all or nothing
/// (<see cref="EBranchDbContext.SaveBatchAsync"/>: one round trip on PostgreSQL),
/// so the check-in and its points commit together. Retrying completes a credit missing from an older check-in
/// without doubling it.
/// </summary>
/// <remarks>
/// No lock is taken when the check-in rule is capped per day (the default): a member's concurrent check-ins in one
/// district day share the source key and the (member, day) row, so the unique indexes let exactly one commit, and
/// check-ins of different days fall in different cap windows (<see cref="PointsEngine.AddCreditAsync"/>). A rule capped
/// over a longer period goes through <see cref="PointsEngine.CreditAsync"/>, whose lock keeps the cap.
/// </remarks>
public sealed class CheckInService(EBranchDbFactory factory, PointsEngine points, ActivityRecorder activities, TimeProvider time)
{
    public async Task<CheckInResult> CheckInAsync(Guid memberId, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var today = DistrictTime.Today(time);
        var source = SourceKey(today);
        for (var attempt = 0; ; attempt++)
        {
            await using var db = factory.CreateForSystem();
            var state = await ReadStateAsync(db, memberId, today, source, cancellationToken)
                ?? throw AppException.NotFound("党员");
            if (state.TodayStreak is { } doneStreak)
            {
                var balance = state.Balance;
                if (!state.Credited)
                {
                    // A check-in saved without its points (before they were saved together): complete it, once.
                    await points.CreditAsync(memberId, PointActions.CheckIn, source, occurredAt: state.TodayAt, cancellationToken: cancellationToken);
                    balance = await points.BalanceAsync(memberId, cancellationToken);
                }
                return new CheckInResult(today, doneStreak, true, 0, balance);
            }

            var checkIn = new CheckIn { MemberId = memberId, Day = today, Streak = (state.YesterdayStreak ?? 0) + 1, CheckedInAt = now };
            db.CheckIns.Add(checkIn);
            activities.Record(db, ActivityTypes.CheckIn, memberId, state.OrganizationId, state.Path, nameof(CheckIn), today.ToString("yyyy-MM-dd"),
                new { streak = checkIn.Streak });
            var credit = await points.AddCreditAsync(db, memberId, PointActions.CheckIn, source, now, cancellationToken);
            try
            {
                await db.SaveBatchAsync(cancellationToken);
            }
            catch (DbUpdateException) when (attempt == 0)
            {
                continue; // another request won the day (or the credit): read again and answer as a repeat
            }
            var earned = await credit.CompleteAsync(cancellationToken);
            return new CheckInResult(today, checkIn.Streak, false, earned, state.Balance + earned);
        }
    }

    /// <summary>The member's streak as of today (0 when neither today nor yesterday was checked in).</summary>
    public async Task<(bool CheckedInToday, int Streak)> StatusAsync(Guid memberId, CancellationToken cancellationToken = default)
    {
        var today = DistrictTime.Today(time);
        await using var db = factory.CreateForSystem();
        var latest = await db.CheckIns.AsNoTracking().Where(c => c.MemberId == memberId && c.Day >= today.AddDays(-1))
            .OrderByDescending(c => c.Day).FirstOrDefaultAsync(cancellationToken);
        return (latest?.Day == today, latest?.Streak ?? 0);
    }

    public static string SourceKey(DateOnly day) => "checkin:" + day.ToString("yyyy-MM-dd");

    private sealed record CheckInState(Guid OrganizationId, string Path, int? TodayStreak, DateTimeOffset? TodayAt, int? YesterdayStreak, bool Credited,
        int Balance);

    /// <summary>Everything the decision needs, in one query (correlated subqueries on the member row).</summary>
    private static Task<CheckInState?> ReadStateAsync(EBranchDbContext db, Guid memberId, DateOnly today, string source, CancellationToken cancellationToken)
    {
        var yesterday = today.AddDays(-1);
        return db.Members.IgnoreQueryFilters().AsNoTracking().Where(m => m.Id == memberId)
            .Select(m => new CheckInState(
                m.OrganizationId,
                m.Organization!.Path,
                db.CheckIns.Where(c => c.MemberId == memberId && c.Day == today).Select(c => (int?)c.Streak).FirstOrDefault(),
                db.CheckIns.Where(c => c.MemberId == memberId && c.Day == today).Select(c => (DateTimeOffset?)c.CheckedInAt).FirstOrDefault(),
                db.CheckIns.Where(c => c.MemberId == memberId && c.Day == yesterday).Select(c => (int?)c.Streak).FirstOrDefault(),
                db.PointEntries.Any(e => e.MemberId == memberId && e.Action == PointActions.CheckIn && e.SourceKey == source),
                db.PointEntries.Where(e => e.MemberId == memberId).Sum(e => (int?)e.PointsTenths) ?? 0))
            .FirstOrDefaultAsync(cancellationToken);
    }
}

public static class CheckInServiceCollectionExtensions
{
    public static IServiceCollection AddCheckIns(this IServiceCollection services) => services.AddSingleton<CheckInService>();
}
