using System.Text.Json.Serialization;

namespace EBranch.Core.WeChat.Pay;

/// <summary>A JSAPI (mini-program) order. Money is integer fen.</summary>
public sealed record JsapiOrderRequest(string Description, string OutTradeNo, long TotalFen, string PayerOpenId)
{
    /// <summary>Defaults to <c>WeChat:MiniProgram:AppId</c>.</summary>
    public string? AppId { get; init; }
    public DateTimeOffset? TimeExpire { get; init; }
    public string? Attach { get; init; }
    /// <summary>Defaults to <c>WeChat:Pay:NotifyUrl</c>.</summary>
    public string? NotifyUrl { get; init; }
}

/// <summary>The order was created: the prepay id and the signed parameters for <c>wx.requestPayment</c>.</summary>
public sealed record JsapiPayment(string PrepayId, RequestPaymentParameters RequestPayment);

public sealed record PayPayer([property: JsonPropertyName("openid")] string? OpenId);

public sealed record TransactionAmount(long Total, long? PayerTotal, string? Currency, string? PayerCurrency);

/// <summary>An order as WeChat Pay reports it (query answer and decrypted TRANSACTION.* notification).</summary>
public sealed record PayTransaction(
    [property: JsonPropertyName("appid")] string? AppId,
    [property: JsonPropertyName("mchid")] string? MchId,
    string OutTradeNo,
    string? TransactionId,
    string? TradeType,
    string TradeState,
    string? TradeStateDesc,
    string? BankType,
    string? Attach,
    DateTimeOffset? SuccessTime,
    PayPayer? Payer,
    TransactionAmount? Amount)
{
    public bool IsPaid => TradeState == "SUCCESS";
}

/// <summary>A refund of an order by <see cref="OutTradeNo"/>; amounts in fen.</summary>
public sealed record RefundRequest(string OutTradeNo, string OutRefundNo, long RefundFen, long TotalFen)
{
    public string? Reason { get; init; }
    /// <summary>Defaults to <c>WeChat:Pay:NotifyUrl</c>.</summary>
    public string? NotifyUrl { get; init; }
}

public sealed record RefundAmount(long Refund, long Total, long? PayerTotal, long? PayerRefund, string? Currency);

/// <summary>A refund (answer and query). <see cref="Status"/>: SUCCESS, CLOSED, PROCESSING, ABNORMAL.</summary>
public sealed record PayRefund(
    string RefundId,
    string OutRefundNo,
    string? TransactionId,
    string? OutTradeNo,
    string Status,
    DateTimeOffset? CreateTime,
    DateTimeOffset? SuccessTime,
    RefundAmount? Amount);

/// <summary>Decrypted REFUND.* notification resource.</summary>
public sealed record RefundNotice(
    [property: JsonPropertyName("mchid")] string? MchId,
    string OutTradeNo,
    string? TransactionId,
    string OutRefundNo,
    string RefundId,
    string RefundStatus,
    DateTimeOffset? SuccessTime,
    RefundAmount? Amount);

/// <summary>A verified, decrypted notification; keep <see cref="RawBody"/> for the audit trail.</summary>
public sealed record PayNotification<T>(string Id, string EventType, string? Summary, DateTimeOffset? CreateTime, T Resource, string RawBody);
