using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using EBranch.Core.WeChat;
using EBranch.Core.WeChat.MiniProgram;
using EBranch.Core.WeChat.Pay;
using EBranch.Core.WeChat.Push;
using EBranch.Testing;
using EBranch.WeChat.Emulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace EBranch.WeChat.Tests;

[CollectionDefinition(Name)]
public sealed class EmulatorCollection : ICollectionFixture<EmulatorFixture>
{
    public const string Name = "emulator";
}

/// <summary>
/// The emulator on a real loopback port, plus a "product" receiver (a minimal web app on another port) that uses the
/// product's own clients to verify and decrypt notifications and pushed messages.
/// </summary>
public sealed class EmulatorFixture : IAsyncLifetime
{
    private EmulatorHost? _host;
    private WebApplication? _receiver;

    public string EmulatorUrl { get; private set; } = "";
    public string ReceiverUrl { get; private set; } = "";
    public HttpClient Control { get; private set; } = null!;
    public JsonElement Config { get; private set; }
    public IServiceProvider Product => _receiver!.Services;

    public ConcurrentQueue<PayNotification<PayTransaction>> Transactions { get; } = new();
    public ConcurrentQueue<PayNotification<RefundNotice>> Refunds { get; } = new();
    public ConcurrentQueue<PushEvent> PushEvents { get; } = new();
    public ConcurrentQueue<string> Rejections { get; } = new();

    public async Task InitializeAsync()
    {
        _host = await EmulatorHost.StartAsync();
        EmulatorUrl = _host.Url;
        Control = _host.Control;
        Config = _host.Config;

        var port = FreePort();
        ReceiverUrl = $"http://127.0.0.1:{port}";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(ReceiverUrl);
        builder.Configuration.AddInMemoryCollection(ProductSettings());
        builder.Services.AddWeChat(builder.Configuration);
        _receiver = builder.Build();
        MapReceiver(_receiver);
        await _receiver.StartAsync();
    }

    /// <summary>The product's WeChat configuration, taken from the emulator's /_emulator/config.</summary>
    public Dictionary<string, string?> ProductSettings(string? notifyPath = "/pay/notify") => _host!.ProductSettings(ReceiverUrl + notifyPath);

    /// <summary>A separate product instance (own DI container) configured against the emulator.</summary>
    public ServiceProvider NewProduct(Action<IServiceCollection>? configure = null, IDictionary<string, string?>? overrides = null)
    {
        var settings = ProductSettings();
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
        var services = new ServiceCollection();
        configure?.Invoke(services);
        services.AddWeChat(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        return services.BuildServiceProvider();
    }

    public Task<(string OpenId, string Code)> NewUserAsync(object? body = null) => _host!.NewUserAsync(body);

    public async Task<JsonElement> PostControlAsync(string path, object? body = null)
    {
        using var response = await Control.PostAsJsonAsync(path, body ?? new { });
        response.EnsureSuccessStatusCode();
        return response.StatusCode == HttpStatusCode.NoContent ? default : await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public Task<JsonElement> LogAsync() => Control.GetFromJsonAsync<JsonElement>("/_emulator/log");

    public async Task<int> CallCountAsync(string path)
    {
        var calls = (await LogAsync()).GetProperty("counters").GetProperty("calls");
        return calls.TryGetProperty(path, out var n) ? n.GetInt32() : 0;
    }

    /// <summary>The notification records (with attempts) about one order / refund.</summary>
    public async Task<List<JsonElement>> NotificationsAsync(string reference) =>
        (await LogAsync()).GetProperty("notifications").EnumerateArray().Where(n => n.GetProperty("reference").GetString() == reference).ToList();

    public static Task WaitUntilAsync(Func<Task<bool>> condition, string what, int seconds = 15)
        => Eventually.WaitUntilAsync(condition, what, TimeSpan.FromSeconds(seconds));

    public async Task DisposeAsync()
    {
        if (_receiver is not null)
        {
            await _receiver.DisposeAsync();
        }
        Control.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    private void MapReceiver(WebApplication app)
    {
        app.MapPost("/pay/notify", async (HttpRequest request, WeChatPayNotificationHandler handler) =>
        {
            try
            {
                Transactions.Enqueue(await handler.ReadTransactionAsync(request));
                return Results.NoContent();
            }
            catch (WeChatPaySignatureException e)
            {
                Rejections.Enqueue(e.Message);
                return Results.Json(WeChatPayNotificationHandler.Failure(e.Message), statusCode: 401);
            }
        });
        app.MapPost("/refund/notify", async (HttpRequest request, WeChatPayNotificationHandler handler) =>
        {
            try
            {
                Refunds.Enqueue(await handler.ReadRefundAsync(request));
                return Results.Ok();
            }
            catch (WeChatPaySignatureException e)
            {
                Rejections.Enqueue(e.Message);
                return Results.Json(WeChatPayNotificationHandler.Failure(e.Message), statusCode: 401);
            }
        });
        app.MapGet("/push", (string? signature, string? timestamp, string? nonce, string? echostr, PushMessageCrypto crypto) =>
            crypto.VerifyUrl(signature, timestamp, nonce) ? Results.Text(echostr) : Results.StatusCode(401));
        app.MapPost("/push", async (HttpRequest request, string? timestamp, string? nonce, string? msg_signature, PushMessageCrypto crypto) =>
        {
            var envelope = await JsonSerializer.DeserializeAsync<JsonElement>(request.Body);
            var encrypt = envelope.GetProperty("Encrypt").GetString();
            if (!crypto.VerifyMessage(msg_signature, timestamp, nonce, encrypt))
            {
                return Results.StatusCode(401);
            }
            PushEvents.Enqueue(PushEventParser.Parse(crypto.Decrypt(encrypt!)));
            return Results.Text("success");
        });
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
