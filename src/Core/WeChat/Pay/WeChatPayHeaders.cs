using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;

namespace EBranch.Core.WeChat.Pay;

/// <summary>The <c>Wechatpay-*</c> headers of a response or callback.</summary>
public sealed record WeChatPayHeaders(string? Timestamp, string? Nonce, string? Signature, string? Serial)
{
    public const string TimestampName = "Wechatpay-Timestamp";
    public const string NonceName = "Wechatpay-Nonce";
    public const string SignatureName = "Wechatpay-Signature";
    public const string SerialName = "Wechatpay-Serial";

    public static WeChatPayHeaders From(Func<string, string?> header) =>
        new(header(TimestampName), header(NonceName), header(SignatureName), header(SerialName));

    public static WeChatPayHeaders From(IHeaderDictionary headers) =>
        From(name => headers.TryGetValue(name, out var value) ? value.ToString() : null);

    public static WeChatPayHeaders From(HttpResponseHeaders headers) =>
        From(name => headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null);
}
