using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace EBranch.Core.WeChat.Push;

/// <summary>
/// Message-push signatures and safe-mode decryption. Safe mode: key = Base64(EncodingAESKey + "="), IV = key[0..16],
/// AES-256-CBC padded with PKCS#7 over a 32-byte block; plaintext = 16 random bytes ‖ uint32 BE length ‖ message ‖ appid.
/// </summary>
public sealed class PushMessageCrypto(string token, string? encodingAesKey, string appId)
{
    private const int PadBlock = 32;

    /// <summary>sha1 of the sorted, concatenated parts (token, timestamp, nonce[, Encrypt]).</summary>
    public static string Signature(params string[] parts)
    {
        var sorted = parts.OrderBy(p => p, StringComparer.Ordinal);
        return Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(string.Concat(sorted))));
    }

    /// <summary>The URL check (GET): valid when <paramref name="signature"/> matches; answer echostr as the raw body.</summary>
    public bool VerifyUrl(string? signature, string? timestamp, string? nonce) =>
        signature is not null && timestamp is not null && nonce is not null && FixedEquals(signature, Signature(token, timestamp, nonce));

    public bool VerifyMessage(string? msgSignature, string? timestamp, string? nonce, string? encrypt) =>
        msgSignature is not null && timestamp is not null && nonce is not null && encrypt is not null
        && FixedEquals(msgSignature, Signature(token, timestamp, nonce, encrypt));

    /// <summary>Decrypts an <c>Encrypt</c> field; throws <see cref="CryptographicException"/> when it is malformed or for another appid.</summary>
    public string Decrypt(string encrypt)
    {
        using var aes = Aes.Create();
        var key = Key();
        aes.Key = key;
        var plain = aes.DecryptCbc(Convert.FromBase64String(encrypt), key.AsSpan(0, 16), PaddingMode.None);
        var pad = plain.Length == 0 ? 0 : plain[^1];
        if (pad is < 1 or > PadBlock || pad > plain.Length - 20)
        {
            throw new CryptographicException("Bad padding in the pushed message.");
        }
        var content = plain.AsSpan(0, plain.Length - pad);
        var length = (int)BinaryPrimitives.ReadUInt32BigEndian(content[16..20]);
        if (length > content.Length - 20)
        {
            throw new CryptographicException("Bad length in the pushed message.");
        }
        var fromAppId = Encoding.UTF8.GetString(content[(20 + length)..]);
        if (fromAppId != appId)
        {
            throw new CryptographicException($"The pushed message is for appid '{fromAppId}', not '{appId}'.");
        }
        return Encoding.UTF8.GetString(content.Slice(20, length));
    }

    /// <summary>Encrypts a reply (or a test message) the way WeChat does.</summary>
    public string Encrypt(string message)
    {
        var body = Encoding.UTF8.GetBytes(message);
        var tail = Encoding.UTF8.GetBytes(appId);
        var length = 20 + body.Length + tail.Length;
        var pad = PadBlock - length % PadBlock;
        var plain = new byte[length + pad];
        RandomNumberGenerator.Fill(plain.AsSpan(0, 16));
        BinaryPrimitives.WriteUInt32BigEndian(plain.AsSpan(16, 4), (uint)body.Length);
        body.CopyTo(plain, 20);
        tail.CopyTo(plain, 20 + body.Length);
        plain.AsSpan(length).Fill((byte)pad);
        using var aes = Aes.Create();
        var key = Key();
        aes.Key = key;
        return Convert.ToBase64String(aes.EncryptCbc(plain, key.AsSpan(0, 16), PaddingMode.None));
    }

    private byte[] Key() => encodingAesKey is { Length: 43 }
        ? Convert.FromBase64String(encodingAesKey + "=")
        : throw new InvalidOperationException("WeChat:MiniProgram:PushEncodingAESKey (43 characters) is required for safe-mode push.");

    private static bool FixedEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a.ToLowerInvariant()), Encoding.ASCII.GetBytes(b));
}
