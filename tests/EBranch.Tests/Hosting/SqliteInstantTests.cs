using EBranch.Core.Data;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace EBranch.Tests.Hosting;

/// <summary>SQLite stores instants as integers: one instant is one integer whatever its offset, and older files read the same.</summary>
public sealed class SqliteInstantTests
{
    [Fact]
    public void OneInstant_IsOneInteger_WhateverItsOffset_AndOrderIsKept()
    {
        var utc = new DateTimeOffset(2026, 11, 27, 16, 0, 0, TimeSpan.Zero);
        var shanghai = utc.ToOffset(TimeSpan.FromHours(8)); // 2026-11-28 00:00 +08:00
        Assert.Equal(UtcInstantToBinaryConverter.Encode(utc), UtcInstantToBinaryConverter.Encode(shanghai));
        Assert.True(UtcInstantToBinaryConverter.Encode(shanghai.AddTicks(-10_000)) < UtcInstantToBinaryConverter.Encode(utc));
        Assert.Equal(utc, UtcInstantToBinaryConverter.Decode(UtcInstantToBinaryConverter.Encode(shanghai)));
        Assert.Equal(TimeSpan.Zero, UtcInstantToBinaryConverter.Decode(UtcInstantToBinaryConverter.Encode(shanghai)).Offset);
    }

    [Fact]
    public void ValuesWrittenByEfsOwnConverter_ReadAsTheSameInstant()
    {
        var ef = new DateTimeOffsetToBinaryConverter();
        foreach (var value in new[]
        {
            new DateTimeOffset(2026, 11, 27, 16, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.FromHours(8)),
            new DateTimeOffset(2026, 11, 27, 11, 0, 0, TimeSpan.FromHours(-5)),
        })
        {
            var stored = (long)ef.ConvertToProvider(value)!;
            Assert.Equal(value.UtcDateTime, UtcInstantToBinaryConverter.Decode(stored).UtcDateTime);
        }
        var utc = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);
        Assert.Equal((long)ef.ConvertToProvider(utc)!, UtcInstantToBinaryConverter.Encode(utc));
    }
}
