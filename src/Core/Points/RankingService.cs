using System.Globalization;
using EBranch.Core.Common;
using EBranch.Core.Data;
using EBranch.Core.Organizations;
using Microsoft.EntityFrameworkCore;
using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace EBranch.Core.Points;

public sealed record RankingRow(int Rank, Guid MemberId, string Name, int PointsTenths);

public sealed record Ranking(Guid OrganizationId, PointPeriod Period, string PeriodKey, IReadOnlyList<RankingRow> Top, int Participants);

/// <summary>
/// Points rankings of an organization subtree for a week, month or year. With Redis: one sorted set per
/// (organization, period), incremented on every credit for each ancestor organization and rebuilt from the
/// ledger when missing. Without Redis: aggregated from the ledger. Both order by points, then member id, so
/// they give the same answers. While Redis is unreachable rankings are read from the ledger; sets that missed an
/// increment are marked incomplete once Redis answers again, so they are rebuilt rather than left short.
/// </summary>
public sealed class RankingService(EBranchDbFactory factory, TimeProvider time, IServiceProvider services)
{
    public static readonly PointPeriod[] RankedPeriods = [PointPeriod.Week, PointPeriod.Month, PointPeriod.Year];
    private readonly IConnectionMultiplexer? _redis = services.GetService<IConnectionMultiplexer>();
    private readonly ILogger _logger = services.GetService<ILogger<RankingService>>() ?? NullLogger<RankingService>.Instance;
    private readonly ConcurrentDictionary<RedisKey, bool> _missedIncrements = new();

    public async Task<Ranking> GetAsync(Guid organizationId, PointPeriod period, int top = 20, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var key = Points.PeriodKey(period, now);
        var scores = await ScoresAsync(organizationId, period, now, cancellationToken);
        var ordered = Sorted(scores).Take(Math.Clamp(top, 1, 100)).ToList();
        var names = await NamesAsync(ordered.Select(s => s.MemberId), cancellationToken);
        var rows = ordered.Select((s, i) => new RankingRow(i + 1, s.MemberId, names.GetValueOrDefault(s.MemberId, ""), s.Points)).ToList();
        return new Ranking(organizationId, period, key, rows, scores.Count);
    }

    /// <summary>The member's place (1-based) in the subtree for the period, or null when they have no points in it.</summary>
    public async Task<(int Rank, int PointsTenths, int Participants)?> RankOfAsync(Guid organizationId, Guid memberId, PointPeriod period, CancellationToken cancellationToken = default)
    {
        var scores = await ScoresAsync(organizationId, period, time.GetUtcNow(), cancellationToken);
        var ordered = Sorted(scores).ToList();
        var index = ordered.FindIndex(s => s.MemberId == memberId);
        return index < 0 ? null : (index + 1, ordered[index].Points, ordered.Count);
    }

    /// <summary>Called after a ledger entry is committed.</summary>
    public async Task OnCreditedAsync(PointEntry entry, CancellationToken cancellationToken)
    {
        if (_redis is null)
        {
            return;
        }
        var database = _redis.GetDatabase();
        var member = (RedisValue)entry.MemberId.ToString("N");
        var keys = Ancestors(entry.OrganizationPath).SelectMany(o => RankedPeriods.Select(p => Key(o, p, entry.OccurredAt))).ToList();
        try
        {
            foreach (var key in keys)
            {
                // Only a set that is complete (marked) is incremented; a missing one is rebuilt on read.
                if (await database.KeyExistsAsync(Marker(key)))
                {
                    await database.SortedSetIncrementAsync(key, member, entry.PointsTenths);
                }
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            _logger.LogWarning(ex, "Redis unreachable: ranking sets of member {MemberId} will be rebuilt from the ledger", entry.MemberId);
            foreach (var key in keys)
            {
                _missedIncrements[key] = true;
            }
        }
    }

    private async Task<Dictionary<Guid, int>> ScoresAsync(Guid organizationId, PointPeriod period, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (_redis is null)
        {
            return await ScoresFromLedgerAsync(organizationId, period, at, cancellationToken);
        }
        try
        {
            return await ScoresFromRedisAsync(_redis.GetDatabase(), organizationId, period, at, cancellationToken);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            _logger.LogWarning(ex, "Redis unreachable: ranking read from the ledger");
            return await ScoresFromLedgerAsync(organizationId, period, at, cancellationToken);
        }
    }

    private async Task<Dictionary<Guid, int>> ScoresFromRedisAsync(IDatabase database, Guid organizationId, PointPeriod period, DateTimeOffset at, CancellationToken cancellationToken)
    {
        foreach (var missed in _missedIncrements.Keys)
        {
            await database.KeyDeleteAsync(Marker(missed));
            _missedIncrements.TryRemove(missed, out _);
        }
        var key = Key(organizationId, period, at);
        if (!await database.KeyExistsAsync(Marker(key)))
        {
            var fromLedger = await ScoresFromLedgerAsync(organizationId, period, at, cancellationToken);
            var (_, end) = Points.Window(period, at);
            var ttl = end - at + TimeSpan.FromDays(35);
            var transaction = database.CreateTransaction();
            transaction.AddCondition(Condition.KeyNotExists(Marker(key)));
            _ = transaction.KeyDeleteAsync(key);
            if (fromLedger.Count > 0)
            {
                _ = transaction.SortedSetAddAsync(key, fromLedger.Select(s => new SortedSetEntry(s.Key.ToString("N"), s.Value)).ToArray());
            }
            _ = transaction.KeyExpireAsync(key, ttl);
            _ = transaction.StringSetAsync(Marker(key), "1", ttl);
            await transaction.ExecuteAsync();
        }
        var entries = await database.SortedSetRangeByRankWithScoresAsync(key, 0, -1, Order.Descending);
        return entries.Where(e => e.Score != 0).ToDictionary(e => Guid.ParseExact(e.Element.ToString(), "N"), e => (int)e.Score);
    }

    private async Task<Dictionary<Guid, int>> ScoresFromLedgerAsync(Guid organizationId, PointPeriod period, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var db = factory.CreateForSystem();
        var path = await db.Organizations.Where(o => o.Id == organizationId).Select(o => o.Path).FirstOrDefaultAsync(cancellationToken)
            ?? throw AppException.NotFound("组织");
        var (start, end) = Points.Window(period, at);
        var sums = await db.PointEntries
            .Where(e => e.OrganizationPath.StartsWith(path) && e.OccurredAt >= start && e.OccurredAt < end)
            .GroupBy(e => e.MemberId)
            .Select(g => new { MemberId = g.Key, Points = g.Sum(e => e.PointsTenths) })
            .ToListAsync(cancellationToken);
        return sums.Where(s => s.Points != 0).ToDictionary(s => s.MemberId, s => s.Points);
    }

    private static IEnumerable<(Guid MemberId, int Points)> Sorted(Dictionary<Guid, int> scores)
        => scores.Select(s => (s.Key, s.Value)).OrderByDescending(s => s.Value).ThenBy(s => s.Key.ToString("N"), StringComparer.Ordinal);

    private async Task<Dictionary<Guid, string>> NamesAsync(IEnumerable<Guid> memberIds, CancellationToken cancellationToken)
    {
        var ids = memberIds.ToList();
        await using var db = factory.CreateForSystem();
        return await db.Members.Where(m => ids.Contains(m.Id)).ToDictionaryAsync(m => m.Id, m => m.Name, cancellationToken);
    }

    private static IEnumerable<Guid> Ancestors(string path)
        => path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(segment => Guid.ParseExact(segment, "N"));

    private static RedisKey Key(Guid organizationId, PointPeriod period, DateTimeOffset at)
        => $"ebranch:rank:{organizationId:N}:{period.ToString().ToLower(CultureInfo.InvariantCulture)}:{Points.PeriodKey(period, at)}";

    private static RedisKey Marker(RedisKey key) => key.Append(":complete");
}

public static class PointsServiceCollectionExtensions
{
    public static IServiceCollection AddPoints(this IServiceCollection services)
        => services.AddSingleton<RankingService>().AddSingleton<PointsEngine>().AddScoped<PointRuleService>();
}
