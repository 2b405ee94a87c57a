using EBranch.Core.Activities;

namespace EBranch.Core.Dues;

/// <summary>The activity types of party dues (stored codes: never rename one).</summary>
public static class DuesActivityTypes
{
    [ActivityLabel("缴纳党费")] public const string Paid = "dues.paid";
    [ActivityLabel("党费退款")] public const string Refunded = "dues.refunded";
}
