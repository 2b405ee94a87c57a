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
/// activity record and points credited idempotently ("checkin:{day}"). Retrying after a failure between
/// the two writes completes the credit without doubling it.
/// </summary>
public sealed class CheckInService(EBranchDbFactory factory, PointsEngine points, ActivityRecorder activities, TimeProvider time)
{
    public async Task<CheckInResult> CheckInAsync(Guid memberId, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var today = DistrictTime.Today(time);
        var existing = await FindAsync(memberId, today, cancellationToken);
        var already = existing is not null;
        if (existing is null)
        {
            await using var db = factory.CreateForSystem();
            var member = await db.Members.Where(m => m.Id == memberId).Select(m => new { m.OrganizationId, m.Organization!.Path }).FirstOrDefaultAsync(cancellationToken)
                ?? throw AppException.NotFound("党员");
            var yesterday = await db.CheckIns.Where(c => c.MemberId == memberId && c.Day == today.AddDays(-1)).Select(c => (int?)c.Streak).FirstOrDefaultAsync(cancellationToken);
            var checkIn = new CheckIn { MemberId = memberId, Day = today, Streak = (yesterday ?? 0) + 1, CheckedInAt = now };
            db.CheckIns.Add(checkIn);
            activities.Record(db, ActivityTypes.CheckIn, memberId, member.OrganizationId, member.Path, nameof(CheckIn), today.ToString("yyyy-MM-dd"),
                new { streak = checkIn.Streak });
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                existing = checkIn;
            }
            catch (DbUpdateException)
            {
                existing = await FindAsync(memberId, today, cancellationToken);
                if (existing is null)
                {
                    throw;
                }
                already = true;
            }
        }
        var credit = await points.CreditAsync(memberId, PointActions.CheckIn, "checkin:" + today.ToString("yyyy-MM-dd"), occurredAt: existing.CheckedInAt, cancellationToken: cancellationToken);
        var balance = await points.BalanceAsync(memberId, cancellationToken);
        return new CheckInResult(today, existing.Streak, already, already ? 0 : credit.PointsTenths, balance);
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

    private async Task<CheckIn?> FindAsync(Guid memberId, DateOnly day, CancellationToken cancellationToken)
    {
        await using var db = factory.CreateForSystem();
        return await db.CheckIns.AsNoTracking().FirstOrDefaultAsync(c => c.MemberId == memberId && c.Day == day, cancellationToken);
    }
}

public static class CheckInServiceCollectionExtensions
{
    public static IServiceCollection AddCheckIns(this IServiceCollection services) => services.AddSingleton<CheckInService>();
}
