using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace EBranch.WeChat.Emulator.Core;

/// <summary>Writes the day's trade bill (bill_type ALL) from the emulator's own ledger, with any planted mismatches.</summary>
public sealed class BillBook(EmulatorState state, EmulatorClock clock, EmulatorSettings settings)
{
    private const string Header = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类," +
                                  "应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率," +
                                  "订单金额,申请退款金额,费率备注";
    private const string SummaryHeader = "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额";
    private const decimal FeeRate = 0.006m;

    /// <summary>A day's bill is ready after 09:00 (UTC+8) the next day.</summary>
    public bool IsReady(DateOnly date) =>
        settings.BillsReadyImmediately || clock.ChinaNow >= new DateTimeOffset(date.AddDays(1).ToDateTime(new TimeOnly(9, 0)), EmulatorClock.China);

    /// <summary>The file bytes and the SHA1 to announce (wrong when a "hash" mismatch was planted).</summary>
    public (byte[] File, string AnnouncedHash) Generate(DateOnly date)
    {
        var key = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var (rows, mismatches) = state.Locked(() => (Rows(date), state.BillMismatches.GetValueOrDefault(key)?.ToList() ?? []));
        foreach (var mismatch in mismatches)
        {
            Plant(rows, mismatch, date);
        }
        var text = new StringBuilder("\uFEFF").Append(Header).Append("\r\n");
        foreach (var row in rows)
        {
            text.Append(string.Join(",", row.Fields.Select(f => "`" + f))).Append("\r\n");
        }
        var paid = rows.Where(r => r.Refund == 0).ToList();
        text.Append(SummaryHeader).Append("\r\n");
        text.Append(string.Join(",", new[]
        {
            rows.Count.ToString(CultureInfo.InvariantCulture), Yuan(paid.Sum(r => r.Total)), Yuan(rows.Sum(r => r.Refund)), "0.00",
            Fee(rows.Sum(r => r.FeeBase)), Yuan(paid.Sum(r => r.Total)), Yuan(rows.Sum(r => r.Refund)),
        }.Select(f => "`" + f))).Append("\r\n");
        var file = Encoding.UTF8.GetBytes(text.ToString());
        var hash = Convert.ToHexStringLower(SHA1.HashData(file));
        if (mismatches.Any(m => m.Kind == "hash"))
        {
            hash = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(hash)));
        }
        return (file, hash);
    }

    private sealed record BillRow(string OutTradeNo, long Total, long Refund, long FeeBase, string[] Fields);

    private List<BillRow> Rows(DateOnly date)
    {
        bool OnDate(DateTimeOffset? at) => at is { } t && DateOnly.FromDateTime(t.ToOffset(EmulatorClock.China).DateTime) == date;
        var rows = new List<BillRow>();
        foreach (var order in state.Orders.Values.Where(o => OnDate(o.SuccessTime)).OrderBy(o => o.SuccessTime))
        {
            rows.Add(Row(order, order.SuccessTime!.Value, order.Total, null));
        }
        foreach (var refund in state.Refunds.Values.Where(r => r.Status == "SUCCESS" && OnDate(r.SuccessTime)).OrderBy(r => r.SuccessTime))
        {
            rows.Add(Row(refund.Order, refund.SuccessTime!.Value, refund.Order.Total, refund));
        }
        return rows;
    }

    private BillRow Row(EmulatedOrder order, DateTimeOffset at, long total, EmulatedRefund? refund)
    {
        var refunded = refund?.Amount ?? 0;
        var feeBase = refund is null ? total : -refunded;
        string[] fields =
        [
            at.ToOffset(EmulatorClock.China).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), order.AppId, order.MchId, "0", "",
            order.TransactionId, order.OutTradeNo, order.OpenId, "JSAPI", refund is null ? "SUCCESS" : "REFUND", "OTHERS", "CNY",
            Yuan(refund is null ? total : 0), "0.00", refund?.RefundId ?? "0", refund?.OutRefundNo ?? "0", Yuan(refunded), "0.00",
            refund is null ? "" : "ORIGINAL", refund is null ? "" : "SUCCESS", order.Description, order.Attach ?? "", Fee(feeBase), "0.60%",
            Yuan(total), Yuan(refunded), "",
        ];
        return new BillRow(order.OutTradeNo, refund is null ? total : 0, refunded, feeBase, fields);
    }

    private void Plant(List<BillRow> rows, BillMismatch mismatch, DateOnly date)
    {
        var target = rows.FindIndex(r => mismatch.OutTradeNo is null || r.OutTradeNo == mismatch.OutTradeNo);
        switch (mismatch.Kind)
        {
            case "amount" when target >= 0:
                var row = rows[target];
                var fields = (string[])row.Fields.Clone();
                fields[12] = Yuan(row.Total + 1);
                fields[24] = Yuan(row.Total + 1);
                rows[target] = row with { Total = row.Total + 1, Fields = fields };
                break;
            case "missing" when target >= 0:
                rows.RemoveAt(target);
                break;
            case "extra":
                var phantom = new EmulatedOrder
                {
                    AppId = settings.AppId, MchId = settings.MchId, OutTradeNo = mismatch.OutTradeNo ?? "PHANTOM" + date.DayNumber,
                    Description = "未知订单", Total = 100, OpenId = "o_phantom", NotifyUrl = "", Fingerprint = "", CreatedAt = clock.Now,
                    TransactionId = "4200000000000000000000000000",
                };
                rows.Add(Row(phantom, new DateTimeOffset(date.ToDateTime(new TimeOnly(12, 0)), EmulatorClock.China), 100, null));
                break;
        }
    }

    private static string Yuan(long fen) => (fen / 100m).ToString("0.00", CultureInfo.InvariantCulture);

    private static string Fee(long fen) => Math.Round(fen * FeeRate / 100m, 5, MidpointRounding.AwayFromZero).ToString("0.00000", CultureInfo.InvariantCulture);
}
