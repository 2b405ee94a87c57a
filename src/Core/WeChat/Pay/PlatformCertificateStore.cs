using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace EBranch.Core.WeChat.Pay;

/// <summary>A downloaded, decrypted, not-yet-trusted set of platform certificates with the response that carried it.</summary>
public sealed record CertificateDownload(WeChatPayResponse Response, IReadOnlyDictionary<string, X509Certificate2> Certificates);

/// <summary>Platform certificates by serial (certificate mode), downloaded from <c>/v3/certificates</c>.</summary>
public sealed class PlatformCertificateStore(WeChatPayTransport transport, IOptions<WeChatPayOptions> options)
{
    private readonly ConcurrentDictionary<string, RSA> _keys = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyCollection<string> Serials => _keys.Keys.ToList();

    public RSA? Find(string serial) => _keys.GetValueOrDefault(serial);

    /// <summary>Trusts certificates once the download response they came in has been verified.</summary>
    public void Trust(IReadOnlyDictionary<string, X509Certificate2> certificates)
    {
        foreach (var (serial, certificate) in certificates)
        {
            _keys[serial] = certificate.GetRSAPublicKey() ?? throw new CryptographicException($"Certificate {serial} holds no RSA key.");
        }
    }

    public async Task<CertificateDownload> DownloadAsync(CancellationToken cancellationToken = default)
    {
        var response = await transport.SendAsync(HttpMethod.Get, "/v3/certificates?algorithm_type=RSA", null, cancellationToken);
        response.ThrowOnError();
        using var json = JsonDocument.Parse(response.Body);
        var certificates = new Dictionary<string, X509Certificate2>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in json.RootElement.GetProperty("data").EnumerateArray())
        {
            var encrypted = item.GetProperty("encrypt_certificate");
            var pem = WeChatPayCrypto.Decrypt(options.Value.ApiV3Key, encrypted.GetProperty("nonce").GetString()!,
                encrypted.GetProperty("associated_data").GetString()!, encrypted.GetProperty("ciphertext").GetString()!);
            certificates[item.GetProperty("serial_no").GetString()!] = X509Certificate2.CreateFromPem(pem);
        }
        return new CertificateDownload(response, certificates);
    }
}
