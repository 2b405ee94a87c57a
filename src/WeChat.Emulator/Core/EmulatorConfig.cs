using System.Text.Json;

namespace EBranch.WeChat.Emulator.Core;

/// <summary>What the product needs to talk to this emulator: served at /_emulator/config and written to OutputDir.</summary>
public sealed class EmulatorConfig(EmulatorSettings settings, EmulatorKeys keys)
{
    public object Describe(string baseUrl) => new
    {
        appId = settings.AppId,
        appSecret = settings.AppSecret,
        mchId = settings.MchId,
        merchantSerialNo = keys.MerchantSerialNo,
        merchantPrivateKey = keys.MerchantPrivateKeyPem,
        apiV3Key = settings.ApiV3Key,
        platformPublicKeyId = keys.PlatformPublicKeyId,
        platformPublicKey = keys.PlatformPublicKeyPem,
        platformCertificateSerial = keys.PlatformCertificateSerial,
        pushToken = settings.PushToken,
        pushEncodingAESKey = settings.PushEncodingAESKey,
        baseUrl,
        // Ready to paste into the product's appsettings (add Pay:NotifyUrl).
        WeChat = new
        {
            MiniProgram = new { AppId = settings.AppId, AppSecret = settings.AppSecret, BaseUrl = baseUrl, PushToken = settings.PushToken, PushEncodingAESKey = settings.PushEncodingAESKey },
            Pay = new
            {
                MchId = settings.MchId, MerchantSerialNo = keys.MerchantSerialNo, MerchantPrivateKey = keys.MerchantPrivateKeyPem, ApiV3Key = settings.ApiV3Key,
                PlatformPublicKeyId = keys.PlatformPublicKeyId, PlatformPublicKey = keys.PlatformPublicKeyPem, BaseUrl = baseUrl,
            },
        },
    };

    public void Write(string baseUrl)
    {
        if (string.IsNullOrEmpty(settings.OutputDir))
        {
            return;
        }
        Directory.CreateDirectory(settings.OutputDir);
        File.WriteAllText(Path.Combine(settings.OutputDir, "wechat-emulator.json"),
            JsonSerializer.Serialize(Describe(baseUrl), new JsonSerializerOptions(EmulatorJson.Options) { WriteIndented = true }));
        File.WriteAllText(Path.Combine(settings.OutputDir, "merchant_private_key.pem"), keys.MerchantPrivateKeyPem);
        File.WriteAllText(Path.Combine(settings.OutputDir, "platform_public_key.pem"), keys.PlatformPublicKeyPem);
        File.WriteAllText(Path.Combine(settings.OutputDir, "platform_certificate.pem"), keys.PlatformCertificatePem);
    }
}
