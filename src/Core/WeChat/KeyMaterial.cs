using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EBranch.Core.WeChat;

/// <summary>Loads RSA keys from configuration values that hold either PEM text or a path to a PEM file.</summary>
public static class KeyMaterial
{
    public static string ReadPem(string textOrPath) =>
        textOrPath.Contains("-----BEGIN", StringComparison.Ordinal) ? textOrPath : File.ReadAllText(textOrPath);

    public static RSA LoadPrivateKey(string textOrPath)
    {
        var rsa = RSA.Create();
        rsa.ImportFromPem(ReadPem(textOrPath));
        return rsa;
    }

    /// <summary>Accepts a "PUBLIC KEY" PEM or a certificate PEM.</summary>
    public static RSA LoadPublicKey(string textOrPath)
    {
        var pem = ReadPem(textOrPath);
        if (pem.Contains("BEGIN CERTIFICATE", StringComparison.Ordinal))
        {
            using var certificate = X509Certificate2.CreateFromPem(pem);
            return certificate.GetRSAPublicKey() ?? throw new CryptographicException("The certificate holds no RSA key.");
        }
        var rsa = RSA.Create();
        rsa.ImportFromPem(pem);
        return rsa;
    }
}
