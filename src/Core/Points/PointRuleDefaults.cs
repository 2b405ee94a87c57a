namespace EBranch.Core.Points;

/// <summary>
/// The rule set loaded into an empty database, from the published provincial table (DOMAIN.md) plus the
/// platform's own defaults for actions that table does not price. All of it is data: the district edits it
/// in the console.
/// </summary>
public static class PointRuleDefaults
{
    public static IEnumerable<PointRule> Create(DateTimeOffset activeFrom)
    {
        PointRule Rule(string action, string name, int points, int? cap, PointPeriod period) => new()
        {
            Action = action, Name = name, PointsTenths = points, CapTenths = cap, Period = period, ActiveFrom = activeFrom,
        };
        // Published table: login +1/day (−1 after a week absent); 30 s valid reading +1, cap 2/day; 10 min video +2, cap 4/day;
        // quiz 0.5 / 1 / 1.5 by score, cap 3; meeting attendance +5 with annual caps equal to the statutory counts.
        yield return Rule(PointActions.Login, "每日登录", 10, 10, PointPeriod.Day);
        yield return Rule(PointActions.Absence, "连续一周未登录", -10, null, PointPeriod.Week);
        yield return Rule(PointActions.Reading, "有效阅读30秒", 10, 20, PointPeriod.Day);
        yield return Rule(PointActions.Video, "有效视听10分钟", 20, 40, PointPeriod.Day);
        yield return Rule(PointActions.Quiz, "答题（60-80分0.5，80-90分1，90分以上1.5）", 15, 30, PointPeriod.Day);
        yield return Rule(PointActions.MeetingAttendance + ".general", "参加支部党员大会", 50, 4 * 50, PointPeriod.Year);
        yield return Rule(PointActions.MeetingAttendance + ".committee", "参加支委会", 50, 12 * 50, PointPeriod.Year);
        yield return Rule(PointActions.MeetingAttendance + ".group", "参加党小组会", 50, 12 * 50, PointPeriod.Year);
        yield return Rule(PointActions.MeetingAttendance + ".lifemeeting", "参加组织生活会", 50, 1 * 50, PointPeriod.Year);
        yield return Rule(PointActions.MeetingAttendance + ".evaluation", "参加民主评议党员", 50, 1 * 50, PointPeriod.Year);
        yield return Rule(PointActions.MeetingAttendance + ".themeday", "参加主题党日", 50, 12 * 50, PointPeriod.Year);
        // Platform defaults (not in the published table).
        yield return Rule(PointActions.CheckIn, "每日签到", 10, 10, PointPeriod.Day);
        yield return Rule(PointActions.DuesPayment, "按时缴纳党费", 20, 20, PointPeriod.Month);
        yield return Rule(PointActions.Reflection, "发表心得体会", 20, 20, PointPeriod.Day);
        yield return Rule(PointActions.Volunteering, "参加志愿服务", 30, 60, PointPeriod.Week);
    }
}
