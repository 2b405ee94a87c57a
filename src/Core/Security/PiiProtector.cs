using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace EBranch.Core.Security;

public sealed class SecurityOptions
{
    public const string Section = "Security";

    /// <summary>Base64 of 32 random bytes. Encryption and digest keys are derived from it (HKDF).</summary>
    public string PiiKey { get; set; } = "";
}

/// <summary>
/// Encrypts personal data (ID numbers, phones) at rest with AES-256-GCM and computes a keyed digest
/// (HMAC-SHA256) for exact-match lookups, so the database never holds them in clear.
/// </summary>
public sealed class PiiProtector
{
    private const string Version = "v1";
    private readonly byte[] _encryptionKey;
    private readonly byte[] _digestKey;

    public PiiProtector(IOptions<SecurityOptions> options)
    {
        var master = Convert.FromBase64String(options.Value.PiiKey);
        if (master.Length != 32)
        {
            throw new InvalidOperationException("Security:PiiKey must be the Base64 of exactly 32 bytes.");
        }
        _encryptionKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, master, 32, info: "ebranch-pii-encryption"u8.ToArray());
        _digestKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, master, 32, info: "ebranch-pii-digest"u8.ToArray());
    }

    public string Protect(string plaintext)
    {
        var data = Encoding.UTF8.GetBytes(plaintext);
        var output = new byte[12 + data.Length + 16];
        var nonce = output.AsSpan(0, 12);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_encryptionKey, 16);
        aes.Encrypt(nonce, data, output.AsSpan(12, data.Length), output.AsSpan(12 + data.Length));
        return Version + ":" + Convert.ToBase64String(output);
    }

    public string Unprotect(string protectedValue)
    {
        if (!protectedValue.StartsWith(Version + ":", StringComparison.Ordinal))
        {
            throw new CryptographicException("Unknown protected value format.");
        }
        var input = Convert.FromBase64String(protectedValue[(Version.Length + 1)..]);
        var length = input.Length - 28;
        var plain = new byte[length];
        using var aes = new AesGcm(_encryptionKey, 16);
        aes.Decrypt(input.AsSpan(0, 12), input.AsSpan(12, length), input.AsSpan(12 + length), plain);
        return Encoding.UTF8.GetString(plain);
    }

    /// <summary>Keyed digest of a normalized value: equal inputs give equal digests; the input cannot be recovered.</summary>
    public string Digest(string normalizedValue)
        => Convert.ToHexStringLower(HMACSHA256.HashData(_digestKey, Encoding.UTF8.GetBytes(normalizedValue)));
}
