using EBranch.Core.Accounts;
using EBranch.Core.Data;
using EBranch.Core.Hosting;
using EBranch.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EBranch.Tests.Infrastructure;

/// <summary>
/// One migrated database holding the demo district (scale 1), shared by the tests of a collection.
/// Services are the real ones; <see cref="As"/> opens a DI scope acting as a given console user.
/// </summary>
public class DistrictFixture : IAsyncLifetime
{
    /// <summary>Whether the database gets the demo district (a <see cref="BareDatabaseFixture"/> does not).</summary>
    protected virtual bool LoadsDemo => true;

    public IServiceProvider Services { get; private set; } = null!;
    public IConfiguration Configuration { get; private set; } = null!;
    public EmulatorHost Emulator { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var settings = await TestEnvironment.CreateDatabaseAsync("core", demo: LoadsDemo);
        Emulator = await EmulatorHost.StartAsync();
        foreach (var (key, value) in Emulator.ProductSettings("http://127.0.0.1:9/pay/notify"))
        {
            settings[key] = value;
        }
        Configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        Services = BuildServices();
        var initializer = Services.GetRequiredService<DatabaseInitializer>();
        await initializer.MigrateAsync();
        if (LoadsDemo)
        {
            await initializer.SeedDemoIfEmptyAsync(1);
        }
    }

    public async Task DisposeAsync()
    {
        if (Services is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
        await Emulator.DisposeAsync();
    }

    /// <summary>The product's services on this database; pass a fake clock to test time rules.</summary>
    public ServiceProvider BuildServices(TimeProvider? time = null)
    {
        var services = new ServiceCollection();
        if (time is not null)
        {
            services.AddSingleton(time);
        }
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(Configuration);
        services.AddEBranchCore(Configuration);
        services.AddEBranchDomain();
        services.AddScoped<TestCaller>();
        services.AddScoped<ICallerProvider>(sp => sp.GetRequiredService<TestCaller>());
        return services.BuildServiceProvider();
    }

    public EBranchDbContext SystemDb() => Services.GetRequiredService<EBranchDbFactory>().CreateForSystem();

    /// <summary>A scope acting as the console user <paramref name="userName"/>, with the caller loaded exactly as the console loads it.</summary>
    public Task<AsyncServiceScope> As(string userName) => As(userName, Services);

    public async Task<AsyncServiceScope> As(string userName, IServiceProvider services)
    {
        Guid userId;
        await using (var db = SystemDb())
        {
            userId = await db.ConsoleUsers.Where(u => u.UserName == userName).Select(u => u.Id).SingleAsync();
        }
        var scope = services.CreateAsyncScope();
        var caller = await scope.ServiceProvider.GetRequiredService<ConsoleUserService>().LoadCallerAsync(userId)
            ?? throw new InvalidOperationException($"no caller for {userName}");
        scope.ServiceProvider.GetRequiredService<TestCaller>().Caller = caller;
        return scope;
    }

    /// <summary>Holds the caller for one DI scope, as a host's provider would for one request.</summary>
    public sealed class TestCaller : ICallerProvider
    {
        public Caller? Caller { get; set; }

        public ValueTask<Caller> GetCallerAsync(CancellationToken cancellationToken = default)
            => ValueTask.FromResult(Caller ?? throw new InvalidOperationException("caller not set"));
    }
}

/// <summary>A migrated database with only the reference data (points rules), for tests that look at every row of a table.</summary>
public sealed class BareDatabaseFixture : DistrictFixture
{
    protected override bool LoadsDemo => false;
}

[CollectionDefinition(Name)]
public sealed class DistrictCollection : ICollectionFixture<DistrictFixture>
{
    public const string Name = "district";
}
