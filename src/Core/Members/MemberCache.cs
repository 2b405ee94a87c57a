using EBranch.Core.Common;
using EBranch.Core.Data;
using ZiggyCreatures.Caching.Fusion;

namespace EBranch.Core.Members;

/// <summary>
/// Keys of cached views of one member (FusionCache: memory, Redis L2, backplane). Hosts fill them; Core removes them on
/// every instance whenever a save changes the member's own data (<see cref="MemberCacheInvalidator"/>), so a view is
/// stale only for what other members do (e.g. their points moving a rank), for at most the entry's duration.
/// </summary>
public static class MemberCacheKeys
{
    /// <summary>
    /// How long a personal-space answer is kept. The member's own changes remove it at once; this bounds only how long the
    /// rank and participant count may lag other members' points (a page the member opens now and then: two minutes).
    /// </summary>
    public static readonly TimeSpan SpaceDuration = TimeSpan.FromMinutes(2);

    /// <summary>How long a member's organization (id and path) is kept; a transfer removes it at once.</summary>
    public static readonly TimeSpan PlacementDuration = TimeSpan.FromMinutes(10);

    /// <summary>The personal space of a member as of a district day (the day is in the key: "checked in today", party age).</summary>
    public static string Space(Guid memberId, DateOnly day) => $"space:{memberId:N}:{day:yyyyMMdd}";

    public static string Placement(Guid memberId) => $"member-org:{memberId:N}";
}

/// <summary>A member's organization as the gateway needs it for rankings.</summary>
public sealed record MemberPlacement(Guid OrganizationId, string Path);

/// <summary>Removes a member's cached views after a save changed their data (see <see cref="IMemberChangeListener"/>).</summary>
public sealed class MemberCacheInvalidator(IFusionCache cache, TimeProvider time) : IMemberChangeListener
{
    /// <summary>
    /// Above this many members in one save (imports, seeding) nothing is removed: the entries' own lifetime bounds the lag
    /// (a removal per member, each with a Redis UNLINK and a backplane message, would flood Redis; clearing the whole cache
    /// would drop every instance's sessions too).
    /// </summary>
    private const int BulkThreshold = 256;

    /// <summary>
    /// Removes from memory at once; Redis and the backplane message go in the background (async: a synchronous removal
    /// here blocked thread-pool threads on Redis under load).
    /// </summary>
    public async ValueTask MembersChangedAsync(MemberChanges changes)
    {
        if (changes.Members.Count > BulkThreshold)
        {
            return;
        }
        var today = DistrictTime.Today(time);
        foreach (var id in changes.Members)
        {
            await cache.RemoveAsync(MemberCacheKeys.Space(id, today));
        }
        foreach (var id in changes.Profiles)
        {
            await cache.RemoveAsync(MemberCacheKeys.Placement(id));
        }
    }
}
