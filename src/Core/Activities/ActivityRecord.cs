namespace EBranch.Core.Activities;

/// <summary>
/// 自动留痕: one append-only row per member or organization action. Ledgers and alerts read these;
/// nothing updates or deletes them. <see cref="OrganizationPath"/> makes "this subtree in this period"
/// one indexed query.
/// </summary>
public sealed class ActivityRecord
{
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

/// <summary>The activity types. Codes are stored: never rename one.</summary>
public static class ActivityTypes
{
    public const string Login = "login";
    public const string BindingRequested = "binding.requested";
    public const string Bound = "binding.bound";
    public const string BindingRejected = "binding.rejected";
    public const string Unbound = "binding.unbound";
    public const string CheckIn = "checkin";
    public const string PointsCredited = "points.credited";

    public static string Label(string type) => type switch
    {
        Login => "登录",
        BindingRequested => "提交实名认证",
        Bound => "实名认证通过",
        BindingRejected => "实名认证未通过",
        Unbound => "解除绑定",
        CheckIn => "每日签到",
        PointsCredited => "获得积分",
        _ => type,
    };
}
