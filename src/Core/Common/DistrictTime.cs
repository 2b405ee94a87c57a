namespace EBranch.Core.Common;

/// <summary>The district lives in China Standard Time: "today", days and months are counted there.</summary>
public static class DistrictTime
{
    public static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    public static DateTimeOffset Now(TimeProvider time) => TimeZoneInfo.ConvertTime(time.GetUtcNow(), Zone);

    public static DateOnly Today(TimeProvider time) => DateOnly.FromDateTime(Now(time).DateTime);

    /// <summary>A district wall-clock time as a UTC instant (PostgreSQL stores timestamptz in UTC only).</summary>
    public static DateTimeOffset ToInstant(DateTime wallClock)
    {
        var local = DateTime.SpecifyKind(wallClock, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, Zone.GetUtcOffset(local)).ToUniversalTime();
    }

    /// <summary>The instant a district day starts.</summary>
    public static DateTimeOffset StartOf(DateOnly day) => ToInstant(day.ToDateTime(TimeOnly.MinValue));

    /// <summary>Whole years from <paramref name="from"/> to <paramref name="today"/> (0 when not yet reached).</summary>
    public static int YearsBetween(DateOnly from, DateOnly today)
    {
        var years = today.Year - from.Year;
        if (today < from.AddYears(years))
        {
            years--;
        }
        return Math.Max(0, years);
    }
}
