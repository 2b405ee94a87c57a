using EBranch.Core.Infrastructure;
using EBranch.Testing;
using EBranch.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Quartz;
using StackExchange.Redis;

namespace EBranch.Tests.Hosting;

/// <summary>The same behaviour whichever engine is configured (in-process on the embedded pass, Redis on the other).</summary>
[Collection(DistrictCollection.Name)]
public sealed class InfrastructureTests(DistrictFixture district)
{
    [Fact]
    public void Engines_AreTheConfiguredOnes()
    {
        var expected = TestEnvironment.Redis is null ? typeof(InProcessDistributedLock) : typeof(RedisDistributedLock);
        Assert.IsType(expected, district.Services.GetRequiredService<IDistributedLock>());
        Assert.Equal(TestEnvironment.Redis is not null, district.Services.GetService<IConnectionMultiplexer>() is not null);
    }

    [Fact]
    public async Task DistributedLock_AdmitsOneHolderAtATime()
    {
        var locks = district.Services.GetRequiredService<IDistributedLock>();
        var name = "test-" + Guid.NewGuid();
        var inside = 0;
        var maxInside = 0;
        var acquired = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, 20), async (_, ct) =>
        {
            await using var held = await locks.TryAcquireAsync(name, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), ct);
            Assert.NotNull(held);
            var now = Interlocked.Increment(ref inside);
            InterlockedMax(ref maxInside, now);
            await Task.Delay(5, ct);
            Interlocked.Decrement(ref inside);
            Interlocked.Increment(ref acquired);
        });
        Assert.Equal(1, maxInside);
        Assert.Equal(20, acquired);
    }

    [Fact]
    public async Task DistributedLock_ReturnsNull_WhenHeldElsewhereBeyondTheWait()
    {
        var locks = district.Services.GetRequiredService<IDistributedLock>();
        var name = "test-" + Guid.NewGuid();
        await using var first = await locks.TryAcquireAsync(name, TimeSpan.FromSeconds(10), TimeSpan.Zero);
        Assert.NotNull(first);
        Assert.Null(await locks.TryAcquireAsync(name, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100)));
    }

    [Fact]
    public async Task RateLimitCounter_CountsEveryHitInTheWindow()
    {
        var counter = district.Services.GetRequiredService<IRateLimitCounter>();
        var key = "test-" + Guid.NewGuid();
        var counts = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => counter.HitAsync(key, TimeSpan.FromMinutes(5)).AsTask()));
        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), counts.Order());
    }

    [Fact]
    public async Task Quartz_IsClusteredOnPostgres_AndInMemoryOtherwise()
    {
        var scheduler = await district.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        var metadata = await scheduler.GetMetadata();
        Assert.Equal(TestEnvironment.UsesPostgres, metadata.JobStoreClustered);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
