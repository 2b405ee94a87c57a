using ZiggyCreatures.Caching.Fusion;

namespace EBranch.Core.Infrastructure;

/// <summary>
/// How an entry that other instances must stop serving is removed (a revoked session, changed rules): the Redis delete and
/// the backplane message are sent before the call returns rather than in the background, so a write that has returned has
/// been announced to every instance (which drop their copy a few milliseconds later).
/// </summary>
public static class CacheInvalidation
{
    public static FusionCacheEntryOptions Announced { get; } = new()
    {
        AllowBackgroundDistributedCacheOperations = false,
        AllowBackgroundBackplaneOperations = false,
    };
}
