using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using EBranch.Core.Accounts;
using EBranch.Core.Data;
using EBranch.Core.Demo;
using EBranch.Core.Members;
using EBranch.Core.Security;
using Microsoft.EntityFrameworkCore;
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
    // Shared by every fixture in the process: several gateways may share one database (reliability tests).
    private static int _memberCounter;
    private bool _ownsEmulator = true;

    public const string ReminderTemplateId = "tpl-dues-reminder";

    public HttpClient Client { get; private set; } = null!;
    public EmulatorHost Emulator { get; private set; } = null!;
    public string Url { get; private set; } = "";
    public IServiceProvider Services => _factory!.Services;

    public Task InitializeAsync() => StartAsync();

    /// <summary>
    /// Starts the gateway on <paramref name="database"/> (a fresh test database when null), talking to
    /// <paramref name="emulator"/> (its own when null, disposed with it); <paramref name="overrides"/> go last, then <paramref name="configure"/>
    /// (e.g. a logging provider of the test's).
    /// </summary>
    public async Task StartAsync(Dictionary<string, string?>? database = null, EmulatorHost? emulator = null, IDictionary<string, string?>? overrides = null,
        Action<IWebHostBuilder>? configure = null)
    {
        var settings = database is null ? await TestEnvironment.CreateDatabaseAsync("gateway", demo: true) : new Dictionary<string, string?>(database);
        settings["Database:SeedDemo"] = "true";
        // Tests drive the dues jobs themselves (sync, expiry, reconciliation) so they are deterministic.
        settings["Jobs:Enabled"] = "false";
        settings["Dues:SyncAfter"] = "00:00:00";
        settings["Dues:ReminderTemplateId"] = ReminderTemplateId;
        foreach (var (key, value) in TestEnvironment.GenerousAnonymousLimits)
        {
            settings.TryAdd(key, value);
        }
        _ownsEmulator = emulator is null;
        Emulator = emulator ?? await EmulatorHost.StartAsync();
        Url = $"http://127.0.0.1:{FreePort()}";
        foreach (var (key, value) in Emulator.ProductSettings(Url + "/api/v1/pay/notify"))
        {
            settings[key] = value;
        }
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
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
            configure?.Invoke(builder);
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

    /// <summary>A console service acting as <paramref name="userName"/> (caller loaded as the console loads it), on the gateway's database.</summary>
    public Task<T> AsConsoleUser<T>(string userName) where T : class => ConsoleCallers.ActAsAsync<T>(Services, userName);

    /// <summary>A second 区委组织部 user (the demo has one), for the top level's "another user of the same level".</summary>
    public async Task<string> AddDistrictUserAsync()
    {
        await using var db = SystemDb();
        var admin = await db.ConsoleUsers.AsNoTracking().SingleAsync(u => u.UserName == DemoIdentities.DistrictAdmin);
        var name = "district-" + Guid.NewGuid().ToString("N")[..8];
        db.ConsoleUsers.Add(new Core.Accounts.ConsoleUser
        {
            UserName = name, DisplayName = "区委组织部审批员", Role = Core.Accounts.ConsoleRole.OrganizationDepartment, Scope = Core.Accounts.DataScopeKind.All,
            OrganizationId = admin.OrganizationId, PasswordHash = admin.PasswordHash,
        });
        await db.SaveChangesAsync();
        return name;
    }

    /// <summary>Puts a member with known personal numbers on the roster of the demo branch (branch0101's).</summary>
    public async Task<(Guid Id, string IdNumber)> AddMemberAsync(string name, string? phone = null)
    {
        await using var db = SystemDb();
        var pii = Services.GetRequiredService<PiiProtector>();
        var branchId = await db.ConsoleUsers.Where(u => u.UserName == DemoIdentities.BranchSecretary).Select(u => u.OrganizationId).SingleAsync();
        // Born after every generated demo member, so no collision with the demo roster.
        var n = Interlocked.Increment(ref _memberCounter);
        var first17 = $"330199{new DateOnly(2005, 1, 1).AddDays(n / 500):yyyyMMdd}{n % 500 * 2 + 1:000}";
        var idNumber = first17 + ChineseId.CheckDigit(first17);
        var member = new Member
        {
            Name = name, Gender = Gender.Male, BirthDate = new DateOnly(2005, 1, 1).AddDays(n / 500), IdNumberCipher = pii.Protect(idNumber), IdNumberDigest = pii.Digest(idNumber),
            PhoneCipher = phone is null ? null : pii.Protect(phone), PhoneDigest = phone is null ? null : pii.Digest(phone),
            Status = MemberStatus.Full, AdmittedOn = new DateOnly(2024, 7, 1), FullMemberOn = new DateOnly(2025, 7, 1), OrganizationId = branchId,
        };
        db.Members.Add(member);
        await db.SaveChangesAsync();
        return (member.Id, idNumber);
    }

    /// <summary>A new WeChat user bound to a fresh roster member with a dues standard and unpaid bills for the last three months.</summary>
    public async Task<(HttpClient Client, Guid MemberId, string OpenId)> NewPayingMemberAsync(string name, long monthlyFen = 8100)
    {
        var (memberId, idNumber) = await AddMemberAsync(name);
        var (client, openId, _) = await LoginNewUserAsync();
        (await client.PostAsJsonAsync("/api/v1/binding/id-number", new { name, idNumber })).EnsureSuccessStatusCode();
        await AddDuesAsync(memberId, monthlyFen);
        return (client, memberId, openId);
    }

    /// <summary>Gives a member a dues standard of <paramref name="monthlyFen"/> and unpaid bills for the last three months.</summary>
    public async Task AddDuesAsync(Guid memberId, long monthlyFen = 8100)
    {
        await using var db = SystemDb();
        var member = await db.Members.Include(m => m.Organization).SingleAsync(m => m.Id == memberId);
        db.DuesStandards.Add(new Core.Dues.DuesStandard { MemberId = memberId, Category = Core.Dues.DuesCategory.Employed, BaseFen = 540000, RateBasisPoints = 150, AmountFen = monthlyFen, EffectiveFrom = 202401 });
        var current = Core.Dues.DuesMonth.Current(TimeProvider.System);
        for (var i = -2; i <= 0; i++)
        {
            db.DuesBills.Add(new Core.Dues.DuesBill
            {
                MemberId = memberId, Month = Core.Dues.DuesMonth.Add(current, i), AmountFen = monthlyFen, OrganizationId = member.OrganizationId, OrganizationPath = member.Organization!.Path,
            });
        }
        await db.SaveChangesAsync();
    }

    /// <summary>Makes today the dues reminder day of the member's branch.</summary>
    public async Task RemindTodayAsync(Guid memberId)
    {
        var today = Core.Common.DistrictTime.Today(TimeProvider.System);
        await using var db = SystemDb();
        var branchId = await db.Members.Where(m => m.Id == memberId).Select(m => m.OrganizationId).SingleAsync();
        var settings = await db.BranchDuesSettings.FirstOrDefaultAsync(s => s.OrganizationId == branchId);
        if (settings is null)
        {
            db.BranchDuesSettings.Add(new Core.Dues.BranchDuesSettings { OrganizationId = branchId, ReminderDay = today.Day });
        }
        else
        {
            settings.ReminderDay = today.Day;
        }
        await db.SaveChangesAsync();
    }

    public HttpClient ClientWithToken(string token)
    {
        var client = new HttpClient { BaseAddress = new Uri(Url) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }


    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
        if (_ownsEmulator && Emulator is not null)
        {
            await Emulator.DisposeAsync();
        }
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
