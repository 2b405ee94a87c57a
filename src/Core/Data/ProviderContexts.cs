using EBranch.Core.Accounts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace EBranch.Core.Data;

/// <summary>The embedded default (one machine). Carries the SQLite migrations.</summary>
public sealed class SqliteEBranchDbContext(DbContextOptions<SqliteEBranchDbContext> options, Caller caller, TimeProvider time)
    : EBranchDbContext(options, caller, time)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite cannot order or compare DateTimeOffset; store UTC ticks so it can.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }
}

/// <summary>Production (several stateless instances). Carries the PostgreSQL migrations.</summary>
public sealed class PostgresEBranchDbContext(DbContextOptions<PostgresEBranchDbContext> options, Caller caller, TimeProvider time)
    : EBranchDbContext(options, caller, time)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        // Prefix (LIKE 'x%') searches on paths use these indexes whatever the database collation.
        modelBuilder.Entity<Organizations.Organization>().HasIndex(o => o.Path).IsUnique().HasOperators("text_pattern_ops");
        modelBuilder.Entity<Auditing.AuditEntry>().HasIndex(a => a.OrganizationPath).HasOperators("text_pattern_ops");
        modelBuilder.Entity<Activities.ActivityRecord>().HasIndex(a => new { a.OrganizationPath, a.OccurredAt }).HasOperators("text_pattern_ops", "timestamptz_ops");
        modelBuilder.Entity<Points.PointEntry>().HasIndex(p => new { p.OrganizationPath, p.OccurredAt }).HasOperators("text_pattern_ops", "timestamptz_ops");
    }
}
