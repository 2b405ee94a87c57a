using System.Globalization;

namespace EBranch.Admin.Components.Shared;

/// <summary>Dues months (yyyyMM integers) to and from an HTML month input ("2026-11").</summary>
public static class DuesMonthInput
{
    public static string Format(int month) => $"{month / 100:D4}-{month % 100:D2}";

    public static int? Parse(string? value)
        => DateOnly.TryParseExact(value + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? day.Year * 100 + day.Month : null;
}
