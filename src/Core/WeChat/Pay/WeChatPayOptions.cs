using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace EBranch.Core.WeChat.Pay;

/// <summary>Configuration section <c>WeChat:Pay</c> (WeChat Pay API v3, direct merchant).</summary>
public sealed class WeChatPayOptions
{
    public const string Section = "WeChat:Pay";

    public string MchId { get; set; } = "";
    /// <summary>Serial number of the merchant API certificate (goes into the Authorization header).</summary>
    public string MerchantSerialNo { get; set; } = "";
    /// <summary>Merchant API private key: PKCS#8 PEM text or a path to the PEM file.</summary>
    public string MerchantPrivateKey { get; set; } = "";
    /// <summary>APIv3 key: 32 ASCII characters, used as-is as the AES-256-GCM key.</summary>
    public string ApiV3Key { get; set; } = "";
    /// <summary>WeChat Pay public key id (<c>PUB_KEY_ID_…</c>); leave empty to rely on platform certificates only.</summary>
    public string? PlatformPublicKeyId { get; set; }
    /// <summary>WeChat Pay public key: PEM text or a path to the PEM file.</summary>
    public string? PlatformPublicKey { get; set; }
    /// <summary>Host root; API paths are appended.</summary>
    public string BaseUrl { get; set; } = "https://api.mch.weixin.qq.com";
    /// <summary>Default notify_url for orders and refunds.</summary>
    public string NotifyUrl { get; set; } = "";
    /// <summary>Timeout of one HTTP attempt.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>Attempts for one call (the first plus retries on 5xx / timeouts).</summary>
    public int MaxAttempts { get; set; } = 3;
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);
}

internal sealed class WeChatPayOptionsValidator : IValidateOptions<WeChatPayOptions>
{
    private const string S = WeChatPayOptions.Section;

    public ValidateOptionsResult Validate(string? name, WeChatPayOptions options)
    {
        var failures = new List<string>();
        Require(failures, options.MchId, "MchId", "the merchant id");
        Require(failures, options.MerchantSerialNo, "MerchantSerialNo", "the serial number of the merchant API certificate");
        if (Require(failures, options.MerchantPrivateKey, "MerchantPrivateKey", "PEM text or a path to the merchant API private key"))
        {
            CheckKey(failures, "MerchantPrivateKey", () => KeyMaterial.LoadPrivateKey(options.MerchantPrivateKey));
        }
        if (options.ApiV3Key.Length != 32)
        {
            failures.Add($"{S}:ApiV3Key must be exactly 32 characters, got {options.ApiV3Key.Length}.");
        }
        if (!string.IsNullOrEmpty(options.PlatformPublicKeyId) || !string.IsNullOrEmpty(options.PlatformPublicKey))
        {
            if (options.PlatformPublicKeyId?.StartsWith("PUB_KEY_ID_", StringComparison.Ordinal) != true)
            {
                failures.Add($"{S}:PlatformPublicKeyId must start with PUB_KEY_ID_ when a WeChat Pay public key is configured.");
            }
            if (Require(failures, options.PlatformPublicKey, "PlatformPublicKey", "the WeChat Pay public key PEM (or path) that goes with PlatformPublicKeyId"))
            {
                CheckKey(failures, "PlatformPublicKey", () => KeyMaterial.LoadPublicKey(options.PlatformPublicKey!));
            }
        }
        if (!Uri.TryCreate(options.BaseUrl, UriKind.Absolute, out _))
        {
            failures.Add($"{S}:BaseUrl must be an absolute URL (default https://api.mch.weixin.qq.com), got '{options.BaseUrl}'.");
        }
        if (!Uri.TryCreate(options.NotifyUrl, UriKind.Absolute, out var notify) || !string.IsNullOrEmpty(notify.Query))
        {
            failures.Add($"{S}:NotifyUrl must be an absolute URL without a query string, got '{options.NotifyUrl}'.");
        }
        if (options.MaxAttempts < 1)
        {
            failures.Add($"{S}:MaxAttempts must be at least 1.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool Require(List<string> failures, string? value, string key, string what)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            return true;
        }
        failures.Add($"{S}:{key} is required ({what}).");
        return false;
    }

    private static void CheckKey(List<string> failures, string key, Func<RSA> load)
    {
        try
        {
            load().Dispose();
        }
        catch (Exception e) when (e is IOException or CryptographicException or ArgumentException or UnauthorizedAccessException)
        {
            failures.Add($"{S}:{key} could not be loaded as an RSA key: {e.Message}");
        }
    }
}
