using Npgsql;

namespace EBranch.Testing;

/// <summary>
/// Where integration tests find real services. CI (.ci/run) starts PostgreSQL and Redis and runs the suite
/// twice: once on the embedded defaults (SQLite, no Redis) and once with EBRANCH_TEST_POSTGRES and
/// EBRANCH_TEST_REDIS set. Each fixture gets its own fresh database.
/// </summary>
public static class TestEnvironment
{
    /// <summary>A fixed key for tests only (never used outside them).</summary>
    public const string PiiKey = "dGVzdC1vbmx5LXBpaS1rZXktMzItYnl0ZXMtbG9uZyE=";

    public static string? PostgresServer => Environment.GetEnvironmentVariable("EBRANCH_TEST_POSTGRES") is { Length: > 0 } s ? s : null;

    public static string? Redis => Environment.GetEnvironmentVariable("EBRANCH_TEST_REDIS") is { Length: > 0 } s ? s : null;

    public static bool UsesPostgres => PostgresServer is not null;

    /// <summary>
    /// The gateway's anonymous-endpoint limits for tests: suites log in many times from 127.0.0.1, so the production defaults
    /// (which stop a flood) are raised; the tests of the limit itself set their own. Applied first, so a test's overrides win.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string?> GenerousAnonymousLimits = new Dictionary<string, string?>
    {
        ["Gateway:AnonymousLimits:PerClient"] = "100000",
        ["Gateway:AnonymousLimits:Global"] = "100000",
    };

    /// <summary>
    /// Creates a database and returns the configuration a host needs to use it: empty, or with <paramref name="demo"/> a
    /// migrated copy of the demo district (scale 1) from a template loaded once per build (<see cref="DemoDatabaseTemplate"/>).
    /// </summary>
    public static async Task<Dictionary<string, string?>> CreateDatabaseAsync(string purpose, bool demo = false)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Security:PiiKey"] = PiiKey,
            ["Database:MigrateOnStart"] = "true",
        };
        if (demo)
        {
            await DemoDatabaseTemplate.CloneIntoAsync(settings, purpose);
        }
        else if (PostgresServer is { } server)
        {
            var name = $"ebranch_test_{purpose}_{Guid.NewGuid():N}"[..48].ToLowerInvariant();
            await using (var connection = new NpgsqlConnection(server))
            {
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
                await command.ExecuteNonQueryAsync();
            }
            settings["ConnectionStrings:Postgres"] = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
        }
        else
        {
            var folder = Path.Combine(Path.GetTempPath(), "ebranch-tests");
            Directory.CreateDirectory(folder);
            settings["ConnectionStrings:Sqlite"] = $"Data Source={Path.Combine(folder, $"{purpose}-{Guid.NewGuid():N}.db")}";
        }
        if (Redis is { } redis)
        {
            settings["ConnectionStrings:Redis"] = redis;
            // Test classes run in parallel on one Redis, each on a database of its own: keys and messages stay apart too.
            settings["Redis:KeyPrefix"] = $"t{Guid.NewGuid():N}"[..13] + ":";
        }
        return settings;
    }
}
