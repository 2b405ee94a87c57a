namespace EBranch.Core.Dues;

public sealed record DuesAmount(int RateBasisPoints, long AmountFen);

/// <summary>
/// The 2008 regulation's dues. The rate applies flat to the whole base (not progressively).
/// Bracket edges ("3,000-5,000 含"): each bracket includes its upper bound, so 3,000.00 pays 0.5%,
/// 3,000.01 to 5,000.00 pays 1%, 5,000.01 to 10,000.00 pays 1.5%, above 10,000.00 pays 2%; pensions of
/// 5,000.00 or less pay 0.5%, above 1%. Amounts are rounded half away from zero to the fen.
/// </summary>
public static class DuesCalculator
{
    public const long MinimalFen = 20;
    public const long FarmerMinFen = 20;
    public const long FarmerMaxFen = 100;

    private static readonly (long UpToFen, int BasisPoints)[] EmployedBrackets =
    [
        (300_000, 50),
        (500_000, 100),
        (1_000_000, 150),
        (long.MaxValue, 200),
    ];

    private static readonly (long UpToFen, int BasisPoints)[] RetiredBrackets =
    [
        (500_000, 50),
        (long.MaxValue, 100),
    ];

    public static DuesAmount Compute(DuesCategory category, long? baseFen, long farmerAmountFen = FarmerMinFen) => category switch
    {
        DuesCategory.Employed or DuesCategory.AnnualSalary or DuesCategory.SelfEmployed => ByBrackets(EmployedBrackets, RequireBase(baseFen)),
        DuesCategory.Retired => ByBrackets(RetiredBrackets, RequireBase(baseFen)),
        DuesCategory.Farmer => new DuesAmount(0, Math.Clamp(farmerAmountFen, FarmerMinFen, FarmerMaxFen)),
        DuesCategory.Minimal => new DuesAmount(0, MinimalFen),
        _ => throw new ArgumentOutOfRangeException(nameof(category)),
    };

    private static long RequireBase(long? baseFen)
        => baseFen is >= 0 and <= 100_000_000_00 ? baseFen.Value : throw new ArgumentOutOfRangeException(nameof(baseFen), "缴费基数须在0至1亿元之间");

    private static DuesAmount ByBrackets((long UpToFen, int BasisPoints)[] brackets, long baseFen)
    {
        var rate = brackets.First(b => baseFen <= b.UpToFen).BasisPoints;
        var amount = (long)Math.Round(baseFen * (decimal)rate / 10_000m, MidpointRounding.AwayFromZero);
        return new DuesAmount(rate, amount);
    }

    public static string CategoryLabel(DuesCategory category) => category switch
    {
        DuesCategory.Employed => "在职",
        DuesCategory.Retired => "离退休",
        DuesCategory.Farmer => "农民",
        DuesCategory.Minimal => "学生/下岗失业/低保",
        DuesCategory.AnnualSalary => "年薪制",
        DuesCategory.SelfEmployed => "个体经营",
        _ => category.ToString(),
    };

    /// <summary>"81.00" from 8100 fen.</summary>
    public static string Yuan(long fen) => (fen / 100m).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
}
