using EBranch.Gateway;
using EBranch.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace EBranch.Tests.Gateway;

/// <summary>The real gateway host on its own fresh database with the demo district.</summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    private WebApplicationFactory<GatewayEntry>? _factory;

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var settings = await TestEnvironment.CreateDatabaseAsync("gateway");
        settings["Database:SeedDemo"] = "true";
        _factory = new WebApplicationFactory<GatewayEntry>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Testing");
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
        });
        Client = _factory.CreateClient();
        await Client.GetAsync("/health/live");
    }

    public async Task DisposeAsync()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class GatewayCollection : ICollectionFixture<GatewayFixture>
{
    public const string Name = "gateway";
}
