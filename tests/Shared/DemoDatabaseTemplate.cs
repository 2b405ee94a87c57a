using System.Security.Cryptography;
using EBranch.Core.Data;
using EBranch.Core.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace EBranch.Testing;

/// <summary>
/// The demo district is migrated and loaded once per build of Core (per engine), into a template: a SQLite file, or a
/// PostgreSQL database cloned with <c>CREATE DATABASE … TEMPLATE</c>. Each fixture then gets its own copy in well under a
/// second instead of loading the district again. The template's name carries a hash of Core's assembly, so a changed model
/// or generator never reuses an old one; it is created under a temporary name and renamed, so a run that dies half-way leaves
/// nothing another run would take for complete.
/// </summary>
internal static class DemoDatabaseTemplate
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _ready;

    /// <summary>Fills <paramref name="settings"/> (fresh from <see cref="TestEnvironment"/>) with a copy of the demo district.</summary>
    public static async Task CloneIntoAsync(Dictionary<string, string?> settings, string purpose)
    {
        var template = await EnsureAsync();
        if (TestEnvironment.PostgresServer is { } server)
        {
            var name = $"ebranch_test_{purpose}_{Guid.NewGuid():N}"[..48].ToLowerInvariant();
            await ExecuteAsync(server, $"CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"");
            settings["ConnectionStrings:Postgres"] = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
        }
        else
        {
            var file = Path.Combine(Folder, $"{purpose}-{Guid.NewGuid():N}.db");
            File.Copy(template, file);
            settings["ConnectionStrings:Sqlite"] = $"Data Source={file}";
        }
    }

    private static string Folder => Path.Combine(Path.GetTempPath(), "ebranch-tests");

    private static async Task<string> EnsureAsync()
    {
        if (_ready is { } ready)
        {
            return ready;
        }
        await Gate.WaitAsync();
        try
        {
            return _ready ??= TestEnvironment.PostgresServer is { } server ? await PostgresTemplateAsync(server) : await SqliteTemplateAsync();
        }
        finally
        {
            Gate.Release();
        }
    }

    private static string BuildHash()
    {
        using var stream = File.OpenRead(typeof(EBranchDbContext).Assembly.Location);
        return Convert.ToHexStringLower(SHA256.HashData(stream))[..16];
    }

    private static async Task<string> SqliteTemplateAsync()
    {
        Directory.CreateDirectory(Folder);
        var template = Path.Combine(Folder, $"demo-template-{BuildHash()}.db");
        if (File.Exists(template))
        {
            return template;
        }
        var building = Path.Combine(Folder, $"demo-template-{Guid.NewGuid():N}.building.db");
        await LoadDemoAsync(new() { ["ConnectionStrings:Sqlite"] = $"Data Source={building};Pooling=False" });
        SqliteConnection.ClearAllPools();
        try
        {
            File.Move(building, template);
        }
        catch (IOException) when (File.Exists(template))
        {
            File.Delete(building); // another test run built the same template meanwhile
        }
        return template;
    }

    private static async Task<string> PostgresTemplateAsync(string server)
    {
        var template = $"ebranch_tpl_{BuildHash()}";
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
            exists.Parameters.AddWithValue("name", template);
            if (await exists.ExecuteScalarAsync() is not null)
            {
                return template;
            }
        }
        var building = $"ebranch_tplb_{Guid.NewGuid():N}"[..40];
        await ExecuteAsync(server, $"CREATE DATABASE \"{building}\"");
        await LoadDemoAsync(new() { ["ConnectionStrings:Postgres"] = new NpgsqlConnectionStringBuilder(server) { Database = building, Pooling = false }.ConnectionString });
        NpgsqlConnection.ClearAllPools();
        try
        {
            await ExecuteAsync(server, $"ALTER DATABASE \"{building}\" RENAME TO \"{template}\"");
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
            await ExecuteAsync(server, $"DROP DATABASE \"{building}\"");
        }
        return template;
    }

    private static async Task LoadDemoAsync(Dictionary<string, string?> database)
    {
        database["Security:PiiKey"] = TestEnvironment.PiiKey;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(database).Build();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<IConfiguration>(configuration);
        services.AddEBranchCore(configuration);
        services.AddEBranchDomain();
        await using var provider = services.BuildServiceProvider();
        var initializer = provider.GetRequiredService<DatabaseInitializer>();
        await initializer.MigrateAsync();
        await initializer.SeedDemoIfEmptyAsync(1);
    }

    private static async Task ExecuteAsync(string server, string sql)
    {
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
