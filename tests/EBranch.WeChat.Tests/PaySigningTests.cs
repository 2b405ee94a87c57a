using System.Security.Cryptography;
using System.Text;
using EBranch.Core.WeChat;
using EBranch.Core.WeChat.Pay;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace EBranch.WeChat.Tests;

/// <summary>B1/B2/B3 layouts and verification rules, with local keys and a fake clock (no emulator).</summary>
public sealed class PaySigningTests : IDisposable
{
    private const string PublicKeyId = "PUB_KEY_ID_0000000000000000000000000001";
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_714_037_059);
    private readonly RSA _merchant = RSA.Create(2048);
    private readonly RSA _platform = RSA.Create(2048);
    private readonly FakeTimeProvider _time = new(Now);
    private readonly ServiceProvider _services;

    public PaySigningTests()
    {
        var settings = new Dictionary<string, string?>
        {
            ["WeChat:MiniProgram:AppId"] = "wx8888888888888888",
            ["WeChat:MiniProgram:AppSecret"] = "secret",
            ["WeChat:Pay:MchId"] = "1900000001",
            ["WeChat:Pay:MerchantSerialNo"] = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
            ["WeChat:Pay:MerchantPrivateKey"] = _merchant.ExportPkcs8PrivateKeyPem(),
            ["WeChat:Pay:ApiV3Key"] = "0123456789abcdef0123456789abcdef",
            ["WeChat:Pay:PlatformPublicKeyId"] = PublicKeyId,
            ["WeChat:Pay:PlatformPublicKey"] = _platform.ExportSubjectPublicKeyInfoPem(),
            ["WeChat:Pay:NotifyUrl"] = "https://example.org/pay/notify",
        };
        var services = new ServiceCollection().AddSingleton<TimeProvider>(_time);
        services.AddWeChat(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        _services = services.BuildServiceProvider();
    }

    private WeChatPaySigner Signer => _services.GetRequiredService<WeChatPaySigner>();
    private WeChatPayVerifier Verifier => _services.GetRequiredService<WeChatPayVerifier>();

    [Fact]
    public void BuildRequestMessage_MatchesOfficialLayout_WhenGetHasNoBody() =>
        Assert.Equal("GET\n/v3/certificates\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n",
            WeChatPaySigner.BuildRequestMessage("GET", "/v3/certificates", 1554208460, "593BEC0C930BF1AFEB40B4A08C8FB242", ""));

    [Fact]
    public void BuildRequestMessage_EndsWithBodyLine_WhenPost() =>
        Assert.Equal("POST\n/v3/pay/transactions/jsapi\n1554208460\nN1\n{\"a\":1}\n",
            WeChatPaySigner.BuildRequestMessage("POST", "/v3/pay/transactions/jsapi", 1554208460, "N1", "{\"a\":1}"));

    [Fact]
    public void BuildPaymentMessage_MatchesOfficialLayout() =>
        Assert.Equal("wx8888888888888888\n1414561699\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\nprepay_id=wx201410272009395522657a690389285100\n",
            WeChatPaySigner.BuildPaymentMessage("wx8888888888888888", "1414561699", "5K8264ILTKCH16CQ2502SI8ZNMTM67VS", "prepay_id=wx201410272009395522657a690389285100"));

    [Fact]
    public void CreateRequestPayment_SignsOfficialLayout_WithMerchantKey()
    {
        var parameters = Signer.CreateRequestPayment("wx8888888888888888", "wx201410272009395522657a690389285100", 1414561699, "5K8264ILTKCH16CQ2502SI8ZNMTM67VS");
        Assert.Equal(("1414561699", "prepay_id=wx201410272009395522657a690389285100", "RSA"), (parameters.TimeStamp, parameters.Package, parameters.SignType));
        var message = "wx8888888888888888\n1414561699\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\nprepay_id=wx201410272009395522657a690389285100\n";
        Assert.True(_merchant.VerifyData(Encoding.UTF8.GetBytes(message), Convert.FromBase64String(parameters.PaySign), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    [Fact]
    public void BuildAuthorization_HasOneLineHeaderWithSignatureOverB1Message()
    {
        var header = Signer.BuildAuthorization("GET", "/v3/certificates", "", 1554208460, "593BEC0C930BF1AFEB40B4A08C8FB242");
        var expectedSignature = Convert.ToBase64String(_merchant.SignData(
            Encoding.UTF8.GetBytes("GET\n/v3/certificates\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n"), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        Assert.Equal("WECHATPAY2-SHA256-RSA2048 mchid=\"1900000001\",nonce_str=\"593BEC0C930BF1AFEB40B4A08C8FB242\"," +
                     $"signature=\"{expectedSignature}\",timestamp=\"1554208460\",serial_no=\"5157F09EFDC096DE15EBE81A47057A7232F1B8E1\"", header);
    }

    [Fact]
    public async Task Verify_Accepts_WhenSignedByPlatformKeyOverRawBody()
    {
        var body = "{\"prepay_id\":\"wx1\",\"名\":\"支部\"}"u8.ToArray();
        await Verifier.VerifyAsync(Sign(body, Now), body);
    }

    public static TheoryData<string> Rejections => ["tampered", "stale", "missing", "signtest", "unknown-key"];

    [Theory]
    [MemberData(nameof(Rejections))]
    public async Task Verify_Rejects_WhenResponseIsNotAuthentic(string kind)
    {
        var body = "{\"trade_state\":\"SUCCESS\"}"u8.ToArray();
        var headers = Sign(body, kind == "stale" ? Now.AddSeconds(-300) : Now);
        (headers, body) = kind switch
        {
            "tampered" => (headers, "{\"trade_state\":\"SUCCESS\" }"u8.ToArray()),
            "missing" => (headers with { Nonce = null }, body),
            "signtest" => (headers with { Signature = "WECHATPAY/SIGNTEST/" + headers.Signature }, body),
            "unknown-key" => (headers with { Serial = "PUB_KEY_ID_9999999999999999999999999999" }, body),
            _ => (headers, body),
        };
        await Assert.ThrowsAsync<WeChatPaySignatureException>(() => Verifier.VerifyAsync(headers, body));
    }

    [Fact]
    public void Decrypt_UsesAsciiKeyAndTrailingTag()
    {
        const string key = "0123456789abcdef0123456789abcdef";
        var plain = "{\"out_trade_no\":\"T1\"}"u8.ToArray();
        var output = new byte[plain.Length + 16];
        using (var gcm = new AesGcm(Encoding.ASCII.GetBytes(key), 16))
        {
            gcm.Encrypt("abcdefghijkl"u8, plain, output.AsSpan(0, plain.Length), output.AsSpan(plain.Length), "transaction"u8);
        }
        Assert.Equal("{\"out_trade_no\":\"T1\"}", WeChatPayCrypto.Decrypt(key, "abcdefghijkl", "transaction", Convert.ToBase64String(output)));
        Assert.ThrowsAny<CryptographicException>(() => WeChatPayCrypto.Decrypt(key, "abcdefghijkl", "refund", Convert.ToBase64String(output)));
    }

    [Fact]
    public void AddWeChat_FailsOnStart_WithClearMessage_WhenPayConfigMissing()
    {
        var services = new ServiceCollection();
        services.AddWeChat(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["WeChat:MiniProgram:AppId"] = "wx1", ["WeChat:MiniProgram:AppSecret"] = "s",
        }).Build());
        using var provider = services.BuildServiceProvider();
        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<WeChatPayOptions>>().Value);
        Assert.Contains("WeChat:Pay:MchId is required", error.Message);
        Assert.Contains("WeChat:Pay:ApiV3Key must be exactly 32 characters", error.Message);
    }

    private WeChatPayHeaders Sign(byte[] body, DateTimeOffset at)
    {
        var timestamp = at.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var signature = _platform.SignData(WeChatPayVerifier.BuildVerifyMessage(timestamp, "NONCE1", body), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return new WeChatPayHeaders(timestamp, "NONCE1", Convert.ToBase64String(signature), PublicKeyId);
    }

    public void Dispose()
    {
        _services.Dispose();
        _merchant.Dispose();
        _platform.Dispose();
    }
}
