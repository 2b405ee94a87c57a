using System.Collections.Frozen;
using System.Reflection;

namespace EBranch.Core.Activities;

/// <summary>
/// Marks a <c>const string</c> activity type code with its zh-CN label. Each area declares its own codes in a static
/// class of its folder (e.g. <c>DuesActivityTypes</c>); <see cref="ActivityTypes.Label"/> finds every marked constant
/// in Core, so adding an area never edits a central list.
/// </summary>
[AttributeUsage(AttributeTargets.Field)]
public sealed class ActivityLabelAttribute(string label) : Attribute
{
    public string Label { get; } = label;
}

/// <summary>Every activity type code declared in Core with its label (read once by reflection).</summary>
public static class ActivityTypeCatalog
{
    private static readonly Lazy<FrozenDictionary<string, string>> Labels = new(() =>
        typeof(ActivityTypeCatalog).Assembly.GetTypes()
            .Where(t => t is { IsAbstract: true, IsSealed: true })
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static))
            .Where(f => f is { IsLiteral: true } && f.FieldType == typeof(string))
            .Select(f => (Code: (string)f.GetRawConstantValue()!, Attribute: f.GetCustomAttribute<ActivityLabelAttribute>()))
            .Where(x => x.Attribute is not null)
            .ToFrozenDictionary(x => x.Code, x => x.Attribute!.Label));

    /// <summary>Code → zh-CN label of every declared type.</summary>
    public static IReadOnlyDictionary<string, string> All => Labels.Value;

    public static string Label(string type) => Labels.Value.TryGetValue(type, out var label) ? label : type;
}
