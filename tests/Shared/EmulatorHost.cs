using System.Net.Http.Json;
using System.Text.Json;
using EBranch.WeChat.Emulator;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace EBranch.Testing;

/// <summary>
/// The WeChat emulator on a real loopback port, and the product configuration that points at it (taken
/// from its <c>/_emulator/config</c>), exactly as the local run configures the product.
/// </summary>
public sealed class EmulatorHost : IAsyncDisposable
{
    private readonly WebApplicationFactory<EmulatorEntry> _factory;

    private EmulatorHost(WebApplicationFactory<EmulatorEntry> factory, string url, HttpClient control, JsonElement config)
    {
        _factory = factory;
        Url = url;
        Control = control;
        Config = config;
    }

    public string Url { get; }
    public HttpClient Control { get; }
    public JsonElement Config { get; }

    public static async Task<EmulatorHost> StartAsync(IDictionary<string, string>? settings = null)
    {
        // An explicit loopback port 0: without it Kestrel falls back to the default localhost:5000.
        var factory = new WebApplicationFactory<EmulatorEntry>().WithWebHostBuilder(b =>
        {
            b.UseSetting("urls", "http://127.0.0.1:0");
            b.UseSetting("Emulator:TimeFactor", "0.001");
            b.UseSetting("Emulator:BillsReadyImmediately", "true");
            b.UseSetting("Emulator:AutoCompleteRefunds", "true");
            // An appid of its own: product hosts sharing one Redis keep one access token per appid, and tokens of
            // different emulators must not overwrite each other there.
            b.UseSetting("Emulator:AppId", "wx" + Guid.NewGuid().ToString("N")[..16]);
            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            {
                b.UseSetting(key, value);
            }
        });
        factory.UseKestrel(0);
        factory.StartServer();
        var url = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()
            .Replace("[::1]", "127.0.0.1", StringComparison.Ordinal);
        var control = new HttpClient { BaseAddress = new Uri(url) };
        var config = await control.GetFromJsonAsync<JsonElement>("/_emulator/config");
        return new EmulatorHost(factory, url, control, config);
    }

    /// <summary>The product's WeChat configuration against this emulator.</summary>
    public Dictionary<string, string?> ProductSettings(string notifyUrl)
    {
        string C(string name) => Config.GetProperty(name).GetString()!;
        return new Dictionary<string, string?>
        {
            ["WeChat:MiniProgram:AppId"] = C("appId"),
            ["WeChat:MiniProgram:AppSecret"] = C("appSecret"),
            ["WeChat:MiniProgram:BaseUrl"] = Url,
            ["WeChat:MiniProgram:PushToken"] = C("pushToken"),
            ["WeChat:MiniProgram:PushEncodingAESKey"] = C("pushEncodingAESKey"),
            ["WeChat:Pay:MchId"] = C("mchId"),
            ["WeChat:Pay:MerchantSerialNo"] = C("merchantSerialNo"),
            ["WeChat:Pay:MerchantPrivateKey"] = C("merchantPrivateKey"),
            ["WeChat:Pay:ApiV3Key"] = C("apiV3Key"),
            ["WeChat:Pay:PlatformPublicKeyId"] = C("platformPublicKeyId"),
            ["WeChat:Pay:PlatformPublicKey"] = C("platformPublicKey"),
            ["WeChat:Pay:BaseUrl"] = Url,
            ["WeChat:Pay:NotifyUrl"] = notifyUrl,
            ["WeChat:Pay:RetryDelay"] = "00:00:00.050",
            ["WeChat:Pay:Timeout"] = "00:00:02",
        };
    }

    /// <summary>A new WeChat user (as if they opened the mini-program) and a fresh wx.login code.</summary>
    public async Task<(string OpenId, string Code)> NewUserAsync(object? body = null)
    {
        using var response = await Control.PostAsJsonAsync("/_emulator/users", body ?? new { });
        response.EnsureSuccessStatusCode();
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (json.GetProperty("openid").GetString()!, json.GetProperty("code").GetString()!);
    }

    public async Task<string> NewCodeAsync(string openId)
    {
        using var response = await Control.PostAsJsonAsync($"/_emulator/users/{openId}/code", new { });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString()!;
    }

    public async Task<string> PhoneCodeAsync(string openId)
    {
        using var response = await Control.PostAsJsonAsync($"/_emulator/users/{openId}/phone-code", new { });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString()!;
    }

    /// <summary>The emulator's pay notifications about one order or refund (each copy and retry chain is one record).</summary>
    public async Task<List<JsonElement>> NotificationsAsync(string reference)
    {
        var log = await Control.GetFromJsonAsync<JsonElement>("/_emulator/log");
        return log.GetProperty("notifications").EnumerateArray().Where(n => n.GetProperty("reference").GetString() == reference).ToList();
    }

    /// <summary>Waits until every pay notification about <paramref name="reference"/> was answered 2xx or given up on.</summary>
    public Task NotificationsSettledAsync(string reference, TimeSpan? timeout = null) => Eventually.WaitUntilAsync(async () =>
        (await NotificationsAsync(reference)).All(n => n.GetProperty("acknowledged").GetBoolean() || n.GetProperty("gave_up").GetBoolean()),
        $"the pay notifications of {reference} to be answered", timeout);

    public async ValueTask DisposeAsync()
    {
        Control.Dispose();
        await _factory.DisposeAsync();
    }
}
