using EBranch.Core.Data;
using EBranch.Core.Common;

namespace EBranch.Core.Points;

public enum PointPeriod
{
    Day = 1,
    Week = 2,
    Month = 3,
    Year = 4,
}

/// <summary>
/// A points rule as data: {action, points, cap per period, period, active from/to}. Points are kept in
/// tenths (the published tables use 0.5 steps). Editing a rule closes the current version and opens a new
/// one from its start time, so history is never rewritten.
/// </summary>
public sealed class PointRule : Entity
{
    /// <summary>A stable code from <see cref="PointActions"/>.</summary>
    public required string Action { get; set; }
    public required string Name { get; set; }
    public int PointsTenths { get; set; }

    /// <summary>Most tenths one member may earn from this action per <see cref="Period"/>; null = no cap.</summary>
    public int? CapTenths { get; set; }
    public PointPeriod Period { get; set; } = PointPeriod.Day;
    public DateTimeOffset ActiveFrom { get; set; }
    public DateTimeOffset? ActiveTo { get; set; }
    public bool IsEnabled { get; set; } = true;

    public bool IsActiveAt(DateTimeOffset at) => IsEnabled && ActiveFrom <= at && (ActiveTo is null || at < ActiveTo);
}

/// <summary>
/// The append-only points ledger. (MemberId, Action, SourceKey) is unique, so the same event credited twice
/// (a retry, a duplicate notification) counts once. Reversals are new entries with negative points and
/// their own source key.
/// </summary>
public sealed class PointEntry : IMemberData
{
    Guid? IMemberData.DataOfMember => MemberId;

    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid MemberId { get; set; }
    public required string Action { get; set; }
    public required string SourceKey { get; set; }
    public int PointsTenths { get; set; }
    public Guid? RuleId { get; set; }
    public DateTimeOffset OccurredAt { get; set; }

    /// <summary>The member's organization path when credited (rankings by branch/township/district).</summary>
    public string OrganizationPath { get; set; } = "/";
    public string? Note { get; set; }
}

/// <summary>Action codes. Stored in rules and the ledger: never rename one.</summary>
public static class PointActions
{
    public const string Login = "login";
    public const string CheckIn = "checkin";
    public const string Reading = "reading";
    public const string Video = "video";
    public const string Quiz = "quiz";
    public const string MeetingAttendance = "meeting";
    public const string DuesPayment = "dues";
    public const string Reflection = "reflection";
    public const string Volunteering = "volunteering";
    public const string Reversal = "reversal";

    /// <summary>A week without logging in (the published table's "−1 after a week absent"): a penalty, credited by a daily job.</summary>
    public const string Absence = "absence";

    /// <summary>Whether the action's rule takes points away (its points are ≤ 0) rather than awarding them.</summary>
    public static bool IsPenalty(string action) => action == Absence;
}

public static class Points
{
    /// <summary>"1.5" from 15 tenths.</summary>
    public static string Format(int tenths) => (tenths / 10m).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Start (inclusive) and end (exclusive) of the period holding <paramref name="at"/>, in district time (weeks start on Monday).</summary>
    public static (DateTimeOffset Start, DateTimeOffset End) Window(PointPeriod period, DateTimeOffset at)
    {
        var local = TimeZoneInfo.ConvertTime(at, DistrictTime.Zone);
        var day = local.Date;
        DateTime start, end;
        switch (period)
        {
            case PointPeriod.Day:
                start = day; end = day.AddDays(1);
                break;
            case PointPeriod.Week:
                start = day.AddDays(-(((int)day.DayOfWeek + 6) % 7)); end = start.AddDays(7);
                break;
            case PointPeriod.Month:
                start = new DateTime(day.Year, day.Month, 1); end = start.AddMonths(1);
                break;
            default:
                start = new DateTime(day.Year, 1, 1); end = start.AddYears(1);
                break;
        }
        return (DistrictTime.ToInstant(start), DistrictTime.ToInstant(end));
    }

    /// <summary>A short key naming the period holding <paramref name="at"/> ("2026-W48", "2026-11", "2026").</summary>
    public static string PeriodKey(PointPeriod period, DateTimeOffset at)
    {
        var (start, _) = Window(period, at);
        var local = TimeZoneInfo.ConvertTime(start, DistrictTime.Zone);
        return period switch
        {
            PointPeriod.Day => local.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            PointPeriod.Week => local.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) + "W",
            PointPeriod.Month => local.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture),
            _ => local.Year.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
    }
}
