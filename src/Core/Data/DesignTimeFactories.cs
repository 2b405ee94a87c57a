using EBranch.Core.Accounts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace EBranch.Core.Data;

// Used only by `dotnet ef migrations add` (see docs/ARCHITECTURE.md).
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteEBranchDbContext>
{
    public SqliteEBranchDbContext CreateDbContext(string[] args) => new(
        new DbContextOptionsBuilder<SqliteEBranchDbContext>().UseSqlite("Data Source=design.db").UseSnakeCaseNamingConvention().Options,
        Caller.System, TimeProvider.System);
}

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresEBranchDbContext>
{
    public PostgresEBranchDbContext CreateDbContext(string[] args) => new(
        new DbContextOptionsBuilder<PostgresEBranchDbContext>().UseNpgsql("Host=localhost;Database=design").UseSnakeCaseNamingConvention().Options,
        Caller.System, TimeProvider.System);
}
