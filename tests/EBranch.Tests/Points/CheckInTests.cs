using EBranch.Core.CheckIns;
using EBranch.Core.Points;
using EBranch.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace EBranch.Tests.Points;

/// <summary>
/// Check-in writes the check-in, its activity record and its points in one save, with no lock: the unique indexes decide
/// between concurrent requests of one member, and a check-in saved without its points is completed once.
/// </summary>
[Collection(DistrictCollection.Name)]
public sealed class CheckInTests(DistrictFixture district)
{
    private async Task<Guid> AMemberAsync(int skip)
    {
        await using var db = district.SystemDb();
        return await db.Members.OrderBy(m => m.Name).ThenBy(m => m.Id).Skip(skip).Select(m => m.Id).FirstAsync();
    }

    /// <summary>A district day of the test's own (no other test checks in then).</summary>
    private ServiceProvider OnDay(int year, int month, int day)
        => district.BuildServices(new FakeTimeProvider(new DateTimeOffset(year, month, day, 9, 30, 0, TimeSpan.FromHours(8)).ToUniversalTime()));

    [Fact]
    public async Task ConcurrentCheckIns_OfOneMember_CommitOneCheckIn_WithItsPointsAndRecord()
    {
        var member = await AMemberAsync(150);
        await using var services = OnDay(2031, 3, 5);
        var checkIns = services.GetRequiredService<CheckInService>();
        var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => checkIns.CheckInAsync(member)));

        var first = Assert.Single(results, r => !r.AlreadyCheckedIn);
        Assert.Equal(10, first.PointsEarnedTenths);
        Assert.All(results.Where(r => r.AlreadyCheckedIn), r => Assert.Equal(0, r.PointsEarnedTenths));
        var day = new DateOnly(2031, 3, 5);
        await using var db = district.SystemDb();
        Assert.Equal(1, await db.CheckIns.CountAsync(c => c.MemberId == member && c.Day == day));
        Assert.Equal(1, await db.PointEntries.CountAsync(e => e.MemberId == member && e.SourceKey == CheckInService.SourceKey(day)));
        Assert.Equal(1, await db.ActivityRecords.CountAsync(a => a.MemberId == member && a.Type == "checkin" && a.SubjectId == "2031-03-05"));
        var balance = await db.PointEntries.Where(e => e.MemberId == member).SumAsync(e => e.PointsTenths);
        Assert.All(results, r => Assert.Equal(balance, r.BalanceTenths));
    }

    [Fact]
    public async Task ACheckInSavedWithoutItsPoints_IsCompletedOnce_AndTheStreakContinues()
    {
        var member = await AMemberAsync(151);
        var day = new DateOnly(2031, 4, 9);
        await using (var db = district.SystemDb())
        {
            db.CheckIns.Add(new CheckIn { MemberId = member, Day = day, Streak = 3, CheckedInAt = new DateTimeOffset(2031, 4, 9, 1, 0, 0, TimeSpan.Zero) });
            await db.SaveChangesAsync();
        }

        await using (var services = OnDay(2031, 4, 9))
        {
            var checkIns = services.GetRequiredService<CheckInService>();
            var again = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => checkIns.CheckInAsync(member)));
            Assert.All(again, r => Assert.True(r.AlreadyCheckedIn));
            Assert.All(again, r => Assert.Equal(3, r.Streak));
        }
        await using var nextDay = OnDay(2031, 4, 10);
        var next = await nextDay.GetRequiredService<CheckInService>().CheckInAsync(member);
        Assert.False(next.AlreadyCheckedIn);
        Assert.Equal(4, next.Streak);

        await using var check = district.SystemDb();
        Assert.Equal(1, await check.PointEntries.CountAsync(e => e.MemberId == member && e.Action == PointActions.CheckIn && e.SourceKey == CheckInService.SourceKey(day)));
        Assert.Equal(1, await check.PointEntries.CountAsync(e => e.MemberId == member && e.SourceKey == CheckInService.SourceKey(day.AddDays(1))));
    }
}

/// <summary><see cref="EBranch.Core.Data.EBranchDbContext.SaveBatchAsync"/> is all or nothing on both engines (on PostgreSQL without BEGIN/COMMIT).</summary>
[Collection(DistrictCollection.Name)]
public sealed class SaveBatchTests(DistrictFixture district)
{
    [Fact]
    public async Task ARowRefusedInTheBatch_LeavesNoneOfItsRows()
    {
        Guid member;
        var source = "batch-" + Guid.NewGuid().ToString("N");
        await using (var db = district.SystemDb())
        {
            member = await db.Members.OrderBy(m => m.Id).Skip(160).Select(m => m.Id).FirstAsync();
            db.PointEntries.Add(new PointEntry { MemberId = member, Action = "test.batch", SourceKey = source, PointsTenths = 1, OccurredAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
        }

        var day = new DateOnly(2040, 1, 1).AddDays(Random.Shared.Next(3650));
        await using (var db = district.SystemDb())
        {
            db.CheckIns.Add(new CheckIn { MemberId = member, Day = day, Streak = 1, CheckedInAt = DateTimeOffset.UtcNow });
            db.PointEntries.Add(new PointEntry { MemberId = member, Action = "test.batch", SourceKey = source, PointsTenths = 1, OccurredAt = DateTimeOffset.UtcNow });
            await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveBatchAsync());
        }
        await using (var db = district.SystemDb())
        {
            Assert.False(await db.CheckIns.AnyAsync(c => c.MemberId == member && c.Day == day));
            Assert.Equal(1, await db.PointEntries.CountAsync(e => e.MemberId == member && e.SourceKey == source));
        }

        // The other way round (whichever table EF writes first, one of the two cases has a good row before the refused one).
        await using (var db = district.SystemDb())
        {
            db.CheckIns.Add(new CheckIn { MemberId = member, Day = day, Streak = 1, CheckedInAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
        }
        var fresh = source + "-2";
        await using (var db = district.SystemDb())
        {
            db.PointEntries.Add(new PointEntry { MemberId = member, Action = "test.batch", SourceKey = fresh, PointsTenths = 1, OccurredAt = DateTimeOffset.UtcNow });
            db.CheckIns.Add(new CheckIn { MemberId = member, Day = day, Streak = 2, CheckedInAt = DateTimeOffset.UtcNow });
            await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveBatchAsync());
        }
        await using (var db = district.SystemDb())
        {
            Assert.False(await db.PointEntries.AnyAsync(e => e.MemberId == member && e.SourceKey == fresh));
            Assert.Equal(1, await db.CheckIns.CountAsync(c => c.MemberId == member && c.Day == day));
        }
    }
}
