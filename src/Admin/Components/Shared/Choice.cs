namespace EBranch.Admin.Components.Shared;

/// <summary>One option of a select: a value and its zh-CN label.</summary>
public sealed record Choice<TValue>(TValue Value, string Label)
{
    public static IReadOnlyList<Choice<TValue>> Of(IEnumerable<TValue> values, Func<TValue, string> label)
        => values.Select(v => new Choice<TValue>(v, label(v))).ToList();
}
