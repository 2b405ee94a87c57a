using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using EBranch.Core.Data;
using EBranch.Gateway;
using EBranch.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace EBranch.Tests.Gateway;

/// <summary>
/// The real gateway on a loopback port (so the emulator can call it back), on its own fresh database with
/// the demo district, talking to the WeChat emulator over HTTP.
/// </summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    private WebApplicationFactory<GatewayEntry>? _factory;

    public HttpClient Client { get; private set; } = null!;
    public EmulatorHost Emulator { get; private set; } = null!;
    public string Url { get; private set; } = "";
    public IServiceProvider Services => _factory!.Services;

    public async Task InitializeAsync()
    {
        var settings = await TestEnvironment.CreateDatabaseAsync("gateway");
        settings["Database:SeedDemo"] = "true";
        Emulator = await EmulatorHost.StartAsync();
        Url = $"http://127.0.0.1:{FreePort()}";
        foreach (var (key, value) in Emulator.ProductSettings(Url + "/api/v1/pay/notify"))
        {
            settings[key] = value;
        }
        _factory = new WebApplicationFactory<GatewayEntry>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Testing");
            builder.UseSetting("urls", Url);
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
        });
        _factory.UseKestrel();
        _factory.StartServer();
        Client = new HttpClient { BaseAddress = new Uri(Url) };
        (await Client.GetAsync("/health/ready")).EnsureSuccessStatusCode();
    }

    public EBranchDbContext SystemDb() => Services.GetRequiredService<EBranchDbFactory>().CreateForSystem();

    /// <summary>A new WeChat user logs in through the gateway; returns a client carrying their session token.</summary>
    public async Task<(HttpClient Client, string OpenId, JsonElement Login)> LoginNewUserAsync(object? emulatorUser = null)
    {
        var (openId, code) = await Emulator.NewUserAsync(emulatorUser);
        var response = await Client.PostAsJsonAsync("/api/v1/auth/login", new { code });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var login = await response.Content.ReadFromJsonAsync<JsonElement>();
        var client = new HttpClient { BaseAddress = new Uri(Url) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login.GetProperty("token").GetString());
        return (client, openId, login);
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
        await Emulator.DisposeAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[CollectionDefinition(Name)]
public sealed class GatewayCollection : ICollectionFixture<GatewayFixture>
{
    public const string Name = "gateway";
}
