using EBranch.Core.Hosting;

namespace EBranch.Testing;

public static class SecurityHeaderChecks
{
    /// <summary>Every answer carries each of <see cref="SecurityHeaders.Values"/>, once and exactly.</summary>
    public static void AssertOnEvery(IEnumerable<HttpResponseMessage> answers)
    {
        foreach (var answer in answers)
        {
            foreach (var (name, value) in SecurityHeaders.Values)
            {
                Assert.True(answer.Headers.TryGetValues(name, out var values) && values.Single() == value,
                    $"{answer.RequestMessage!.RequestUri!.AbsolutePath} ({(int)answer.StatusCode}): {name}");
            }
        }
    }
}
