using EBranch.Core.Dues;

namespace EBranch.Tests.Dues;

public sealed class DuesCalculatorTests
{
    [Theory]
    // Employed: each bracket includes its upper bound; the rate applies to the whole base.
    [InlineData(DuesCategory.Employed, 0L, 50, 0L)]
    [InlineData(DuesCategory.Employed, 300_000L, 50, 1_500L)]
    [InlineData(DuesCategory.Employed, 300_001L, 100, 3_000L)]
    [InlineData(DuesCategory.Employed, 500_000L, 100, 5_000L)]
    [InlineData(DuesCategory.Employed, 500_001L, 150, 7_500L)]
    [InlineData(DuesCategory.Employed, 540_000L, 150, 8_100L)]     // the regulation's example: 5,400 → 81.00
    [InlineData(DuesCategory.Employed, 1_000_000L, 150, 15_000L)]
    [InlineData(DuesCategory.Employed, 1_000_001L, 200, 20_000L)]
    [InlineData(DuesCategory.Employed, 1_150_000L, 200, 23_000L)]  // the regulation's example: 11,500 → 230.00
    [InlineData(DuesCategory.Employed, 333_333L, 100, 3_333L)]
    [InlineData(DuesCategory.Employed, 123_450L, 50, 617L)]        // 617.25 fen → 617
    [InlineData(DuesCategory.Employed, 123_500L, 50, 618L)]        // 617.5 fen → 618 (half away from zero)
    // Annual salary and self-employed use the employed brackets on their own base.
    [InlineData(DuesCategory.AnnualSalary, 2_000_000L, 200, 40_000L)]
    [InlineData(DuesCategory.SelfEmployed, 450_000L, 100, 4_500L)]
    // Retired: 0.5% up to and including 5,000, 1% above.
    [InlineData(DuesCategory.Retired, 500_000L, 50, 2_500L)]
    [InlineData(DuesCategory.Retired, 500_001L, 100, 5_000L)]
    [InlineData(DuesCategory.Retired, 320_000L, 50, 1_600L)]
    public void Brackets_GiveTheRegulationsAmounts(DuesCategory category, long baseFen, int basisPoints, long amountFen)
    {
        var amount = DuesCalculator.Compute(category, baseFen);
        Assert.Equal(basisPoints, amount.RateBasisPoints);
        Assert.Equal(amountFen, amount.AmountFen);
    }

    [Theory]
    [InlineData(20L, 20L)]
    [InlineData(100L, 100L)]
    [InlineData(50L, 50L)]
    [InlineData(10L, 20L)]
    [InlineData(500L, 100L)]
    public void Farmers_PayWhatTheBranchSets_Between20And100Fen(long setFen, long expected)
        => Assert.Equal(expected, DuesCalculator.Compute(DuesCategory.Farmer, null, setFen).AmountFen);

    [Fact]
    public void StudentsUnemployedAndThoseOnRelief_PayTwentyFen()
        => Assert.Equal(20L, DuesCalculator.Compute(DuesCategory.Minimal, null).AmountFen);

    [Theory]
    [InlineData(DuesCategory.Employed)]
    [InlineData(DuesCategory.Retired)]
    [InlineData(DuesCategory.AnnualSalary)]
    [InlineData(DuesCategory.SelfEmployed)]
    public void IncomeCategories_RequireABase(DuesCategory category)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DuesCalculator.Compute(category, null));
        Assert.Throws<ArgumentOutOfRangeException>(() => DuesCalculator.Compute(category, -1));
    }

    [Theory]
    [InlineData(202611, 1, 202612)]
    [InlineData(202612, 1, 202701)]
    [InlineData(202601, -1, 202512)]
    [InlineData(202611, -11, 202512)]
    [InlineData(202611, 6, 202705)]
    public void Months_AddAcrossYears(int month, int count, int expected) => Assert.Equal(expected, DuesMonth.Add(month, count));

    [Theory]
    [InlineData(1, null)]
    [InlineData(2, "已连续2个月未缴纳党费，请提醒按时缴纳")]
    [InlineData(4, "已连续4个月未缴纳党费，请支部谈话提醒")]
    [InlineData(6, "已连续6个月未缴纳党费，按规定视为自行脱党，请支部立即核实处理")]
    public void ArrearsWarnings_ComeAtTwoFourAndSixMonths(int months, string? warning) => Assert.Equal(warning, DuesReportService.Warning(months));
}
