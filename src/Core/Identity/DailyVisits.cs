using System.Collections.Concurrent;
using EBranch.Core.Activities;
using EBranch.Core.Common;
using EBranch.Core.Data;
using EBranch.Core.Points;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace EBranch.Core.Identity;

/// <summary>
/// "Logging in" once a day, as the points table means it. A mini-program keeps its session for 30 days and calls
/// <c>wx.login</c> only when it has none, so a day's login is the login call or the first authenticated request of the
/// district day, whichever comes first: it sets <c>LastLoginAt</c> (the presence the absence penalty reads), records a
/// login in the member's activity and credits the daily login points — all in one transaction, so none of it is lost
/// or doubled. A conditional update decides between instances and concurrent requests; each instance remembers whom
/// it has seen today, and a session loaded today after the login needs no write at all. A failure never fails the
/// request: nothing was committed, and the next request of the day tries again.
/// </summary>
public sealed class DailyVisits(EBranchDbFactory factory, PointsEngine points, ActivityRecorder activities, TimeProvider time,
    ILogger<DailyVisits> logger)
{
    private const int MaxRemembered = 500_000;
    private readonly ConcurrentDictionary<Guid, int> _seenOn = new();

    /// <summary>A request authenticated by <paramref name="principal"/>'s session.</summary>
    public async ValueTask VisitAsync(SessionPrincipal principal, CancellationToken cancellationToken)
    {
        var today = DistrictTime.Today(time);
        if (_seenOn.TryGetValue(principal.WeChatUserId, out var day) && day == today.DayNumber)
        {
            return;
        }
        var startOfDay = DistrictTime.StartOf(today);
        if (principal.LastLoginAt >= startOfDay)
        {
            Remember(principal.WeChatUserId, today);
            return;
        }
        try
        {
            await LogInTodayAsync(principal.WeChatUserId, principal.MemberId, startOfDay, cancellationToken);
            Remember(principal.WeChatUserId, today);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "The daily visit of WeChat user {WeChatUserId} was not recorded; the next request tries again", principal.WeChatUserId);
        }
    }

    /// <summary>
    /// The login of a bound member by the login call: the activity record and the day's login points (once per district
    /// day: the points' source is the day).
    /// </summary>
    public async Task RecordLoginAsync(Guid weChatUserId, Guid memberId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var db = factory.CreateForSystem();
        var credit = await AddLoginAsync(db, weChatUserId, memberId, withPoints: true, now, cancellationToken);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Today's login points were credited by a concurrent request: record the login alone.
            await using var again = factory.CreateForSystem();
            await AddLoginAsync(again, weChatUserId, memberId, withPoints: false, now, cancellationToken);
            await again.SaveChangesAsync(cancellationToken);
            return;
        }
        if (credit is not null)
        {
            await credit.CompleteAsync(cancellationToken);
        }
    }

    /// <summary>This instance has recorded <paramref name="weChatUserId"/>'s visit of <paramref name="day"/>.</summary>
    public void Remember(Guid weChatUserId, DateOnly day)
    {
        if (_seenOn.Count > MaxRemembered)
        {
            _seenOn.Clear();
        }
        _seenOn[weChatUserId] = day.DayNumber;
    }

    private async Task LogInTodayAsync(Guid weChatUserId, Guid? memberId, DateTimeOffset startOfDay, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        (bool First, PendingCredit? Credit) done;
        try
        {
            done = await factory.InTransactionAsync(async (db, ct) =>
            {
                var first = await db.WeChatUsers
                    .Where(u => u.Id == weChatUserId && (u.LastLoginAt == null || u.LastLoginAt < startOfDay))
                    .ExecuteUpdateAsync(s => s.SetProperty(u => u.LastLoginAt, now), ct) == 1;
                if (!first || memberId is not { } id)
                {
                    return (first, (PendingCredit?)null); // not first: another request or instance logged them in today
                }
                var credit = await AddLoginAsync(db, weChatUserId, id, withPoints: true, now, ct);
                await db.SaveChangesAsync(ct);
                return (true, credit);
            }, cancellationToken);
        }
        catch (DbUpdateException)
        {
            return; // today's points appeared meanwhile (a login call raced this request, and recorded the login): nothing committed
        }
        if (done.Credit is { } credit)
        {
            await credit.CompleteAsync(cancellationToken);
        }
    }

    /// <summary>Adds the login record and (<paramref name="withPoints"/>) the day's login credit to <paramref name="db"/>; null for an unknown member.</summary>
    private async Task<PendingCredit?> AddLoginAsync(EBranchDbContext db, Guid weChatUserId, Guid memberId, bool withPoints, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var member = await db.Members.IgnoreQueryFilters().AsNoTracking().Where(m => m.Id == memberId)
            .Select(m => new { m.OrganizationId, m.Organization!.Path })
            .FirstOrDefaultAsync(cancellationToken);
        if (member is null)
        {
            return null;
        }
        activities.Record(db, ActivityTypes.Login, memberId, member.OrganizationId, member.Path, weChatUserId: weChatUserId);
        return withPoints
            ? await points.AddCreditAsync(db, memberId, PointActions.Login, SourceKey(DistrictTime.Today(time)), now, cancellationToken)
            : null;
    }

    public static string SourceKey(DateOnly day) => "login:" + day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}
