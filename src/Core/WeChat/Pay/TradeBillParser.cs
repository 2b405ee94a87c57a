using System.Globalization;
using System.Text;

namespace EBranch.Core.WeChat.Pay;

/// <summary>One row of a trade bill (bill_type ALL); amounts converted from yuan to integer fen.</summary>
public sealed record TradeBillRow(
    string TradeTime,
    string AppId,
    string MchId,
    string TransactionId,
    string OutTradeNo,
    string OpenId,
    string TradeType,
    string TradeState,
    string BankType,
    string Currency,
    long SettlementTotalFen,
    long CouponFen,
    string RefundId,
    string OutRefundNo,
    long RefundFen,
    string RefundState,
    string ItemName,
    string Attach,
    long FeeFen,
    string Rate,
    long OrderTotalFen,
    long RequestedRefundFen);

public sealed record TradeBillSummary(int TradeCount, long SettlementTotalFen, long RefundTotalFen, long CouponRefundTotalFen, long FeeTotalFen, long OrderTotalFen, long RequestedRefundTotalFen);

public sealed record TradeBill(IReadOnlyList<TradeBillRow> Rows, TradeBillSummary? Summary);

/// <summary>
/// Parses the trade bill CSV: optional BOM, <c>\r\n</c>, a plain header, data rows whose every field starts with a
/// backtick, then a summary header (总交易单数,…) and one summary row. Item names may contain commas, so fields are
/// split on <c>,`</c> rather than on commas.
/// </summary>
public static class TradeBillParser
{
    private const string SummaryHeaderStart = "总交易单数";

    public static TradeBill Parse(byte[] file) => Parse(Encoding.UTF8.GetString(file));

    public static TradeBill Parse(string text)
    {
        var lines = text.TrimStart('\uFEFF').Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToList();
        var rows = new List<TradeBillRow>();
        TradeBillSummary? summary = null;
        for (var i = 1; i < lines.Count; i++)
        {
            if (lines[i].StartsWith(SummaryHeaderStart, StringComparison.Ordinal))
            {
                summary = i + 1 < lines.Count ? ToSummary(Fields(lines[i + 1])) : null;
                break;
            }
            rows.Add(ToRow(Fields(lines[i])));
        }
        return new TradeBill(rows, summary);
    }

    /// <summary>Splits a backtick row: <c>`a,`b,c,`d</c> → a | b,c | d.</summary>
    public static IReadOnlyList<string> Fields(string line) =>
        line.StartsWith('`') ? line[1..].Split(",`") : line.Split(',');

    /// <summary>Yuan text (e.g. 12.34) to fen, rounding sub-fen fees half away from zero.</summary>
    public static long YuanToFen(string yuan) =>
        string.IsNullOrWhiteSpace(yuan) ? 0 : (long)Math.Round(decimal.Parse(yuan, NumberStyles.Number, CultureInfo.InvariantCulture) * 100m, MidpointRounding.AwayFromZero);

    private static TradeBillRow ToRow(IReadOnlyList<string> f)
    {
        if (f.Count < 27)
        {
            throw new FormatException($"A trade bill row has {f.Count} fields, expected 27.");
        }
        return new TradeBillRow(f[0], f[1], f[2], f[5], f[6], f[7], f[8], f[9], f[10], f[11], YuanToFen(f[12]), YuanToFen(f[13]),
            f[14], f[15], YuanToFen(f[16]), f[19], f[20], f[21], YuanToFen(f[22]), f[23], YuanToFen(f[24]), YuanToFen(f[25]));
    }

    private static TradeBillSummary ToSummary(IReadOnlyList<string> f) =>
        new(int.Parse(f[0], CultureInfo.InvariantCulture), YuanToFen(f[1]), YuanToFen(f[2]), YuanToFen(f[3]), YuanToFen(f[4]), YuanToFen(f[5]), YuanToFen(f[6]));
}
