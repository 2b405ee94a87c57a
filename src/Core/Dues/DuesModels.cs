using EBranch.Core.Data;
using EBranch.Core.Common;
using Microsoft.EntityFrameworkCore;

namespace EBranch.Core.Dues;

/// <summary>Dues categories of the 2008 regulation.</summary>
public enum DuesCategory
{
    /// <summary>在职: monthly income after tax, brackets 0.5/1/1.5/2%.</summary>
    Employed = 1,
    /// <summary>离退休: pension, 0.5% up to 5,000, 1% above.</summary>
    Retired = 2,
    /// <summary>农民: 0.2-1 yuan a month, set by the branch.</summary>
    Farmer = 3,
    /// <summary>学生、下岗失业、领取救济或最低生活保障: 0.2 yuan a month.</summary>
    Minimal = 4,
    /// <summary>年薪制: that month's pay, employed brackets.</summary>
    AnnualSalary = 5,
    /// <summary>个体经营: last quarter's monthly average, employed brackets.</summary>
    SelfEmployed = 6,
}

/// <summary>
/// A member's dues standard from a month on (<see cref="EffectiveFrom"/> as yyyyMM). Changes add a new
/// row; the one in force for a month is the latest that started on or before it, so history is kept.
/// </summary>
public sealed class DuesStandard : Entity
{
    public Guid MemberId { get; set; }
    public DuesCategory Category { get; set; }

    /// <summary>Declared monthly base in fen (income, pension, that month's pay, or last quarter's average).</summary>
    public long? BaseFen { get; set; }

    /// <summary>Rate in basis points (1/100 of a percent) from the brackets; 0 for flat amounts.</summary>
    public int RateBasisPoints { get; set; }

    /// <summary>The monthly amount the rules give, in fen.</summary>
    public long AmountFen { get; set; }

    /// <summary>A hardship reduction approved by the branch and the higher committee; replaces the amount while set.</summary>
    public long? ReducedAmountFen { get; set; }
    public string? ReductionApprovedBy { get; set; }

    public int EffectiveFrom { get; set; }
    public string? Note { get; set; }

    public long MonthlyFen => ReducedAmountFen ?? AmountFen;
}

public enum ReductionStatus
{
    Requested = 1,
    Approved = 2,
    Rejected = 3,
    /// <summary>Withdrawn by the requester before anyone decided.</summary>
    Withdrawn = 4,
}

/// <summary>
/// A hardship reduction (困难减免): requested by the branch with a reason, approved by the higher committee.
/// Once approved it applies from <see cref="EffectiveFrom"/> through the member's standard.
/// </summary>
public sealed class DuesReduction : Entity, IScopedByPath
{
    public Guid MemberId { get; set; }
    public long ReducedAmountFen { get; set; }
    public int EffectiveFrom { get; set; }
    public required string Reason { get; set; }
    public ReductionStatus Status { get; set; } = ReductionStatus.Requested;
    public required string RequestedBy { get; set; }
    public string? DecidedBy { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
    public string OrganizationPath { get; set; } = "/";
}

public enum BillStatus
{
    Unpaid = 1,
    Paid = 2,
}

/// <summary>One member's dues for one month. (MemberId, Month) is unique.</summary>
public sealed class DuesBill : Entity, IScopedByPath
{
    public Guid MemberId { get; set; }
    public int Month { get; set; }
    public long AmountFen { get; set; }
    public BillStatus Status { get; set; } = BillStatus.Unpaid;

    /// <summary>The order that paid it (null when collected offline by the branch).</summary>
    public Guid? PaidByOrderId { get; set; }
    public DateTimeOffset? PaidAt { get; set; }

    /// <summary>The member's organization when the bill was made (reports group by it).</summary>
    public Guid OrganizationId { get; set; }
    public string OrganizationPath { get; set; } = "/";
}

public enum PayOrderStatus
{
    /// <summary>Created at WeChat Pay; waiting for the payer.</summary>
    Waiting = 1,
    Paid = 2,
    Closed = 3,
    /// <summary>A refund was requested and approved; WeChat is processing it.</summary>
    Refunding = 4,
    Refunded = 5,
}

/// <summary>
/// A WeChat Pay order for one or more months of one member's dues (plus an optional voluntary extra).
/// <c>Waiting → Paid</c> is a compare-and-set that must change exactly one row.
/// </summary>
public sealed class PayOrder : Entity, IScopedByPath
{
    public required string OutTradeNo { get; set; }
    public Guid MemberId { get; set; }
    public Guid PayerWeChatUserId { get; set; }
    public required string PayerOpenId { get; set; }
    public bool PaidOnBehalf { get; set; }
    public long AmountFen { get; set; }
    public long ExtraFen { get; set; }
    public PayOrderStatus Status { get; set; } = PayOrderStatus.Waiting;
    public string? PrepayId { get; set; }
    public string? TransactionId { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? PaidAt { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }
    public bool PointsCredited { get; set; }
    public required string Description { get; set; }
    public Guid OrganizationId { get; set; }
    public string OrganizationPath { get; set; } = "/";

    /// <summary>Optimistic concurrency token (changes on every write).</summary>
    public Guid Version { get; set; } = Guid.NewGuid();

    public List<PayOrderItem> Items { get; set; } = [];
}

public sealed class PayOrderItem
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid OrderId { get; set; }
    public Guid BillId { get; set; }
    public int Month { get; set; }
    public long AmountFen { get; set; }
}

/// <summary>Every payment or refund notification as received (verified or not), kept for the audit trail.</summary>
public sealed class PayNotificationRecord
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public DateTimeOffset ReceivedAt { get; set; }
    public required string Kind { get; set; }
    public string? NotificationId { get; set; }
    public string? EventType { get; set; }
    public string? OutTradeNo { get; set; }
    public string? Serial { get; set; }
    public string? Timestamp { get; set; }
    public string? Nonce { get; set; }
    public string? Signature { get; set; }
    public required string RawBody { get; set; }

    /// <summary>processed | duplicate | rejected | mismatch</summary>
    public required string Outcome { get; set; }
    public string? Detail { get; set; }
}

public enum RefundStatus
{
    Requested = 1,
    Approved = 2,
    Processing = 3,
    Succeeded = 4,
    Rejected = 5,
    Failed = 6,
    /// <summary>Withdrawn by the requester before anyone decided.</summary>
    Withdrawn = 7,
}

/// <summary>A refund of a whole order: requested by an administrator with a reason, approved by a higher role.</summary>
public sealed class DuesRefund : Entity, IScopedByPath
{
    public Guid OrderId { get; set; }
    public PayOrder? Order { get; set; }
    public required string OutRefundNo { get; set; }
    public long AmountFen { get; set; }
    public required string Reason { get; set; }
    public RefundStatus Status { get; set; } = RefundStatus.Requested;
    public required string RequestedBy { get; set; }
    public string? DecidedBy { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
    public string? DecisionNote { get; set; }
    public string? RefundId { get; set; }
    public DateTimeOffset? SucceededAt { get; set; }
    public string OrganizationPath { get; set; } = "/";
}

public enum IssueKind
{
    /// <summary>In WeChat's bill, not paid here.</summary>
    MissingHere = 1,
    /// <summary>Paid here, not in WeChat's bill.</summary>
    MissingThere = 2,
    AmountDiffers = 3,
    StateDiffers = 4,
    BillHashMismatch = 5,
    /// <summary>A verified notification that does not match its order (amount, appid, mchid).</summary>
    NotificationMismatch = 6,
    /// <summary>A bill was paid twice (a late payment of a closed order).</summary>
    DuplicatePayment = 7,
}

/// <summary>A reconciliation or payment discrepancy, shown in the console until someone resolves it.</summary>
public sealed class DuesIssue : Entity, IScopedByPath
{
    public IssueKind Kind { get; set; }
    public DateOnly? BillDate { get; set; }
    public string? OutTradeNo { get; set; }
    public string? OutRefundNo { get; set; }
    public long? OurAmountFen { get; set; }
    public long? TheirAmountFen { get; set; }
    public string? OurState { get; set; }
    public string? TheirState { get; set; }
    public required string Detail { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }
    public string? ResolvedBy { get; set; }
    public string? Resolution { get; set; }
    public string OrganizationPath { get; set; } = "/";
}

public enum ReminderState
{
    /// <summary>Claimed by a run that is sending it (or stopped while it was: then it is never resent).</summary>
    Sending = 0,
    Sent = 1,

    /// <summary>Sent, but WeChat's answer was lost: it may have been delivered, so it is not sent again.</summary>
    Unconfirmed = 2,
}

/// <summary>
/// A member's dues reminder of a month: at most one. A run claims the row before it calls WeChat (the unique member and
/// month decide between runs), keeps it when WeChat accepted the message or may have, and removes it when WeChat
/// answered that it did not (no quota, busy, an error), so a later run on the reminder day tries again.
/// </summary>
public sealed class DuesReminderSent : Entity
{
    public Guid MemberId { get; set; }
    public int Month { get; set; }
    public ReminderState State { get; set; } = ReminderState.Sent;
    public DateTimeOffset SentAt { get; set; }
}

/// <summary>A branch's dues settings: reminder day, collector, methods, and the farmers' monthly amount.</summary>
public sealed class BranchDuesSettings : Entity
{
    public Guid OrganizationId { get; set; }
    public int ReminderDay { get; set; } = 5;
    public string? Collector { get; set; }
    public bool AllowWeChatPay { get; set; } = true;
    public bool AllowCash { get; set; } = true;

    /// <summary>What farmers of this branch pay a month (20-100 fen).</summary>
    public long FarmerAmountFen { get; set; } = 20;
}

/// <summary>Months as yyyyMM integers (202611), counted in district time.</summary>
public static class DuesMonth
{
    public static int Of(DateOnly day) => day.Year * 100 + day.Month;

    public static int Current(TimeProvider time) => Of(DistrictTime.Today(time));

    public static int Add(int month, int count)
    {
        var index = month / 100 * 12 + (month % 100 - 1) + count;
        return index / 12 * 100 + index % 12 + 1;
    }

    public static int Between(int from, int to) => (to / 100 * 12 + to % 100) - (from / 100 * 12 + from % 100);

    public static bool IsValid(int month) => month / 100 is >= 2000 and <= 2100 && month % 100 is >= 1 and <= 12;

    public static string Label(int month) => $"{month / 100}年{month % 100}月";
}

public static class PayOrderQueries
{
    /// <summary>
    /// <c>Waiting → Closed</c> for the given orders, as one conditional update (an order paid or closed meanwhile is left
    /// alone). Returns how many were closed.
    /// </summary>
    public static Task<int> CloseIfWaitingAsync(this IQueryable<PayOrder> orders, DateTimeOffset at, CancellationToken cancellationToken)
        => orders.Where(o => o.Status == PayOrderStatus.Waiting)
            .ExecuteUpdateAsync(o => o.SetProperty(x => x.Status, PayOrderStatus.Closed).SetProperty(x => x.ClosedAt, at), cancellationToken);
}
