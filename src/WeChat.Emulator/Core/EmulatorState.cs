using System.Collections.Concurrent;

namespace EBranch.WeChat.Emulator.Core;

public sealed class EmulatedUser
{
    public required string OpenId { get; init; }
    public required string UnionId { get; init; }
    public required string SessionKey { get; set; }
    public string PhoneNumber { get; set; } = "13800138000";
    public bool HighRisk { get; set; }
    public List<DateTimeOffset> RecentLogins { get; } = [];
}

public sealed record OneTimeCode(string Code, string OpenId, DateTimeOffset IssuedAt)
{
    public bool Used { get; set; }
}

public sealed class IssuedToken
{
    public required string Value { get; init; }
    public required DateTimeOffset ExpiresAt { get; set; }
    public bool Revoked { get; set; }
}

public sealed class EmulatedOrder
{
    public required string AppId { get; init; }
    public required string MchId { get; init; }
    public required string OutTradeNo { get; init; }
    public required string Description { get; init; }
    public required long Total { get; init; }
    public required string OpenId { get; init; }
    public required string NotifyUrl { get; init; }
    public string? Attach { get; init; }
    public required string Fingerprint { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public string TransactionId { get; set; } = "";
    public string State { get; set; } = "NOTPAY";
    public string StateDesc { get; set; } = "订单未支付";
    public DateTimeOffset? SuccessTime { get; set; }
    public long Refunded { get; set; }
}

public sealed class EmulatedRefund
{
    public required string RefundId { get; init; }
    public required string OutRefundNo { get; init; }
    public required EmulatedOrder Order { get; init; }
    public required long Amount { get; init; }
    public string? Reason { get; init; }
    public string? NotifyUrl { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public string Status { get; set; } = "PROCESSING";
    public DateTimeOffset? SuccessTime { get; set; }
}

public sealed record BillMismatch(string Kind, string? OutTradeNo);

public sealed record NotificationAttempt(DateTimeOffset At, int Status, string? Fault, string? Error);

public sealed class NotificationRecord
{
    public required string Id { get; init; }
    public required string EventType { get; init; }
    public required string Url { get; init; }
    public required string Reference { get; init; }
    public List<NotificationAttempt> Attempts { get; } = [];
    public bool Acknowledged { get; set; }
    public bool GaveUp { get; set; }
}

/// <summary>Fault injection switches, set through <c>/_emulator/faults</c>.</summary>
public sealed class Faults
{
    public int FailNext { get; set; }
    public int FailStatus { get; set; } = 500;
    /// <summary>Only calls to this path fail (null: any WeChat call).</summary>
    public string? FailPath { get; set; }
    /// <summary>Mini-program APIs answer the HTTP status itself (a gateway error page) instead of 200 + errcode -1.</summary>
    public bool FailHttp { get; set; }
    public int DelayNext { get; set; }
    public int DelayMilliseconds { get; set; }
    /// <summary>Only calls to this path are delayed (null: any WeChat call).</summary>
    public string? DelayPath { get; set; }
    /// <summary>Delay the answer after the call has taken effect (a lost answer), instead of before it.</summary>
    public bool DelayAfter { get; set; }
    /// <summary>The next N calls that carry an access token answer 40001 whatever the token (a storm).</summary>
    public int RejectTokenNext { get; set; }
    public bool DuplicateNotifications { get; set; }
    public bool OutOfOrderNotifications { get; set; }
    /// <summary>tamper | wrong-serial | stale-timestamp | signtest, applied to the next <see cref="CorruptCount"/> notification attempts.</summary>
    public string? Corrupt { get; set; }
    public int CorruptCount { get; set; }
}

/// <summary>Everything the emulator remembers. One lock guards it: the emulator is a test tool, not a load target.</summary>
public sealed class EmulatorState
{
    public object Gate { get; } = new();
    public Dictionary<string, EmulatedUser> Users { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, OneTimeCode> LoginCodes { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, OneTimeCode> PhoneCodes { get; } = new(StringComparer.Ordinal);
    public IssuedToken? CurrentToken { get; set; }
    public IssuedToken? PreviousToken { get; set; }
    public Dictionary<(string OpenId, string TemplateId), int> SubscribeQuota { get; } = [];
    public Dictionary<string, EmulatedOrder> Orders { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, EmulatedRefund> Refunds { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, List<BillMismatch>> BillMismatches { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, (byte[] File, DateTimeOffset ValidUntil)> BillDownloads { get; } = new(StringComparer.Ordinal);
    public HashSet<string> RiskyWords { get; } = new(StringComparer.Ordinal);
    public Faults Faults { get; } = new();
    public string SigningMode { get; set; } = "public-key";

    public ConcurrentDictionary<string, int> CallCounts { get; } = new(StringComparer.Ordinal);
    public List<object> SubscribeMessages { get; } = [];
    public List<object> TemplateMessages { get; } = [];
    public List<object> ContentChecks { get; } = [];
    public List<object> PushDeliveries { get; } = [];
    public List<NotificationRecord> Notifications { get; } = [];
    public int StableTokenCalls;
    public int ForcedTokenRefreshes;

    public T Locked<T>(Func<T> action)
    {
        lock (Gate)
        {
            return action();
        }
    }

    public void Locked(Action action)
    {
        lock (Gate)
        {
            action();
        }
    }
}
