using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Options;

namespace EBranch.Core.WeChat.Pay;

/// <summary>
/// Verifies WeChat Pay responses and callbacks (B2) over the raw bytes. The key is picked by <c>Wechatpay-Serial</c>:
/// <c>PUB_KEY_ID_…</c> → the configured public key; anything else → a platform certificate (downloaded on demand).
/// </summary>
public sealed class WeChatPayVerifier(IOptions<WeChatPayOptions> options, PlatformCertificateStore certificates, TimeProvider time)
{
    public const string PublicKeyIdPrefix = "PUB_KEY_ID_";
    private static readonly TimeSpan AllowedSkew = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan MinimumRefreshInterval = TimeSpan.FromMinutes(1);
    private readonly Lazy<RSA?> _publicKey = new(() =>
        string.IsNullOrEmpty(options.Value.PlatformPublicKey) ? null : KeyMaterial.LoadPublicKey(options.Value.PlatformPublicKey));
    private readonly SemaphoreSlim _refreshGate = new(1, 1);
    private DateTimeOffset _lastRefresh = DateTimeOffset.MinValue;

    /// <summary><c>timestamp\nnonce\nbody\n</c> as bytes; the body goes in exactly as received.</summary>
    public static byte[] BuildVerifyMessage(string timestamp, string nonce, ReadOnlySpan<byte> body)
    {
        var head = Encoding.UTF8.GetBytes($"{timestamp}\n{nonce}\n");
        var message = new byte[head.Length + body.Length + 1];
        head.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(head.Length));
        message[^1] = (byte)'\n';
        return message;
    }

    /// <summary>Throws <see cref="WeChatPaySignatureException"/> unless the signature is valid and fresh.</summary>
    public async Task VerifyAsync(WeChatPayHeaders headers, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        CheckHeaders(headers);
        var key = await KeyForAsync(headers.Serial!, cancellationToken);
        Check(key, headers, body.Span);
    }

    public async Task<bool> IsValidAsync(WeChatPayHeaders headers, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        try
        {
            await VerifyAsync(headers, body, cancellationToken);
            return true;
        }
        catch (WeChatPaySignatureException)
        {
            return false;
        }
    }

    /// <summary>Downloads platform certificates and trusts them once their own response verifies.</summary>
    public async Task RefreshCertificatesAsync(CancellationToken cancellationToken = default)
    {
        var download = await certificates.DownloadAsync(cancellationToken);
        var headers = download.Response.Headers;
        CheckHeaders(headers);
        var key = headers.Serial!.StartsWith(PublicKeyIdPrefix, StringComparison.Ordinal)
            ? PublicKeyFor(headers.Serial)
            : download.Certificates.GetValueOrDefault(headers.Serial)?.GetRSAPublicKey()
              ?? throw new WeChatPaySignatureException($"the certificate download is signed by unknown serial {headers.Serial}");
        Check(key, headers, download.Response.Body);
        certificates.Trust(download.Certificates);
        _lastRefresh = time.GetUtcNow();
    }

    private async Task<RSA> KeyForAsync(string serial, CancellationToken cancellationToken)
    {
        if (serial.StartsWith(PublicKeyIdPrefix, StringComparison.Ordinal))
        {
            return PublicKeyFor(serial);
        }
        if (certificates.Find(serial) is { } known)
        {
            return known;
        }
        await _refreshGate.WaitAsync(cancellationToken);
        try
        {
            if (certificates.Find(serial) is null && time.GetUtcNow() - _lastRefresh >= MinimumRefreshInterval)
            {
                await RefreshCertificatesAsync(cancellationToken);
            }
        }
        finally
        {
            _refreshGate.Release();
        }
        return certificates.Find(serial) ?? throw new WeChatPaySignatureException($"unknown platform certificate serial {serial}");
    }

    private RSA PublicKeyFor(string serial) =>
        serial == options.Value.PlatformPublicKeyId && _publicKey.Value is { } key
            ? key
            : throw new WeChatPaySignatureException($"unknown WeChat Pay public key id {serial}");

    private static void CheckHeaders(WeChatPayHeaders headers)
    {
        if (string.IsNullOrEmpty(headers.Timestamp) || string.IsNullOrEmpty(headers.Nonce)
            || string.IsNullOrEmpty(headers.Signature) || string.IsNullOrEmpty(headers.Serial))
        {
            throw new WeChatPaySignatureException("a Wechatpay-* header is missing");
        }
        if (headers.Signature.StartsWith("WECHATPAY/SIGNTEST/", StringComparison.Ordinal))
        {
            throw new WeChatPaySignatureException("signature test probe");
        }
    }

    private void Check(RSA key, WeChatPayHeaders headers, ReadOnlySpan<byte> body)
    {
        if (!long.TryParse(headers.Timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || (time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() >= AllowedSkew)
        {
            throw new WeChatPaySignatureException($"timestamp {headers.Timestamp} is outside the 5-minute window");
        }
        byte[] signature;
        try
        {
            signature = Convert.FromBase64String(headers.Signature!);
        }
        catch (FormatException)
        {
            throw new WeChatPaySignatureException("signature is not base64");
        }
        var message = BuildVerifyMessage(headers.Timestamp!, headers.Nonce!, body);
        if (!key.VerifyData(message, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
        {
            throw new WeChatPaySignatureException("signature does not match");
        }
    }
}
