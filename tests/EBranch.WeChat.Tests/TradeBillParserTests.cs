using System.Text;
using EBranch.Core.WeChat.Pay;

namespace EBranch.WeChat.Tests;

public class TradeBillParserTests
{
    private const string Header = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注";

    [Fact]
    public void Parse_ReadsRowsAndSummary_WhenBomCrlfAndCommasInItemName()
    {
        var text = "\uFEFF" + Header + "\r\n" +
                   "`2024-05-01 10:00:00,`wx1,`1900000109,`0,`,`4200001,`DUES-0001,`o1,`JSAPI,`SUCCESS,`OTHERS,`CNY,`12.34,`0.00,`0,`0,`0.00,`0.00,`,`,`党费,2024年5月,`attach,`0.07000,`0.60%,`12.34,`0.00,`\r\n" +
                   "`2024-05-01 11:00:00,`wx1,`1900000109,`0,`,`4200001,`DUES-0001,`o1,`JSAPI,`REFUND,`OTHERS,`CNY,`0.00,`0.00,`5000001,`R-0001,`2.00,`0.00,`ORIGINAL,`SUCCESS,`党费,2024年5月,`attach,`-0.01000,`0.60%,`12.34,`2.00,`\r\n" +
                   "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\r\n" +
                   "`2,`12.34,`2.00,`0.00,`0.06000,`12.34,`2.00\r\n";
        var bill = TradeBillParser.Parse(Encoding.UTF8.GetBytes(text));
        Assert.Equal(2, bill.Rows.Count);
        var paid = bill.Rows[0];
        Assert.Equal(("DUES-0001", "SUCCESS", 1234L, "党费,2024年5月", 7L), (paid.OutTradeNo, paid.TradeState, paid.SettlementTotalFen, paid.ItemName, paid.FeeFen));
        Assert.Equal(("R-0001", 200L, "SUCCESS"), (bill.Rows[1].OutRefundNo, bill.Rows[1].RefundFen, bill.Rows[1].RefundState));
        Assert.Equal(new TradeBillSummary(2, 1234, 200, 0, 6, 1234, 200), bill.Summary);
    }

    [Theory]
    [InlineData("0.01", 1)]
    [InlineData("12.34", 1234)]
    [InlineData("100", 10000)]
    [InlineData("0.00600", 1)]
    [InlineData("-2.00", -200)]
    public void YuanToFen_ConvertsToIntegerFen(string yuan, long fen) => Assert.Equal(fen, TradeBillParser.YuanToFen(yuan));
}
