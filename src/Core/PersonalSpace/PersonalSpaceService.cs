using EBranch.Core.Activities;
using EBranch.Core.Common;
using EBranch.Core.Data;
using EBranch.Core.Members;
using EBranch.Core.Points;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EBranch.Core.PersonalSpace;

public sealed record PoliticalBirthdayCard(DateOnly AdmittedOn, int Years, bool IsToday, DateOnly NextCelebration, string? Greeting);

public sealed record HonourView(string Title, DateOnly AwardedOn, string? AwardedBy);

public sealed record Footprint(string Type, string Label, DateTimeOffset OccurredAt);

public sealed record RankView(PointPeriod Period, int Rank, int Participants, decimal Points);

/// <summary>Upcoming organization life and dues status; filled in as meetings and dues land.</summary>
public sealed record LifeMemo(IReadOnlyList<string> UpcomingMeetings, string? DuesStatus);

public sealed record PersonalSpaceView(
    string Name, string Gender, string Status, string OrganizationName, string? Posts, int PartyAgeYears,
    PoliticalBirthdayCard PoliticalBirthday, IReadOnlyList<HonourView> Honours, IReadOnlyList<Footprint> Footprints,
    decimal PointsBalance, RankView? BranchRank, bool CheckedInToday, int CheckInStreak, LifeMemo Memo);

/// <summary>The member's own page in the mini-program (个人空间).</summary>
public sealed class PersonalSpaceService(EBranchDbFactory factory, RankingService rankings, TimeProvider time)
{
    public async Task<PersonalSpaceView> GetAsync(Guid memberId, CancellationToken cancellationToken = default)
    {
        var today = DistrictTime.Today(time);
        var yesterday = today.AddDays(-1);
        await using var db = factory.CreateForSystem();
        // One round trip for the member, the balance and the check-in status (as PointsEngine.BalanceAsync and
        // CheckInService.StatusAsync count them), then the two lists.
        var member = await db.Members.IgnoreQueryFilters().AsNoTracking().Where(m => m.Id == memberId)
            .Select(m => new
            {
                m.Name, m.Gender, m.Status, OrganizationName = m.Organization!.Name, m.Posts, m.FullMemberOn, m.AdmittedOn, m.OrganizationId,
                Balance = db.PointEntries.Where(e => e.MemberId == memberId).Sum(e => (int?)e.PointsTenths) ?? 0,
                LatestCheckIn = db.CheckIns.Where(c => c.MemberId == memberId && c.Day >= yesterday).OrderByDescending(c => c.Day).Select(c => (DateOnly?)c.Day).FirstOrDefault(),
                LatestStreak = db.CheckIns.Where(c => c.MemberId == memberId && c.Day >= yesterday).OrderByDescending(c => c.Day).Select(c => (int?)c.Streak).FirstOrDefault(),
            })
            .FirstOrDefaultAsync(cancellationToken)
            ?? throw AppException.NotFound("党员");
        var honours = await db.Honours.AsNoTracking().Where(h => h.MemberId == memberId).OrderByDescending(h => h.AwardedOn)
            .Select(h => new HonourView(h.Title, h.AwardedOn, h.AwardedBy)).ToListAsync(cancellationToken);
        var footprints = await db.ActivityRecords.IgnoreQueryFilters().AsNoTracking().Where(a => a.MemberId == memberId)
            .OrderByDescending(a => a.OccurredAt).ThenByDescending(a => a.Id).Take(20)
            .Select(a => new { a.Type, a.OccurredAt }).ToListAsync(cancellationToken);
        var rank = await rankings.RankOfAsync(member.OrganizationId, memberId, PointPeriod.Week, cancellationToken);
        return new PersonalSpaceView(
            member.Name, MemberLabels.Of(member.Gender), MemberLabels.Of(member.Status), member.OrganizationName, member.Posts,
            member.FullMemberOn is { } full ? DistrictTime.YearsBetween(full, today) : 0,
            PoliticalBirthday(member.Name, member.AdmittedOn, today),
            honours,
            footprints.Select(f => new Footprint(f.Type, ActivityTypes.Label(f.Type), f.OccurredAt)).ToList(),
            member.Balance / 10m,
            rank is { } r ? new RankView(PointPeriod.Week, r.Rank, r.Participants, r.PointsTenths / 10m) : null,
            member.LatestCheckIn == today, member.LatestStreak ?? 0,
            new LifeMemo([], null));
    }

    /// <summary>
    /// The political birthday is the admission day. Someone admitted on 29 February celebrates on
    /// 28 February in common years (the last day of February, as civil practice counts such birthdays).
    /// </summary>
    public static PoliticalBirthdayCard PoliticalBirthday(string name, DateOnly admittedOn, DateOnly today)
    {
        DateOnly InYear(int year) => new(year, admittedOn.Month, Math.Min(admittedOn.Day, DateTime.DaysInMonth(year, admittedOn.Month)));
        var thisYear = InYear(today.Year);
        var next = thisYear >= today ? thisYear : InYear(today.Year + 1);
        var isToday = thisYear == today && today.Year > admittedOn.Year;
        var years = DistrictTime.YearsBetween(admittedOn, today);
        if (isToday)
        {
            years = today.Year - admittedOn.Year;
        }
        return new PoliticalBirthdayCard(admittedOn, years, isToday, next,
            isToday ? $"{name}同志，今天是您的第{years}个政治生日。不忘初心，牢记使命！" : null);
    }
}

public static class PersonalSpaceServiceCollectionExtensions
{
    public static IServiceCollection AddPersonalSpace(this IServiceCollection services) => services.AddSingleton<PersonalSpaceService>();
}
