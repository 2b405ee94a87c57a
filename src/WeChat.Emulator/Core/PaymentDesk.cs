using EBranch.WeChat.Emulator.Api;

namespace EBranch.WeChat.Emulator.Core;

/// <summary>Moves orders and refunds to their final states (as the payer / the bank would) and notifies the product.</summary>
public sealed class PaymentDesk(EmulatorState state, EmulatorClock clock, PayNotifier notifier, EmulatorSettings settings)
{
    /// <summary>The payer pays (success), the payment fails (fail) or the payer gives up (cancel). Null when the order is unknown.</summary>
    public object? Pay(string outTradeNo, string outcome)
    {
        var (order, notify) = state.Locked(() =>
        {
            if (!state.Orders.TryGetValue(outTradeNo, out var o))
            {
                return ((EmulatedOrder?)null, false);
            }
            if (o.State != "NOTPAY" && o.State != "USERPAYING" && o.State != "PAYERROR")
            {
                return (o, false);
            }
            switch (outcome)
            {
                case "fail":
                    o.State = "PAYERROR";
                    o.StateDesc = "支付失败，请重新下单支付";
                    return (o, false);
                case "cancel":
                    o.State = "NOTPAY";
                    o.StateDesc = "用户取消支付";
                    return (o, false);
                default:
                    o.State = "SUCCESS";
                    o.StateDesc = "支付成功";
                    o.SuccessTime = clock.Now;
                    o.TransactionId = "4200" + clock.ChinaNow.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture)
                                      + Random.Shared.NextInt64(1_000_000_000_000_000, 9_999_999_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture)[..16];
                    return (o, true);
            }
        });
        if (order is null)
        {
            return null;
        }
        var view = state.Locked(() => PayApi.TransactionView(order));
        if (notify)
        {
            notifier.Send(order.NotifyUrl, "TRANSACTION.SUCCESS", "支付成功", "transaction", order.OutTradeNo, view);
        }
        return view;
    }

    /// <summary>Finishes a PROCESSING refund as SUCCESS, ABNORMAL or CLOSED and notifies.</summary>
    public object? Complete(string outRefundNo, string status)
    {
        var refund = state.Locked(() =>
        {
            if (!state.Refunds.TryGetValue(outRefundNo, out var r) || r.Status != "PROCESSING")
            {
                return r;
            }
            r.Status = status;
            if (status == "SUCCESS")
            {
                r.SuccessTime = clock.Now;
                r.Order.State = "REFUND";
                r.Order.StateDesc = "转入退款";
            }
            else
            {
                r.Order.Refunded -= r.Amount;
            }
            return r;
        });
        if (refund is null)
        {
            return null;
        }
        var resource = state.Locked(() => new
        {
            mchid = settings.MchId,
            out_trade_no = refund.Order.OutTradeNo,
            transaction_id = refund.Order.TransactionId,
            out_refund_no = refund.OutRefundNo,
            refund_id = refund.RefundId,
            refund_status = refund.Status,
            success_time = refund.SuccessTime is { } at ? EmulatorClock.Rfc3339(at) : null,
            user_received_account = "支付用户零钱",
            amount = new { total = refund.Order.Total, refund = refund.Amount, payer_total = refund.Order.Total, payer_refund = refund.Amount },
        });
        if (refund.NotifyUrl is { Length: > 0 } url && refund.Status != "PROCESSING")
        {
            notifier.Send(url, "REFUND." + refund.Status, refund.Status == "SUCCESS" ? "退款成功" : "退款异常", "refund", refund.OutRefundNo, resource);
        }
        return resource;
    }
}
