using EBranch.Admin;
using EBranch.Core.Data;
using EBranch.Core.Demo;
using EBranch.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace EBranch.Admin.Tests;

/// <summary>
/// The real console on a loopback Kestrel port over one freshly seeded demo database, and one Chromium
/// (Debian's, see STACK.md). Shared by every test in <see cref="AdminCollection"/>; each test opens its own browser context.
/// </summary>
public sealed class AdminAppFixture : IAsyncLifetime
{
    private WebApplicationFactory<AdminEntry>? _factory;
    private IPlaywright? _playwright;
    private EmulatorHost? _emulator;

    public string BaseUrl { get; private set; } = "";
    public IBrowser Browser { get; private set; } = default!;
    public IServiceProvider Services => _factory!.Services;

    public static string ScreenshotFolder { get; } = Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");

    /// <summary>The console's settings over a fresh demo database (named after <paramref name="purpose"/>), with a started WeChat emulator.</summary>
    public static async Task<(Dictionary<string, string?> Settings, EmulatorHost Emulator)> ConsoleSettingsAsync(string purpose)
    {
        var settings = await TestEnvironment.CreateDatabaseAsync(purpose, demo: true);
        settings["Database:SeedDemo"] = "true";
        var emulator = await EmulatorHost.StartAsync();
        foreach (var (key, value) in emulator.ProductSettings("http://127.0.0.1:9/api/v1/pay/notify"))
        {
            settings[key] = value;
        }
        settings["DataProtection:KeysFolder"] = Path.Combine(Path.GetTempPath(), "ebranch-tests", $"keys-{Guid.NewGuid():N}");
        return (settings, emulator);
    }

    public async Task InitializeAsync()
    {
        (var settings, _emulator) = await ConsoleSettingsAsync("admin");
        _factory = new WebApplicationFactory<AdminEntry>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Testing");
            builder.UseSetting("urls", "http://127.0.0.1:0");
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
        });
        _factory.UseKestrel();
        _factory.StartServer();
        BaseUrl = _factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .First().Replace("[::]", "127.0.0.1").Replace("0.0.0.0", "127.0.0.1").TrimEnd('/');

        _playwright = await Playwright.CreateAsync();
        // CI machines are small and busy (two cores, a build or another suite beside): waits match the action timeout.
        Assertions.SetDefaultExpectTimeout(15_000);
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        Directory.CreateDirectory(ScreenshotFolder);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        _playwright?.Dispose();
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
        if (_emulator is not null)
        {
            await _emulator.DisposeAsync();
        }
    }

    public EBranchDbContext OpenSystemDb() => Services.GetRequiredService<EBranchDbFactory>().CreateForSystem();

    /// <summary>A fresh browser context (own cookies) with a page at the login screen.</summary>
    public async Task<IPage> NewPageAsync(string locale = "zh-CN")
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl, Locale = locale, ViewportSize = new ViewportSize { Width = 1440, Height = 900 },
        });
        context.SetDefaultTimeout(15_000);
        return await context.NewPageAsync();
    }

    public async Task<IPage> SignInAsync(string userName, string password = DemoIdentities.Password, string locale = "zh-CN")
    {
        var page = await NewPageAsync(locale);
        await SubmitLoginAsync(page, userName, password);
        await page.WaitForURLAsync(url => !url.Contains("/login", StringComparison.Ordinal));
        await WaitInteractiveAsync(page);
        return page;
    }

    /// <summary>Types a day into a <c>DateField</c> (AntDesign DatePicker, shown yyyy-MM-dd) and confirms it with Enter.</summary>
    public static async Task PickDateAsync(IPage page, string testId, DateOnly day)
    {
        var text = day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        await PickAsync(page, testId, text, text);
    }

    /// <summary>Types a month (yyyyMM) into a <c>MonthField</c> (AntDesign MonthPicker, shown 2026年12月) and confirms it with Enter.</summary>
    public static Task PickMonthAsync(IPage page, string testId, int month)
        => PickAsync(page, testId, $"{month / 100:D4}年{month % 100:D2}月", month.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>
    /// Types into a DateField/MonthField and confirms with Enter until the page holds the value: the field's
    /// <c>data-value</c> is rendered from the page's state, so it changes only when the page took it (a value typed while
    /// the circuit is still attaching, or under load before the picker's own handlers ran, is rendered over).
    /// </summary>
    private static async Task PickAsync(IPage page, string testId, string text, string value)
    {
        var field = page.Locator($"[data-testid={testId}]");
        var input = field.Locator("input");
        for (var attempt = 1; ; attempt++)
        {
            await input.ClickAsync();
            await input.FillAsync(text);
            await input.PressAsync("Enter");
            try
            {
                await Assertions.Expect(field).ToHaveAttributeAsync("data-value", value, new() { Timeout = 3_000 });
                await page.Keyboard.PressAsync("Escape");
                return;
            }
            catch (PlaywrightException) when (attempt < 4)
            {
                await page.Keyboard.PressAsync("Escape");
            }
        }
    }

    public static async Task SubmitLoginAsync(IPage page, string userName, string password)
    {
        if (!page.Url.Contains("/login", StringComparison.Ordinal))
        {
            await page.GotoAsync("/login");
        }
        await page.FillAsync("#userName", userName);
        await page.FillAsync("#password", password);
        await page.ClickAsync("form button[type=submit]");
        await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
    }

    /// <summary>Opens a console page and waits until its circuit is live (buttons work).</summary>
    public static async Task GoToAsync(IPage page, string path)
    {
        await page.GotoAsync(path);
        await WaitInteractiveAsync(page);
    }

    public static Task WaitInteractiveAsync(IPage page) => page.WaitForSelectorAsync("[data-interactive='true']");

    public static Task ScreenshotAsync(IPage page, string name)
        => page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, $"{name}.png"), FullPage = true });
}

[CollectionDefinition(Name)]
public sealed class AdminCollection : ICollectionFixture<AdminAppFixture>
{
    public const string Name = "admin console";
}
