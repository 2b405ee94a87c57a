using System.Globalization;
using EBranch.Core.Common;
using EBranch.Core.Data;
using EBranch.Core.Infrastructure;
using EBranch.Core.Members;
using EBranch.Core.Organizations;
using Microsoft.EntityFrameworkCore;
using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using ZiggyCreatures.Caching.Fusion;

namespace EBranch.Core.Points;

public sealed record RankingRow(int Rank, Guid MemberId, string Name, int PointsTenths);

public sealed record Ranking(Guid OrganizationId, PointPeriod Period, string PeriodKey, IReadOnlyList<RankingRow> Top, int Participants)
{
    /// <summary>Every participant's place and points (for "my rank" without another read).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyDictionary<Guid, (int Rank, int PointsTenths)> Ranks { get; init; } = new Dictionary<Guid, (int, int)>();
}

/// <summary>
/// Points rankings of an organization subtree for a week, month or year. With Redis: one sorted set per
/// (organization, period), incremented on every credit for each ancestor organization and rebuilt from the
/// ledger when missing. Without Redis: aggregated from the ledger. Both order by points, then member id, so
/// they give the same answers. While Redis is unreachable rankings are read from the ledger; sets that missed an
/// increment are marked incomplete once Redis answers again, so they are rebuilt rather than left short.
/// Reads go through a snapshot per (organization, period) kept in memory for <see cref="SnapshotDuration"/>: a credit
/// drops the snapshots of its organizations on the instance that made it; other instances see it within that time.
/// </summary>
public sealed class RankingService(EBranchDbFactory factory, TimeProvider time, IServiceProvider services)
{
    public static readonly PointPeriod[] RankedPeriods = [PointPeriod.Week, PointPeriod.Month, PointPeriod.Year];
    private readonly RedisKeyspace? _redis = services.GetService<RedisKeyspace>();
    private readonly ILogger _logger = services.GetService<ILogger<RankingService>>() ?? NullLogger<RankingService>.Instance;
    private readonly ConcurrentDictionary<RedisKey, bool> _missedIncrements = new();
    private readonly IFusionCache? _cache = services.GetService<IFusionCache>();

    /// <summary>How long a ranking read may be reused (on other instances than the one that credited, it may lag by this much).</summary>
    public static readonly TimeSpan SnapshotDuration = TimeSpan.FromSeconds(5);

    /// <summary>Snapshots are per instance: memory only, no Redis copy, no backplane message.</summary>
    private static readonly FusionCacheEntryOptions SnapshotOptions = new()
    {
        Duration = SnapshotDuration, IsFailSafeEnabled = false,
        SkipDistributedCacheRead = true, SkipDistributedCacheWrite = true, SkipBackplaneNotifications = true,
    };

    /// <summary>Increments the complete (marked) sets among KEYS by ARGV[1] for member ARGV[2]: one round trip per credit.</summary>
    private const string IncrementScript = """
        for _, key in ipairs(KEYS) do
          if redis.call('EXISTS', key .. ':complete') == 1 then
            redis.call('ZINCRBY', key, ARGV[1], ARGV[2])
          end
        end
        return 0
        """;

    public async Task<Ranking> GetAsync(Guid organizationId, PointPeriod period, int top = 20, CancellationToken cancellationToken = default)
    {
        var snapshot = await SnapshotAsync(organizationId, period, cancellationToken);
        return snapshot with { Top = snapshot.Top.Take(Math.Clamp(top, 1, 100)).ToList() };
    }

    /// <summary>The member's place (1-based) in the subtree for the period, or null when they have no points in it.</summary>
    public async Task<(int Rank, int PointsTenths, int Participants)?> RankOfAsync(Guid organizationId, Guid memberId, PointPeriod period, CancellationToken cancellationToken = default)
    {
        var snapshot = await SnapshotAsync(organizationId, period, cancellationToken);
        return snapshot.Ranks.TryGetValue(memberId, out var mine) ? (mine.Rank, mine.PointsTenths, snapshot.Participants) : null;
    }

    /// <summary>The organization (id and path) of a member, cached (<see cref="MemberCacheKeys.Placement"/>; a transfer removes it).</summary>
    public async ValueTask<MemberPlacement> PlacementAsync(Guid memberId, CancellationToken cancellationToken = default)
    {
        async Task<MemberPlacement> LoadAsync(CancellationToken ct)
        {
            await using var db = factory.CreateForSystem();
            return await db.Members.IgnoreQueryFilters().Where(m => m.Id == memberId)
                .Select(m => new MemberPlacement(m.OrganizationId, m.Organization!.Path)).FirstOrDefaultAsync(ct)
                ?? throw AppException.NotFound("党员");
        }
        return _cache is null
            ? await LoadAsync(cancellationToken)
            : await _cache.GetOrSetAsync<MemberPlacement>(MemberCacheKeys.Placement(memberId), (_, ct) => LoadAsync(ct), MemberCacheKeys.PlacementDuration, cancellationToken);
    }

    /// <summary>Called after a ledger entry is committed.</summary>
    public async Task OnCreditedAsync(PointEntry entry, CancellationToken cancellationToken)
    {
        var organizations = Ancestors(entry.OrganizationPath).ToList();
        if (_cache is not null)
        {
            foreach (var organization in organizations)
            {
                foreach (var period in RankedPeriods)
                {
                    _cache.Remove(SnapshotKey(organization, period, entry.OccurredAt), SnapshotOptions);
                }
            }
        }
        if (_redis is null)
        {
            return;
        }
        var database = _redis.Database;
        var member = (RedisValue)entry.MemberId.ToString("N");
        var keys = organizations.SelectMany(o => RankedPeriods.Select(p => Key(o, p, entry.OccurredAt))).ToList();
        try
        {
            // Only a set that is complete (marked) is incremented; a missing one is rebuilt on read.
            await database.ScriptEvaluateAsync(IncrementScript, [.. keys], [entry.PointsTenths, member]);
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

    private async ValueTask<Ranking> SnapshotAsync(Guid organizationId, PointPeriod period, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return _cache is null
            ? await BuildSnapshotAsync(organizationId, period, now, cancellationToken)
            : await _cache.GetOrSetAsync<Ranking>(SnapshotKey(organizationId, period, now), (_, ct) => BuildSnapshotAsync(organizationId, period, now, ct), SnapshotOptions, cancellationToken);
    }

    /// <summary>The whole order of the subtree for the period, with names for the first 100.</summary>
    private async Task<Ranking> BuildSnapshotAsync(Guid organizationId, PointPeriod period, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var scores = await ScoresAsync(organizationId, period, now, cancellationToken);
        var ordered = Sorted(scores).ToList();
        var named = ordered.Take(100).ToList();
        var names = await NamesAsync(named.Select(s => s.MemberId), cancellationToken);
        var rows = named.Select((s, i) => new RankingRow(i + 1, s.MemberId, names.GetValueOrDefault(s.MemberId, ""), s.Points)).ToList();
        var ranks = new Dictionary<Guid, (int Rank, int PointsTenths)>(ordered.Count);
        for (var i = 0; i < ordered.Count; i++)
        {
            ranks[ordered[i].MemberId] = (i + 1, ordered[i].Points);
        }
        return new Ranking(organizationId, period, Points.PeriodKey(period, now), rows, scores.Count) { Ranks = ranks };
    }

    private async Task<Dictionary<Guid, int>> ScoresAsync(Guid organizationId, PointPeriod period, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (_redis is null)
        {
            return await ScoresFromLedgerAsync(organizationId, period, at, cancellationToken);
        }
        try
        {
            return await ScoresFromRedisAsync(_redis.Database, organizationId, period, at, cancellationToken);
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
        if (ids.Count == 0)
        {
            return [];
        }
        await using var db = factory.CreateForSystem();
        return await db.Members.IgnoreQueryFilters().Where(m => ids.Contains(m.Id)).ToDictionaryAsync(m => m.Id, m => m.Name, cancellationToken);
    }

    private static IEnumerable<Guid> Ancestors(string path)
        => path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(segment => Guid.ParseExact(segment, "N"));

    private static RedisKey Key(Guid organizationId, PointPeriod period, DateTimeOffset at)
        => $"ebranch:rank:{organizationId:N}:{period.ToString().ToLower(CultureInfo.InvariantCulture)}:{Points.PeriodKey(period, at)}";

    private static RedisKey Marker(RedisKey key) => key.Append(":complete");

    private static string SnapshotKey(Guid organizationId, PointPeriod period, DateTimeOffset at)
        => $"rank-snapshot:{organizationId:N}:{period}:{Points.PeriodKey(period, at)}";
}

public static class PointsServiceCollectionExtensions
{
    public static IServiceCollection AddPoints(this IServiceCollection services)
        => services.AddSingleton<RankingService>().AddSingleton<PointsEngine>().AddSingleton<AbsencePenaltyService>().AddScoped<PointRuleService>();
}
