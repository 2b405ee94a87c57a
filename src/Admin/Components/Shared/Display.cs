using EBranch.Core.Common;
using EBranch.Core.Identity;
using EBranch.Core.Points;

namespace EBranch.Admin.Components.Shared;

/// <summary>How the console shows times, points and the identity/points enums (zh-CN).</summary>
public static class Display
{
    /// <summary>An instant in district time (Asia/Shanghai), to the minute or second.</summary>
    public static string Time(DateTimeOffset at, bool seconds = false)
        => TimeZoneInfo.ConvertTime(at, DistrictTime.Zone).ToString(seconds ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm");

    public static string Time(DateTimeOffset? at) => at is { } value ? Time(value) : "—";

    /// <summary>Tenths as points with one decimal ("1.5", "2.0").</summary>
    public static string Points(int tenths) => (tenths / 10m).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);

    public static string Of(BindingStatus status) => status switch
    {
        BindingStatus.Pending => "待审核",
        BindingStatus.Matched => "自动匹配",
        BindingStatus.Approved => "已通过",
        BindingStatus.Rejected => "未通过",
        BindingStatus.Superseded => "已撤回",
        _ => status.ToString(),
    };

    public static string Of(BindingMethod method) => method switch
    {
        BindingMethod.IdNumber => "身份证",
        BindingMethod.Phone => "手机号",
        _ => method.ToString(),
    };

    public static string Of(PointPeriod period) => period switch
    {
        PointPeriod.Day => "日",
        PointPeriod.Week => "周",
        PointPeriod.Month => "月",
        PointPeriod.Year => "年",
        _ => period.ToString(),
    };

    /// <summary>The ranking period as "本周", "本月", "本年".</summary>
    public static string Current(PointPeriod period) => "本" + Of(period);
}
