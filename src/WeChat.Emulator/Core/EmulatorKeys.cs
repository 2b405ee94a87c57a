using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EBranch.WeChat.Emulator.Core;

/// <summary>
/// The emulator's key material: the merchant API key pair (the product signs with its private half), the WeChat Pay
/// public key (public-key-id mode) and a separate platform certificate key (certificate mode).
/// </summary>
public sealed class EmulatorKeys
{
    public RSA Merchant { get; }
    public string MerchantSerialNo { get; }
    public RSA PlatformPublicKeyPair { get; }
    public string PlatformPublicKeyId { get; }
    public RSA PlatformCertificateKey { get; }
    public X509Certificate2 PlatformCertificate { get; }
    public string PlatformCertificateSerial => PlatformCertificate.SerialNumber;

    public EmulatorKeys(string? keyDir)
    {
        Merchant = LoadOrCreate(keyDir, "merchant_key.pem");
        PlatformPublicKeyPair = LoadOrCreate(keyDir, "platform_public_key_pair.pem");
        PlatformCertificateKey = LoadOrCreate(keyDir, "platform_certificate_key.pem");
        MerchantSerialNo = Convert.ToHexString(SHA1.HashData(Merchant.ExportSubjectPublicKeyInfo()));
        var digits = new BigInteger(SHA256.HashData(PlatformPublicKeyPair.ExportSubjectPublicKeyInfo()), isUnsigned: true).ToString();
        PlatformPublicKeyId = "PUB_KEY_ID_" + digits[..28];
        PlatformCertificate = CreateCertificate(PlatformCertificateKey);
    }

    public string MerchantPrivateKeyPem => Merchant.ExportPkcs8PrivateKeyPem();
    public string MerchantPublicKeyPem => Merchant.ExportSubjectPublicKeyInfoPem();
    public string PlatformPublicKeyPem => PlatformPublicKeyPair.ExportSubjectPublicKeyInfoPem();
    public string PlatformCertificatePem => PlatformCertificate.ExportCertificatePem();

    private static RSA LoadOrCreate(string? dir, string file)
    {
        var rsa = RSA.Create(2048);
        var path = string.IsNullOrEmpty(dir) ? null : Path.Combine(dir, file);
        if (path is not null && File.Exists(path))
        {
            rsa.ImportFromPem(File.ReadAllText(path));
        }
        else if (path is not null)
        {
            Directory.CreateDirectory(dir!);
            File.WriteAllText(path, rsa.ExportPkcs8PrivateKeyPem());
        }
        return rsa;
    }

    private static X509Certificate2 CreateCertificate(RSA key)
    {
        var request = new CertificateRequest("CN=Tenpay.com Root CA Emulator, O=Tenpay.com, C=CN", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        // Serial derived from the key so that a loaded key keeps its serial across restarts.
        var serial = SHA1.HashData(key.ExportSubjectPublicKeyInfo())[..16];
        serial[0] &= 0x7F;
        var notBefore = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        return request.Create(request.SubjectName, X509SignatureGenerator.CreateForRSA(key, RSASignaturePadding.Pkcs1), notBefore, notBefore.AddYears(10), serial);
    }
}
