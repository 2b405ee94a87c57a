using EBranch.Core.Demo;
using EBranch.Core.Points;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EBranch.Core.Data;

/// <summary>
/// Applies migrations (EF takes a database-level lock, so several instances may start at once) and,
/// when asked, loads the demo district into an empty database.
/// </summary>
public sealed class DatabaseInitializer(EBranchDbFactory factory, IServiceProvider services, ILogger<DatabaseInitializer> logger)
{
    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var db = factory.CreateForSystem();
        if (factory.Options.Provider == DatabaseProvider.Sqlite)
        {
            // Two local processes share the file: write-ahead logging lets readers and a writer work together.
            await db.Database.OpenConnectionAsync(cancellationToken);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
        // A fresh database has no history table, and EF's first look at it is a query that fails there (logged as an error
        // line on every first start). Created first with "IF NOT EXISTS" (several instances may start at once).
        var history = db.GetService<Microsoft.EntityFrameworkCore.Migrations.IHistoryRepository>();
        try
        {
            await db.Database.ExecuteSqlRawAsync(history.GetCreateIfNotExistsScript(), cancellationToken);
        }
        catch (System.Data.Common.DbException ex)
        {
            // Another instance created it at the same moment (PostgreSQL's IF NOT EXISTS is not race-free).
            logger.LogInformation("Migrations history table created by another instance ({Message})", ex.Message);
        }
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        if (pending.Count > 0)
        {
            logger.LogInformation("Applying {Count} migration(s) on {Provider}: {Migrations}", pending.Count, factory.Options.Provider, string.Join(", ", pending));
            await db.Database.MigrateAsync(cancellationToken);
        }
        await EnsureReferenceDataAsync(cancellationToken);
    }

    /// <summary>
    /// Data every installation starts with: the published points rules. An action the database has never had a rule for
    /// (one added by a later release) gets its default; rules the district edited or switched off are left alone. Safe
    /// when several instances start at once (one rule per action and start time).
    /// </summary>
    private async Task EnsureReferenceDataAsync(CancellationToken cancellationToken)
    {
        await using var db = factory.CreateForSystem();
        var known = (await db.PointRules.Select(r => r.Action).Distinct().ToListAsync(cancellationToken)).ToHashSet();
        var missing = PointRuleDefaults.Create(DateTimeOffset.UnixEpoch).Where(r => !known.Contains(r.Action)).ToList();
        if (missing.Count == 0)
        {
            return;
        }
        db.PointRules.AddRange(missing);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            logger.LogInformation("Points rules were seeded by another instance");
        }
    }

    /// <summary>Loads the demo district unless the database already holds organizations. Returns true when it loaded.</summary>
    public async Task<bool> SeedDemoIfEmptyAsync(int scale, CancellationToken cancellationToken = default)
    {
        await using (var db = factory.CreateForSystem())
        {
            if (await db.Organizations.AnyAsync(cancellationToken))
            {
                return false;
            }
        }
        var generator = ActivatorUtilities.CreateInstance<DemoDistrictGenerator>(services);
        var summary = await generator.LoadAsync(scale, cancellationToken);
        logger.LogInformation("Demo district loaded: {Summary}", summary);
        return true;
    }

    /// <summary>What a host does on start: migrate (if configured) and seed the demo (if configured).</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        if (factory.Options.MigrateOnStart)
        {
            await MigrateAsync(cancellationToken);
        }
        if (factory.Options.SeedDemo)
        {
            await SeedDemoIfEmptyAsync(factory.Options.DemoScale, cancellationToken);
        }
    }
}
