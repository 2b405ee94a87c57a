using System.Net;
using System.Text.Json;

namespace EBranch.Core.WeChat.Pay;

public sealed record WeChatPayErrorDetail(string? Field, JsonElement? Value, string? Issue, string? Location);

/// <summary>WeChat Pay answered an error <c>{code, message, detail}</c>.</summary>
public sealed class WeChatPayException(HttpStatusCode status, string code, string message, WeChatPayErrorDetail? detail)
    : Exception($"WeChat Pay error {(int)status} {code}: {message}")
{
    public HttpStatusCode Status { get; } = status;
    public string Code { get; } = code;
    public string ErrorMessage { get; } = message;
    public WeChatPayErrorDetail? Detail { get; } = detail;
}

/// <summary>A response or callback failed signature verification (or was a deliberate WECHATPAY/SIGNTEST/ probe).</summary>
public sealed class WeChatPaySignatureException(string reason) : Exception($"WeChat Pay signature rejected: {reason}");

/// <summary>The downloaded bill does not match the SHA1 WeChat announced.</summary>
public sealed class WeChatPayBillHashMismatchException(string expected, string actual)
    : Exception($"Trade bill SHA1 mismatch: expected {expected}, got {actual}")
{
    public string Expected { get; } = expected;
    public string Actual { get; } = actual;
}
