using EBranch.Core.Common;

namespace EBranch.Core.Regions;

public enum RegionLevel
{
    District = 1,
    Township = 2,
    Village = 3,
}

/// <summary>
/// A node of the administrative tree 区/县 &gt; 乡镇/街道 &gt; 村/社区 with its 12-digit statistical code
/// (province 2 + prefecture 2 + county 2 + township 3 + village 3).
/// </summary>
public sealed class Region : Entity
{
    public required string Code { get; set; }
    public required string Name { get; set; }
    public RegionLevel Level { get; set; }
    public Guid? ParentId { get; set; }
    public Region? Parent { get; set; }
    public int SortOrder { get; set; }

    /// <summary>The kind word shown to people: 街道, 镇, 乡, 村 or 社区 (derived from the code and name).</summary>
    public string KindLabel => Level switch
    {
        RegionLevel.District => "区",
        RegionLevel.Township => StatisticalCode.TownshipKind(Code),
        _ => Name.EndsWith("社区", StringComparison.Ordinal) ? "社区" : "村",
    };
}

/// <summary>Rules of the 12-digit statistical division code.</summary>
public static class StatisticalCode
{
    public static bool IsValid(string? code) => code is { Length: 12 } && code.All(char.IsAsciiDigit);

    /// <summary>Township segment 001-099 街道, 100-199 镇, 200-399 乡.</summary>
    public static string TownshipKind(string code)
    {
        var township = int.Parse(code.AsSpan(6, 3));
        return township switch
        {
            < 100 => "街道",
            < 200 => "镇",
            _ => "乡",
        };
    }

    public static string CountyPrefix(string code) => code[..6];
    public static string TownshipPrefix(string code) => code[..9];
}
