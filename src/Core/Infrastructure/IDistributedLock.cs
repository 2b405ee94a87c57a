namespace EBranch.Core.Infrastructure;

/// <summary>
/// A named lock shared by every instance of the product: Redis when configured, in-process otherwise.
/// </summary>
public interface IDistributedLock
{
    /// <summary>Tries to take <paramref name="name"/> for at most <paramref name="lease"/>, waiting up to <paramref name="wait"/>.
    /// Returns null when the lock could not be taken in time.</summary>
    ValueTask<IAsyncDisposable?> TryAcquireAsync(string name, TimeSpan lease, TimeSpan wait, CancellationToken cancellationToken = default);
}
