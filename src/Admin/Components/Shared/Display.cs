using EBranch.Core.Common;
using EBranch.Core.Dues;
using EBranch.Core.Identity;
using EBranch.Core.Points;

namespace EBranch.Admin.Components.Shared;

/// <summary>How the console shows times, points, money and the identity/points/dues enums (zh-CN).</summary>
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

    /// <summary>Fen as yuan with two decimals ("81.00").</summary>
    public static string Yuan(long fen) => DuesCalculator.Yuan(fen);

    public static string Yuan(long? fen) => fen is { } value ? Yuan(value) : "—";

    /// <summary>A 0-1 share as a percentage with one decimal ("35.2%").</summary>
    public static string Percent(double share) => (share * 100).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + "%";

    public static string Of(PayOrderStatus status) => status switch
    {
        PayOrderStatus.Waiting => "待支付",
        PayOrderStatus.Paid => "已支付",
        PayOrderStatus.Closed => "已关闭",
        PayOrderStatus.Refunding => "退款中",
        PayOrderStatus.Refunded => "已退款",
        _ => status.ToString(),
    };

    public static string Of(RefundStatus status) => status switch
    {
        RefundStatus.Requested => "待审批",
        RefundStatus.Approved => "已批准",
        RefundStatus.Processing => "退款处理中",
        RefundStatus.Succeeded => "已退款",
        RefundStatus.Rejected => "已驳回",
        RefundStatus.Failed => "退款失败",
        RefundStatus.Withdrawn => "已撤回",
        _ => status.ToString(),
    };

    public static string Of(IssueKind kind) => kind switch
    {
        IssueKind.MissingHere => "本系统缺少",
        IssueKind.MissingThere => "微信缺少",
        IssueKind.AmountDiffers => "金额不符",
        IssueKind.StateDiffers => "状态不符",
        IssueKind.BillHashMismatch => "对账单校验失败",
        IssueKind.NotificationMismatch => "支付通知不符",
        IssueKind.DuplicatePayment => "重复支付",
        _ => kind.ToString(),
    };

    /// <summary>Order and bill states as stored in an issue ("Paid", "SUCCESS") in zh-CN where known.</summary>
    public static string State(string? state) => state switch
    {
        null or "" => "—",
        _ when Enum.TryParse<PayOrderStatus>(state, out var order) => Of(order),
        _ when Enum.TryParse<RefundStatus>(state, out var refund) => Of(refund),
        "SUCCESS" => "支付成功",
        "REFUND" => "已退款",
        "NOTPAY" => "未支付",
        "CLOSED" => "已关闭",
        _ => state,
    };

    /// <summary>The colour of an arrears warning: 2 months orange, 4 red, 6 magenta.</summary>
    public static string ArrearsColor(int consecutiveUnpaidMonths) => consecutiveUnpaidMonths switch
    {
        >= 6 => "magenta",
        >= 4 => "red",
        >= 2 => "orange",
        _ => "default",
    };
}
