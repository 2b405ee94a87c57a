namespace EBranch.Core.Data;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary>
/// Chosen from configuration: <c>ConnectionStrings:Postgres</c> when set, otherwise the embedded SQLite file
/// <c>ConnectionStrings:Sqlite</c> (default <c>Data Source=ebranch.db</c>).
/// </summary>
public sealed class DatabaseOptions
{
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;
    public string ConnectionString { get; set; } = "Data Source=ebranch.db";

    /// <summary>Apply pending migrations when a host starts (<c>Database:MigrateOnStart</c>, default true).</summary>
    public bool MigrateOnStart { get; set; } = true;

    /// <summary>Load the demo district into an empty database on start (<c>Database:SeedDemo</c>).</summary>
    public bool SeedDemo { get; set; }

    /// <summary>Scale of the demo district (<c>Database:DemoScale</c>, 1 = the real district's size).</summary>
    public int DemoScale { get; set; } = 1;
}
