using EBranch.Core.Accounts;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EBranch.Core.Data;

/// <summary>
/// Opens contexts for a given caller. Options are built once; a context is cheap and short-lived. EF Core logs through the
/// host's logging (its categories are filtered in appsettings; parameter values are never logged).
/// </summary>
public sealed class EBranchDbFactory
{
    private readonly Func<Caller, EBranchDbContext> _create;

    public EBranchDbFactory(IOptions<DatabaseOptions> options, TimeProvider time, IEnumerable<IMemberChangeListener> listeners, ILoggerFactory? loggerFactory = null)
    {
        Options = options.Value;
        var notify = listeners.ToArray() is { Length: > 0 } all
            ? async changes => { foreach (var listener in all) await listener.MembersChangedAsync(changes); }
            : (Func<MemberChanges, ValueTask>?)null;
        if (Options.Provider == DatabaseProvider.Postgres)
        {
            var built = new DbContextOptionsBuilder<PostgresEBranchDbContext>()
                .UseNpgsql(WithAutoPrepare(Options.ConnectionString), npgsql => npgsql.EnableRetryOnFailure(3))
                .UseSnakeCaseNamingConvention()
                .UseLoggerFactoryWhenGiven(loggerFactory)
                .Options;
            _create = caller => new PostgresEBranchDbContext(built, caller, time) { MembersChanged = notify };
        }
        else
        {
            EnsureSqliteFolder(Options.ConnectionString);
            var built = new DbContextOptionsBuilder<SqliteEBranchDbContext>()
                .UseSqlite(Options.ConnectionString)
                .UseSnakeCaseNamingConvention()
                .UseLoggerFactoryWhenGiven(loggerFactory)
                .Options;
            _create = caller => new SqliteEBranchDbContext(built, caller, time) { MembersChanged = notify };
        }
    }

    public DatabaseOptions Options { get; }

    public EBranchDbContext Create(Caller caller) => _create(caller);

    public EBranchDbContext CreateForSystem() => _create(Caller.System);

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction under the provider's execution strategy (PostgreSQL retries
    /// transient failures). Each attempt gets a fresh context, so a retried attempt never re-adds the previous one's rows.
    /// </summary>
    public Task<T> InTransactionAsync<T>(Func<EBranchDbContext, CancellationToken, Task<T>> work, CancellationToken cancellationToken = default)
        => InTransactionAsync(Caller.System, work, cancellationToken);

    /// <summary>As above, with contexts opened for <paramref name="caller"/> (its scope filters, audit stamps and audit log).</summary>
    public async Task<T> InTransactionAsync<T>(Caller caller, Func<EBranchDbContext, CancellationToken, Task<T>> work, CancellationToken cancellationToken = default)
    {
        await using var probe = Create(caller);
        return await probe.Database.CreateExecutionStrategy().ExecuteAsync(async token =>
        {
            await using var db = Create(caller);
            await using var transaction = await db.Database.BeginTransactionAsync(token);
            var result = await work(db, token);
            await transaction.CommitAsync(token);
            return result;
        }, cancellationToken);
    }

    /// <summary>
    /// PostgreSQL connection strings get Npgsql's automatic preparation unless they say otherwise: the product repeats a
    /// small set of statements, and a prepared one skips parsing and planning on every use (kept per pooled connection).
    /// Behind a pooler in transaction mode (PgBouncer before 1.21) set <c>Max Auto Prepare=0</c>.
    /// </summary>
    public static string WithAutoPrepare(string connectionString)
    {
        if (connectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase))
        {
            return connectionString;
        }
        return new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = 128, AutoPrepareMinUsages = 2 }.ConnectionString;
    }

    private static void EnsureSqliteFolder(string connectionString)
    {
        var file = new SqliteConnectionStringBuilder(connectionString).DataSource;
        var folder = Path.GetDirectoryName(Path.GetFullPath(file));
        if (!string.IsNullOrEmpty(folder) && file != ":memory:")
        {
            Directory.CreateDirectory(folder);
        }
    }
}

/// <summary>
/// Told, after a save commits (or, inside an explicit transaction, after the statement ran), which members' own data
/// changed: profile, check-ins, points, activity records, honours. Caches of member views drop their entries here.
/// </summary>
public interface IMemberChangeListener
{
    /// <summary>Must not block: it runs inside the save (remote work goes to the background).</summary>
    ValueTask MembersChangedAsync(MemberChanges changes);
}

/// <summary>Members whose data a save changed; <paramref name="Profiles"/>: those whose member row itself changed.</summary>
public sealed record MemberChanges(IReadOnlyCollection<Guid> Members, IReadOnlyCollection<Guid> Profiles);

/// <summary>
/// The per-request (or per-circuit) way in: opens a context for whoever is calling. Services take this,
/// never a raw context, so every query they make is scoped.
/// </summary>
public sealed class ScopedDb(EBranchDbFactory factory, ICallerProvider callers)
{
    public async ValueTask<EBranchDbContext> OpenAsync(CancellationToken cancellationToken = default)
        => factory.Create(await callers.GetCallerAsync(cancellationToken));

    public ValueTask<Caller> CallerAsync(CancellationToken cancellationToken = default) => callers.GetCallerAsync(cancellationToken);
}

internal static class DbContextOptionsLogging
{
    public static DbContextOptionsBuilder<T> UseLoggerFactoryWhenGiven<T>(this DbContextOptionsBuilder<T> builder, ILoggerFactory? loggerFactory) where T : DbContext
        => loggerFactory is null ? builder : builder.UseLoggerFactory(loggerFactory);
}
