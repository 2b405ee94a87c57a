using System.Text;
using EBranch.Core.Demo;
using EBranch.Core.Security;
using EBranch.Testing;
using EBranch.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace EBranch.Tests.Security;

[Collection(DistrictCollection.Name)]
public sealed class PiiAtRestTests(DistrictFixture district)
{
    /// <summary>Everything the database holds for members, as raw text, bypassing the product's code.</summary>
    private async Task<string> RawDumpAsync()
    {
        await using var db = district.SystemDb();
        if (TestEnvironment.UsesPostgres)
        {
            var rows = await db.Database.SqlQueryRaw<string>("SELECT m::text AS \"Value\" FROM members m").ToListAsync();
            var audit = await db.Database.SqlQueryRaw<string>("SELECT a::text AS \"Value\" FROM audit_entries a").ToListAsync();
            return string.Join('\n', rows.Concat(audit));
        }
        var file = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
        await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(FULL);");
        SqliteConnection.ClearAllPools();
        var bytes = await File.ReadAllBytesAsync(file);
        var wal = File.Exists(file + "-wal") ? await File.ReadAllBytesAsync(file + "-wal") : [];
        return Encoding.UTF8.GetString(bytes) + Encoding.UTF8.GetString(wal);
    }

    [Fact]
    public async Task IdNumbersAndPhones_AreNotReadableInTheRawDatabase()
    {
        var dump = await RawDumpAsync();
        Assert.Contains(DemoIdentities.Members[0].Name, dump); // the dump is real: names are stored in clear
        foreach (var demo in DemoIdentities.Members)
        {
            Assert.DoesNotContain(demo.IdNumber, dump);
            Assert.DoesNotContain(demo.IdNumber[..14], dump); // not even the region + birth date part
            Assert.DoesNotContain(demo.Phone, dump);
        }
    }

    [Fact]
    public void Protect_IsRandomized_AndRoundTrips()
    {
        var pii = new PiiProtector(Options.Create(new SecurityOptions { PiiKey = TestEnvironment.PiiKey }));
        var a = pii.Protect("330199196805121237");
        var b = pii.Protect("330199196805121237");
        Assert.NotEqual(a, b);
        Assert.Equal("330199196805121237", pii.Unprotect(a));
        Assert.Equal(pii.Digest("13800000001"), pii.Digest("13800000001"));
        Assert.NotEqual(pii.Digest("13800000001"), pii.Digest("13800000002"));
    }

    [Fact]
    public void Unprotect_RejectsATamperedValue()
    {
        var pii = new PiiProtector(Options.Create(new SecurityOptions { PiiKey = TestEnvironment.PiiKey }));
        var value = pii.Protect("13800000001").ToCharArray();
        value[^5] = value[^5] == 'A' ? 'B' : 'A';
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => pii.Unprotect(new string(value)));
    }

    [Theory]
    [InlineData("11010519491231002X", true)]
    [InlineData("110105194912310021", false)]
    [InlineData("11010519491331002X", false)]
    [InlineData("1101051949123100", false)]
    [InlineData("11010519491231002x", true)]
    public void ChineseId_ValidatesCheckDigitAndDate(string id, bool valid) => Assert.Equal(valid, ChineseId.IsValid(id));

    [Fact]
    public void Masks_ShowOnlyPrefixAndLastFour()
    {
        Assert.Equal("110105********002X", ChineseId.Mask("11010519491231002X"));
        Assert.Equal("138****0001", ChineseId.MaskPhone("13800000001"));
        Assert.Equal("13800000001", ChineseId.NormalizePhone("+86 138-0000-0001"));
    }
}
