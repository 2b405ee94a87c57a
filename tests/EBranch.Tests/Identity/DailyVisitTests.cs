using EBranch.Core.Activities;
using EBranch.Core.Identity;
using EBranch.Core.Points;
using EBranch.Core.WeChatUsers;
using EBranch.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace EBranch.Tests.Identity;

/// <summary>
/// A session kept for days: the first request of each district day is that day's login (presence, login record, login
/// points), exactly once across instances, and later requests of the day cost nothing.
/// </summary>
[Collection(DistrictCollection.Name)]
public sealed class DailyVisitTests(DistrictFixture district)
{
    private static DateTimeOffset Shanghai(int y, int mo, int d, int h, int mi) => new DateTimeOffset(y, mo, d, h, mi, 0, TimeSpan.FromHours(8)).ToUniversalTime();

    [Fact]
    public async Task TheFirstRequestOfEachDay_IsThatDaysLogin_OnceAcrossInstances()
    {
        Guid memberId;
        var user = new WeChatUser { OpenId = "visit-" + Guid.NewGuid().ToString("N"), LastLoginAt = Shanghai(2034, 5, 7, 21, 0) };
        await using (var db = district.SystemDb())
        {
            memberId = await db.Members.OrderBy(m => m.Name).ThenBy(m => m.Id).Skip(170).Select(m => m.Id).FirstAsync();
            user.MemberId = memberId;
            db.WeChatUsers.Add(user);
            await db.SaveChangesAsync();
        }
        var principal = new SessionPrincipal(Guid.NewGuid(), user.Id, user.OpenId, memberId, Shanghai(2034, 6, 1, 0, 0));

        async Task<(int Logins, int Points, DateTimeOffset? LastLoginAt)> StateAsync(DateOnly day)
        {
            await using var db = district.SystemDb();
            var start = EBranch.Core.Common.DistrictTime.StartOf(day); // UTC: SQLite compares stored instants as UTC ticks
            var logins = await db.ActivityRecords.CountAsync(a => a.MemberId == memberId && a.Type == ActivityTypes.Login && a.OccurredAt >= start && a.OccurredAt < start.AddDays(1));
            var points = await db.PointEntries.Where(e => e.MemberId == memberId && e.SourceKey == $"login:{day:yyyy-MM-dd}").SumAsync(e => e.PointsTenths);
            var last = (await db.WeChatUsers.SingleAsync(u => u.Id == user.Id)).LastLoginAt;
            return (logins, points, last);
        }

        // Same day as the last login: nothing new.
        var time = new FakeTimeProvider(Shanghai(2034, 5, 7, 22, 0));
        await using var first = district.BuildServices(time);
        await first.GetRequiredService<DailyVisits>().VisitAsync(principal, default);
        var day1 = await StateAsync(new DateOnly(2034, 5, 7));
        Assert.Equal((0, 0), (day1.Logins, day1.Points));
        Assert.Equal(Shanghai(2034, 5, 7, 21, 0), day1.LastLoginAt);

        // Next morning, on two instances at once, many requests: one login record, one day's login points.
        time.SetUtcNow(Shanghai(2034, 5, 8, 7, 30));
        await using var second = district.BuildServices(time);
        await Task.WhenAll(Enumerable.Range(0, 10).Select(i => (i % 2 == 0 ? first : second).GetRequiredService<DailyVisits>().VisitAsync(principal, default).AsTask()));
        var day2 = await StateAsync(new DateOnly(2034, 5, 8));
        Assert.Equal(1, day2.Logins);
        Assert.Equal(10, day2.Points);
        Assert.Equal(Shanghai(2034, 5, 8, 7, 30), day2.LastLoginAt);

        // Later that day: remembered, nothing written.
        time.SetUtcNow(Shanghai(2034, 5, 8, 23, 0));
        await first.GetRequiredService<DailyVisits>().VisitAsync(principal, default);
        Assert.Equal(Shanghai(2034, 5, 8, 7, 30), (await StateAsync(new DateOnly(2034, 5, 8))).LastLoginAt);

        // Midnight in Shanghai starts the next day's login.
        time.SetUtcNow(Shanghai(2034, 5, 9, 0, 0));
        await first.GetRequiredService<DailyVisits>().VisitAsync(principal, default);
        var day3 = await StateAsync(new DateOnly(2034, 5, 9));
        Assert.Equal((1, 10), (day3.Logins, day3.Points));

        // A session loaded after today's login (its principal says so) costs no write on a new instance.
        time.SetUtcNow(Shanghai(2034, 5, 10, 8, 0));
        await using var third = district.BuildServices(time);
        await third.GetRequiredService<DailyVisits>().VisitAsync(principal with { LastLoginAt = Shanghai(2034, 5, 10, 7, 0) }, default);
        Assert.Equal((0, 0), ((await StateAsync(new DateOnly(2034, 5, 10))).Logins, (await StateAsync(new DateOnly(2034, 5, 10))).Points));
    }
}
