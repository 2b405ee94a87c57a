namespace EBranch.Testing;

/// <summary>
/// The one poll the suites share: waits for a condition that background work (a notification, a job, a cache
/// message) makes true, and fails with what was awaited when it does not happen in time. Tests wait for a signal
/// with it, never for a fixed time.
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}.");
            }
            await Task.Delay(50);
        }
    }

    public static Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
        => WaitUntilAsync(() => Task.FromResult(condition()), what, timeout);
}
