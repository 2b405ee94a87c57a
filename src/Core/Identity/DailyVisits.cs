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
/// login in the member's activity and credits the daily login points. One conditional update decides between
/// instances; each instance remembers whom it has seen today, so later requests cost nothing. A failure here never
/// fails the request: the next request of the day tries again (the points are idempotent per day).
/// </summary>
public sealed class DailyVisits(EBranchDbFactory factory, PointsEngine points, ActivityRecorder activities, TimeProvider time, ILogger<DailyVisits> logger)
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
        try
        {
            bool first;
            await using (var db = factory.CreateForSystem())
            {
                var startOfDay = DistrictTime.StartOf(today);
                var now = time.GetUtcNow();
                first = await db.WeChatUsers
                    .Where(u => u.Id == principal.WeChatUserId && (u.LastLoginAt == null || u.LastLoginAt < startOfDay))
                    .ExecuteUpdateAsync(s => s.SetProperty(u => u.LastLoginAt, now), cancellationToken) == 1;
            }
            if (principal.MemberId is { } memberId)
            {
                await RecordLoginAsync(principal.WeChatUserId, memberId, recordActivity: first, cancellationToken);
            }
            Remember(principal.WeChatUserId, today);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "The daily visit of WeChat user {WeChatUserId} was not recorded; the next request tries again", principal.WeChatUserId);
        }
    }

    /// <summary>
    /// A login of a bound member (the login call, or the day's first request): the activity record (when asked) and the
    /// day's login points, once per district day.
    /// </summary>
    public async Task RecordLoginAsync(Guid weChatUserId, Guid memberId, bool recordActivity, CancellationToken cancellationToken)
    {
        var today = DistrictTime.Today(time);
        if (recordActivity)
        {
            await using var db = factory.CreateForSystem();
            var member = await db.Members.Where(m => m.Id == memberId).Select(m => new { m.OrganizationId, m.Organization!.Path }).FirstOrDefaultAsync(cancellationToken);
            if (member is null)
            {
                return;
            }
            activities.Record(db, ActivityTypes.Login, memberId, member.OrganizationId, member.Path, weChatUserId: weChatUserId);
            await db.SaveChangesAsync(cancellationToken);
        }
        await points.CreditAsync(memberId, PointActions.Login, "login:" + today.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            cancellationToken: cancellationToken);
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
}
