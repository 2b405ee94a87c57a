using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace EBranch.Core.WeChat.Pay;

/// <summary>The <c>wx.requestPayment</c> parameters; <see cref="Package"/> is <c>prepay_id=…</c>.</summary>
public sealed record RequestPaymentParameters(string AppId, string TimeStamp, string NonceStr, string Package, string SignType, string PaySign);

/// <summary>Signs with the merchant API private key (RSA-SHA256, PKCS#1 v1.5, base64).</summary>
public sealed class WeChatPaySigner : IDisposable
{
    private readonly WeChatPayOptions _options;
    private readonly TimeProvider _time;
    private readonly RSA _merchantKey;

    public WeChatPaySigner(IOptions<WeChatPayOptions> options, TimeProvider time)
    {
        _options = options.Value;
        _time = time;
        _merchantKey = KeyMaterial.LoadPrivateKey(_options.MerchantPrivateKey);
    }

    /// <summary><c>METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n</c> (B1); a GET has an empty body line.</summary>
    public static string BuildRequestMessage(string method, string pathAndQuery, long timestamp, string nonce, string body) =>
        $"{method}\n{pathAndQuery}\n{timestamp.ToString(CultureInfo.InvariantCulture)}\n{nonce}\n{body}\n";

    /// <summary><c>appId\ntimeStamp\nnonceStr\npackage\n</c> (B3, paySign).</summary>
    public static string BuildPaymentMessage(string appId, string timeStamp, string nonceStr, string package) =>
        $"{appId}\n{timeStamp}\n{nonceStr}\n{package}\n";

    public string Sign(string message) =>
        Convert.ToBase64String(_merchantKey.SignData(Encoding.UTF8.GetBytes(message), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

    /// <summary>The <c>Authorization</c> header value for one request.</summary>
    public string BuildAuthorization(string method, string pathAndQuery, string body, long timestamp, string nonce)
    {
        var signature = Sign(BuildRequestMessage(method, pathAndQuery, timestamp, nonce, body));
        return $"WECHATPAY2-SHA256-RSA2048 mchid=\"{_options.MchId}\",nonce_str=\"{nonce}\",signature=\"{signature}\"," +
               $"timestamp=\"{timestamp.ToString(CultureInfo.InvariantCulture)}\",serial_no=\"{_options.MerchantSerialNo}\"";
    }

    public string BuildAuthorization(string method, string pathAndQuery, string body) =>
        BuildAuthorization(method, pathAndQuery, body, _time.GetUtcNow().ToUnixTimeSeconds(), NewNonce());

    public RequestPaymentParameters CreateRequestPayment(string appId, string prepayId, long timestamp, string nonce)
    {
        var timeStamp = timestamp.ToString(CultureInfo.InvariantCulture);
        var package = "prepay_id=" + prepayId;
        return new RequestPaymentParameters(appId, timeStamp, nonce, package, "RSA", Sign(BuildPaymentMessage(appId, timeStamp, nonce, package)));
    }

    public RequestPaymentParameters CreateRequestPayment(string appId, string prepayId) =>
        CreateRequestPayment(appId, prepayId, _time.GetUtcNow().ToUnixTimeSeconds(), NewNonce());

    public static string NewNonce() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    public void Dispose() => _merchantKey.Dispose();
}
