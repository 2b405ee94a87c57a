using System.Security.Cryptography;
using System.Text;

namespace EBranch.WeChat.Emulator.Core;

/// <summary>Pushes messages/events to the product's push URL, in safe mode (AES-256-CBC, 32-byte PKCS#7) or plaintext.</summary>
public sealed class PushSender(IHttpClientFactory httpClientFactory, EmulatorSettings settings, EmulatorState state, EmulatorClock clock)
{
    public static string Sha1OfSorted(params string[] values)
    {
        Array.Sort(values, StringComparer.Ordinal);
        return Convert.ToHexString(SHA1.HashData(Encoding.UTF8.GetBytes(string.Join("", values)))).ToLowerInvariant();
    }

    /// <summary>WeChat's safe-mode envelope: random(16) ‖ len(4, big-endian) ‖ message ‖ appid, padded to a multiple of 32.</summary>
    public string Seal(string message)
    {
        var key = Convert.FromBase64String(settings.PushEncodingAESKey + "=");
        var content = Encoding.UTF8.GetBytes(message);
        var appId = Encoding.UTF8.GetBytes(settings.AppId);
        var buffer = new List<byte>(RandomNumberGenerator.GetBytes(16))
        {
            (byte)(content.Length >> 24), (byte)(content.Length >> 16), (byte)(content.Length >> 8), (byte)content.Length,
        };
        buffer.AddRange(content);
        buffer.AddRange(appId);
        var padding = 32 - buffer.Count % 32;
        buffer.AddRange(Enumerable.Repeat((byte)padding, padding));
        using var aes = Aes.Create();
        aes.Key = key;
        return Convert.ToBase64String(aes.EncryptCbc(buffer.ToArray(), key[..16], PaddingMode.None));
    }

    /// <summary>GET url-verification; returns whether the product echoed echostr.</summary>
    public async Task<object> VerifyUrlAsync(string url)
    {
        var timestamp = clock.Now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var nonce = Random.Shared.Next(100_000_000, int.MaxValue).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var echo = Random.Shared.NextInt64(1_000_000_000_000, long.MaxValue).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var signature = Sha1OfSorted(settings.PushToken, timestamp, nonce);
        using var response = await Http().GetAsync($"{url}{Separator(url)}signature={signature}&timestamp={timestamp}&nonce={nonce}&echostr={echo}");
        var body = await response.Content.ReadAsStringAsync();
        var outcome = new { kind = "url-verification", url, status = (int)response.StatusCode, echoed = body == echo };
        state.Locked(() => state.PushDeliveries.Add(outcome));
        return outcome;
    }

    public async Task<object> PushAsync(string url, string message, bool safeMode)
    {
        var timestamp = clock.Now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var nonce = Random.Shared.Next(100_000_000, int.MaxValue).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var query = $"signature={Sha1OfSorted(settings.PushToken, timestamp, nonce)}&timestamp={timestamp}&nonce={nonce}";
        string body;
        if (safeMode)
        {
            var encrypt = Seal(message);
            query += $"&encrypt_type=aes&msg_signature={Sha1OfSorted(settings.PushToken, timestamp, nonce, encrypt)}";
            body = Encoding.UTF8.GetString(EmulatorJson.Bytes(new { ToUserName = settings.OriginalId, Encrypt = encrypt }));
        }
        else
        {
            body = message;
        }
        using var response = await Http().PostAsync($"{url}{Separator(url)}{query}", new StringContent(body, Encoding.UTF8, "application/json"));
        var reply = await response.Content.ReadAsStringAsync();
        var outcome = new { kind = safeMode ? "safe-mode" : "plaintext", url, status = (int)response.StatusCode, reply };
        state.Locked(() => state.PushDeliveries.Add(outcome));
        return outcome;
    }

    private static string Separator(string url) => url.Contains('?') ? "&" : "?";

    private HttpClient Http() => httpClientFactory.CreateClient("push");
}
