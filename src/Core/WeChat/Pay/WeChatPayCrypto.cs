using System.Security.Cryptography;
using System.Text;

namespace EBranch.Core.WeChat.Pay;

/// <summary>AEAD_AES_256_GCM as WeChat Pay uses it: key = the APIv3 key's 32 ASCII bytes, ciphertext = base64(ct ‖ 16-byte tag).</summary>
public static class WeChatPayCrypto
{
    private const int TagSize = 16;

    public static string Decrypt(string apiV3Key, string nonce, string associatedData, string ciphertext)
    {
        var data = Convert.FromBase64String(ciphertext);
        if (data.Length < TagSize)
        {
            throw new CryptographicException("Ciphertext shorter than the GCM tag.");
        }
        var plain = new byte[data.Length - TagSize];
        using var gcm = new AesGcm(Encoding.ASCII.GetBytes(apiV3Key), TagSize);
        gcm.Decrypt(Encoding.ASCII.GetBytes(nonce), data.AsSpan(0, plain.Length), data.AsSpan(plain.Length), plain, Encoding.ASCII.GetBytes(associatedData));
        return Encoding.UTF8.GetString(plain);
    }
}
