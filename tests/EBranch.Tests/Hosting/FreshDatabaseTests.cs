using EBranch.Core.Data;
using EBranch.Core.Hosting;
using EBranch.Testing;
using EBranch.Tests.Reliability;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EBranch.Tests.Hosting;

/// <summary>The first start on an empty database: migrated, reference data in, and not one error line in the log.</summary>
public sealed class FreshDatabaseTests
{
    [Fact]
    public async Task MigratingAnEmptyDatabase_LogsNoErrors_AndSeedsThePointsRules()
    {
        var settings = await TestEnvironment.CreateDatabaseAsync("fresh");
        await using var emulator = await EmulatorHost.StartAsync();
        foreach (var (key, value) in emulator.ProductSettings("http://127.0.0.1:9/pay/notify"))
        {
            settings[key] = value;
        }
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var logs = new CapturedLogs();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        services.AddSingleton<IConfiguration>(configuration);
        services.AddEBranchCore(configuration).AddEBranchDomain();
        await using var provider = services.BuildServiceProvider();

        await provider.GetRequiredService<DatabaseInitializer>().MigrateAsync();
        await provider.GetRequiredService<DatabaseInitializer>().MigrateAsync(); // a second start: nothing to do

        Assert.DoesNotContain(logs.Lines, l => l.Contains("] Error ", StringComparison.Ordinal) || l.Contains("] Critical ", StringComparison.Ordinal));
        Assert.Contains(logs.Lines, l => l.Contains("Applying", StringComparison.Ordinal));
        await using var db = provider.GetRequiredService<EBranchDbFactory>().CreateForSystem();
        Assert.True(await db.PointRules.AnyAsync(r => r.Action == EBranch.Core.Points.PointActions.Absence));
    }
}
