using EBranch.Core.Data;
namespace EBranch.Core.Activities;

/// <summary>
/// 自动留痕: one append-only row per member or organization action. Ledgers and alerts read these;
/// nothing updates or deletes them. <see cref="OrganizationPath"/> makes "this subtree in this period"
/// one indexed query.
/// </summary>
public sealed class ActivityRecord : IScopedByPath, IMemberData
{
    Guid? IMemberData.DataOfMember => MemberId;

    public Guid Id { get; set; } = Guid.CreateVersion7();

    /// <summary>A stable code from <see cref="ActivityTypes"/>.</summary>
    public required string Type { get; set; }
    public Guid? MemberId { get; set; }
    public Guid? WeChatUserId { get; set; }
    public Guid? OrganizationId { get; set; }
    public string OrganizationPath { get; set; } = "/";
    public string? SubjectType { get; set; }
    public string? SubjectId { get; set; }
    public DateTimeOffset OccurredAt { get; set; }

    /// <summary>Small JSON object with what else is worth keeping (never personal numbers).</summary>
    public string? Details { get; set; }
}

/// <summary>
/// The activity types of identity, points and check-in. Codes are stored: never rename one. Other areas declare theirs in
/// their own folder the same way (a <c>const string</c> with <see cref="ActivityLabelAttribute"/>).
/// </summary>
public static class ActivityTypes
{
    [ActivityLabel("登录")] public const string Login = "login";
    [ActivityLabel("提交实名认证")] public const string BindingRequested = "binding.requested";
    [ActivityLabel("实名认证通过")] public const string Bound = "binding.bound";
    [ActivityLabel("实名认证未通过")] public const string BindingRejected = "binding.rejected";
    [ActivityLabel("解除绑定")] public const string Unbound = "binding.unbound";
    [ActivityLabel("每日签到")] public const string CheckIn = "checkin";
    [ActivityLabel("获得积分")] public const string PointsCredited = "points.credited";

    /// <summary>The zh-CN label of any declared type (of every area); the code itself for an unknown one.</summary>
    public static string Label(string type) => ActivityTypeCatalog.Label(type);
}
