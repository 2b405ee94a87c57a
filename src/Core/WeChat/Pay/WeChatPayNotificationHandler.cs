using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace EBranch.Core.WeChat.Pay;

/// <summary>
/// Verifies and decrypts payment and refund notifications. Answer 200/204 on success and 4xx/5xx with
/// <c>{"code":"FAIL","message":…}</c> otherwise: WeChat looks only at the status code.
/// </summary>
public sealed class WeChatPayNotificationHandler(WeChatPayVerifier verifier, IOptions<WeChatPayOptions> options)
{
    public Task<PayNotification<PayTransaction>> ReadTransactionAsync(WeChatPayHeaders headers, ReadOnlyMemory<byte> rawBody, CancellationToken cancellationToken = default) =>
        ReadAsync<PayTransaction>(headers, rawBody, "transaction", cancellationToken);

    public Task<PayNotification<RefundNotice>> ReadRefundAsync(WeChatPayHeaders headers, ReadOnlyMemory<byte> rawBody, CancellationToken cancellationToken = default) =>
        ReadAsync<RefundNotice>(headers, rawBody, "refund", cancellationToken);

    /// <summary>Reads the raw body of <paramref name="request"/> and handles it as a payment notification.</summary>
    public async Task<PayNotification<PayTransaction>> ReadTransactionAsync(HttpRequest request, CancellationToken cancellationToken = default) =>
        await ReadTransactionAsync(WeChatPayHeaders.From(request.Headers), await ReadBodyAsync(request, cancellationToken), cancellationToken);

    public async Task<PayNotification<RefundNotice>> ReadRefundAsync(HttpRequest request, CancellationToken cancellationToken = default) =>
        await ReadRefundAsync(WeChatPayHeaders.From(request.Headers), await ReadBodyAsync(request, cancellationToken), cancellationToken);

    /// <summary>The failure body WeChat expects with a 4xx/5xx status.</summary>
    public static object Failure(string message) => new { code = "FAIL", message };

    private async Task<PayNotification<T>> ReadAsync<T>(WeChatPayHeaders headers, ReadOnlyMemory<byte> rawBody, string originalType, CancellationToken cancellationToken)
    {
        await verifier.VerifyAsync(headers, rawBody, cancellationToken);
        using var json = JsonDocument.Parse(rawBody);
        var root = json.RootElement;
        var resource = root.GetProperty("resource");
        var associatedData = resource.TryGetProperty("associated_data", out var aad) ? aad.GetString() ?? "" : "";
        if (resource.TryGetProperty("original_type", out var type) && type.GetString() != originalType)
        {
            throw new WeChatPaySignatureException($"expected a {originalType} notification, got {type.GetString()}");
        }
        string plain;
        try
        {
            plain = WeChatPayCrypto.Decrypt(options.Value.ApiV3Key, resource.GetProperty("nonce").GetString()!, associatedData, resource.GetProperty("ciphertext").GetString()!);
        }
        catch (CryptographicException e)
        {
            throw new WeChatPaySignatureException($"the resource does not decrypt: {e.Message}");
        }
        return new PayNotification<T>(
            root.GetProperty("id").GetString()!,
            root.GetProperty("event_type").GetString()!,
            root.TryGetProperty("summary", out var summary) ? summary.GetString() : null,
            root.TryGetProperty("create_time", out var created) ? created.GetDateTimeOffset() : null,
            JsonSerializer.Deserialize<T>(plain, WeChatJson.Options)!,
            Encoding.UTF8.GetString(rawBody.Span));
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }
}
