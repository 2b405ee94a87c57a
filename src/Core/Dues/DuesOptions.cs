namespace EBranch.Core.Dues;

public sealed class DuesOptions
{
    public const string Section = "Dues";

    /// <summary>How far back unpaid months may be paid online (months before the current one, inclusive count).</summary>
    public int MaxBackPayMonths { get; set; } = 6;

    /// <summary>How many months ahead may be prepaid.</summary>
    public int MaxPrepayMonths { get; set; } = 6;

    /// <summary>An unpaid order is closed after this long.</summary>
    public TimeSpan OrderLifetime { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Waiting orders older than this are queried at WeChat Pay (notifications can be lost).</summary>
    public TimeSpan SyncAfter { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>Largest voluntary extra in one order, in fen (1,000,000 yuan).</summary>
    public long MaxExtraFen { get; set; } = 100_000_000;

    /// <summary>A single voluntary payment of at least this much is remitted whole to the Centre (1,000 yuan).</summary>
    public long RemitToCentreFen { get; set; } = 100_000;

    /// <summary>Subscribe-message template for the monthly dues reminder (empty: none sent).</summary>
    public string? ReminderTemplateId { get; set; }

    /// <summary>How often the sync and expiry jobs run.</summary>
    public TimeSpan JobInterval { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>Stable error codes of the dues endpoints.</summary>
public static class DuesErrors
{
    public const string MemberNotFound = "member_not_found";
    public const string AlreadyPaid = "dues_already_paid";
    public const string OrderInProgress = "dues_order_in_progress";
}
