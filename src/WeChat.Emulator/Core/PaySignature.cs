using System.Security.Cryptography;
using System.Text;

namespace EBranch.WeChat.Emulator.Core;

/// <summary>WeChat Pay side of the signatures: checks the merchant's Authorization header and signs what the platform sends.</summary>
public sealed class PaySignature(EmulatorKeys keys, EmulatorState state, EmulatorClock clock, EmulatorSettings settings)
{
    public const string SignTestPrefix = "WECHATPAY/SIGNTEST/";

    /// <summary>Null when the request is correctly signed by the merchant, else the reason for 401 SIGN_ERROR.</summary>
    public string? CheckMerchant(string method, string rawTarget, string? authorization, byte[] body)
    {
        const string scheme = "WECHATPAY2-SHA256-RSA2048 ";
        if (authorization is null || !authorization.StartsWith(scheme, StringComparison.Ordinal))
        {
            return "Authorization header missing or not WECHATPAY2-SHA256-RSA2048";
        }
        var parts = authorization[scheme.Length..].Split(',')
            .Select(p => p.Split('=', 2))
            .Where(kv => kv.Length == 2)
            .ToDictionary(kv => kv[0].Trim(), kv => kv[1].Trim().Trim('"'));
        string Part(string name) => parts.GetValueOrDefault(name) ?? "";
        if (Part("mchid") != settings.MchId)
        {
            return $"mchid {Part("mchid")} is not this merchant";
        }
        if (!string.Equals(Part("serial_no"), keys.MerchantSerialNo, StringComparison.OrdinalIgnoreCase))
        {
            return $"serial_no {Part("serial_no")} is not the merchant certificate serial";
        }
        if (!long.TryParse(Part("timestamp"), out var seconds) || Math.Abs(clock.Now.ToUnixTimeSeconds() - seconds) > 300)
        {
            return "timestamp is more than 5 minutes off";
        }
        var message = Encoding.UTF8.GetBytes($"{method}\n{rawTarget}\n{Part("timestamp")}\n{Part("nonce_str")}\n")
            .Concat(body).Append((byte)'\n').ToArray();
        try
        {
            return keys.Merchant.VerifyData(message, Convert.FromBase64String(Part("signature")), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
                ? null
                : "signature does not verify with the merchant public key";
        }
        catch (FormatException)
        {
            return "signature is not base64";
        }
    }

    /// <summary>The headers WeChat Pay puts on a response or callback with <paramref name="body"/>.</summary>
    public Dictionary<string, string> SignHeaders(byte[] body, DateTimeOffset? at = null, string? mode = null)
    {
        mode ??= state.Locked(() => state.SigningMode);
        var (key, serial) = mode == "certificate"
            ? (keys.PlatformCertificateKey, keys.PlatformCertificateSerial)
            : (keys.PlatformPublicKeyPair, keys.PlatformPublicKeyId);
        var timestamp = (at ?? clock.Now).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var nonce = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var message = Encoding.UTF8.GetBytes($"{timestamp}\n{nonce}\n").Concat(body).Append((byte)'\n').ToArray();
        var signature = Convert.ToBase64String(key.SignData(message, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        return new Dictionary<string, string>
        {
            ["Wechatpay-Timestamp"] = timestamp,
            ["Wechatpay-Nonce"] = nonce,
            ["Wechatpay-Signature"] = signature,
            ["Wechatpay-Serial"] = serial,
            ["Wechatpay-Signature-Type"] = "WECHATPAY2-SHA256-RSA2048",
        };
    }

    /// <summary>AEAD_AES_256_GCM with the APIv3 key; returns (nonce, base64(ciphertext ‖ tag)).</summary>
    public (string Nonce, string Ciphertext) Encrypt(string plaintext, string associatedData)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        var nonce = RandomNumberGenerator.GetString(alphabet, 12);
        var plain = Encoding.UTF8.GetBytes(plaintext);
        var output = new byte[plain.Length + 16];
        using var gcm = new AesGcm(Encoding.ASCII.GetBytes(settings.ApiV3Key), 16);
        gcm.Encrypt(Encoding.ASCII.GetBytes(nonce), plain, output.AsSpan(0, plain.Length), output.AsSpan(plain.Length), Encoding.ASCII.GetBytes(associatedData));
        return (nonce, Convert.ToBase64String(output));
    }
}

/// <summary>A Pay v3 answer signed with the platform key, body bytes exactly as signed.</summary>
public sealed class SignedPayResult(int status, object? body) : IResult
{
    public static SignedPayResult Error(int status, string code, string message, object? detail = null) =>
        new(status, detail is null ? new { code, message } : new { code, message, detail });

    public async Task ExecuteAsync(HttpContext context)
    {
        var bytes = body is null ? [] : EmulatorJson.Bytes(body);
        var signer = context.RequestServices.GetRequiredService<PaySignature>();
        context.Response.StatusCode = status;
        foreach (var (name, value) in signer.SignHeaders(bytes))
        {
            context.Response.Headers[name] = value;
        }
        context.Response.Headers["Request-ID"] = Guid.NewGuid().ToString("N");
        if (body is not null)
        {
            context.Response.ContentType = "application/json; charset=utf-8";
            await context.Response.Body.WriteAsync(bytes);
        }
    }
}
