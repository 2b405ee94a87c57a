using System.Net;
using EBranch.Admin;
using EBranch.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace EBranch.Tests.Reliability;

/// <summary>The real console (src/Admin) on a loopback Kestrel port, configured as in production from the settings given.</summary>
public sealed class ConsoleHost : IAsyncDisposable
{
    private readonly WebApplicationFactory<AdminEntry> _factory;

    private ConsoleHost(WebApplicationFactory<AdminEntry> factory, string url)
    {
        _factory = factory;
        Url = url;
    }

    public string Url { get; }
    public IServiceProvider Services => _factory.Services;

    public static async Task<ConsoleHost> StartAsync(IDictionary<string, string?> settings, Action<IWebHostBuilder>? configure = null)
    {
        var factory = new WebApplicationFactory<AdminEntry>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Testing");
            builder.UseSetting("urls", "http://127.0.0.1:0");
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
            configure?.Invoke(builder);
        });
        factory.UseKestrel(0);
        factory.StartServer();
        var url = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        var host = new ConsoleHost(factory, url);
        using var client = host.NewClient(new CookieContainer());
        (await client.GetAsync("/health/live")).EnsureSuccessStatusCode();
        return host;
    }

    /// <summary>A client keeping its cookies in <paramref name="cookies"/> (a browser: share it between consoles behind one address) that does not follow redirects.</summary>
    public HttpClient NewClient(CookieContainer cookies)
        => new(new HttpClientHandler { CookieContainer = cookies, UseCookies = true, AllowAutoRedirect = false }) { BaseAddress = new Uri(Url) };

    /// <summary>A console service acting as <paramref name="userName"/>, from this console's own container (its cache, its backplane).</summary>
    public Task<T> AsConsoleUser<T>(string userName) where T : class => ConsoleCallers.ActAsAsync<T>(Services, userName);

    public async ValueTask DisposeAsync() => await _factory.DisposeAsync();
}
