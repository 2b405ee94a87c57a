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
        // SQLite cannot order or compare DateTimeOffset; store the UTC instant as an integer so it can.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcInstantToBinaryConverter>();
    }
}

/// <summary>
/// A DateTimeOffset as a sortable integer for SQLite: the UTC instant, in the layout of EF's
/// <see cref="DateTimeOffsetToBinaryConverter"/> with a zero offset (so files written by it read the same). Any offset is
/// normalized on the way in: a query comparing with a +08:00 instant means what it means on PostgreSQL (EF's own
/// converter keeps local ticks and compares them raw).
/// </summary>
public sealed class UtcInstantToBinaryConverter() : ValueConverter<DateTimeOffset, long>(v => Encode(v), v => Decode(v))
{
    public static long Encode(DateTimeOffset value) => (value.UtcTicks / 1000) << 11;

    public static DateTimeOffset Decode(long value)
    {
        var offsetMinutes = (int)(value & 0x7FF);
        if (offsetMinutes > 1023)
        {
            offsetMinutes -= 2048; // 11-bit two's complement, as EF wrote non-UTC values
        }
        return new DateTimeOffset((value >> 11) * 1000, TimeSpan.FromMinutes(offsetMinutes)).ToUniversalTime();
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
