using EBranch.Core.Data;
using Npgsql;

namespace EBranch.Tests.Hosting;

/// <summary>PostgreSQL connections prepare the product's repeated statements automatically, unless the operator says otherwise.</summary>
public sealed class ConnectionStringTests
{
    [Fact]
    public void AutoPreparation_IsOnByDefault_AndAnExplicitSettingWins()
    {
        var defaulted = new NpgsqlConnectionStringBuilder(EBranchDbFactory.WithAutoPrepare("Host=db;Username=u;Password=p;Database=ebranch"));
        Assert.Equal((128, 2), (defaulted.MaxAutoPrepare, defaulted.AutoPrepareMinUsages));
        Assert.Equal("p", defaulted.Password);

        var off = "Host=db;Username=u;Password=p;Database=ebranch;Max Auto Prepare=0";
        Assert.Equal(off, EBranchDbFactory.WithAutoPrepare(off));
    }
}
