using EBranch.Core.Accounts;

namespace EBranch.Testing;

/// <summary>An <see cref="ICallerProvider"/> that always answers one caller (e.g. one loaded as the console loads it).</summary>
public sealed class FixedCaller(Caller caller) : ICallerProvider
{
    public ValueTask<Caller> GetCallerAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(caller);
}
