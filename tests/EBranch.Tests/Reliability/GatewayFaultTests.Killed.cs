using System.Net.Http.Json;
using System.Text.Json;
using EBranch.Core.Dues;
using EBranch.Core.Points;
using EBranch.Tests.Gateway;
using EBranch.Testing;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Xunit.Abstractions;

namespace EBranch.Tests.Reliability;

/// <summary>
/// The gateway as its own OS process, killed with SIGKILL while it handles WeChat Pay notifications, then started
/// again on the same port; the emulator redelivers (WeChat retries anything but a 2xx). Each order must end paid
/// exactly once: its bills paid by it, one activity record, one points entry, nothing half-written. The in-process
/// gateway logs members in and creates the orders (their notify_url is the process); only the process receives
/// notifications.
/// </summary>
public sealed partial class GatewayFaultTests
{
    [ReliabilityFact]
    public async Task KilledInsideThePaymentTransaction_RedeliveryPaysOnce()
    {
        var (memberId, outTradeNo) = await NewOrderAsync("断电甲");
        // Hold the order's row: the handler blocks in its transaction, on the compare-and-set, until the process is killed.
        await PayAndKillWhileHeldAsync(outTradeNo, $"SELECT 1 FROM pay_orders WHERE out_trade_no = '{outTradeNo}' FOR UPDATE", "pay_orders");
        await AssertWaitingAsync(outTradeNo);
        await RestartAsync();

        await AssertPaidOnceAsync(memberId, outTradeNo);
    }

    [ReliabilityFact]
    public async Task KilledBetweenThePaymentAndItsPoints_RedeliveryCreditsThemOnce()
    {
        var (memberId, outTradeNo) = await NewOrderAsync("断电乙");
        // Writes to the points ledger wait: the payment commits, then the handler blocks before its points.
        await PayAndKillWhileHeldAsync(outTradeNo, "LOCK TABLE point_entries IN SHARE MODE", "point_entries");
        await using (var db = Gateway.SystemDb())
        {
            var order = await db.PayOrders.AsNoTracking().SingleAsync(o => o.OutTradeNo == outTradeNo);
            Assert.Equal(PayOrderStatus.Paid, order.Status);
            Assert.False(order.PointsCredited);
        }
        await RestartAsync();

        await AssertPaidOnceAsync(memberId, outTradeNo);
    }

    [ReliabilityFact]
    public async Task KilledAtARandomMoment_DuringABurstOfNotifications_EveryOrderIsPaidOnce()
    {
        var orders = new List<(Guid MemberId, string OutTradeNo)>();
        for (var i = 0; i < 8; i++)
        {
            orders.Add(await NewOrderAsync($"断电丙{i}"));
        }
        var seed = Environment.TickCount;
        var delay = new Random(seed).Next(0, 250);
        _output.WriteLine($"seed {seed}: killed {delay} ms into the burst");
        var payments = orders.Select(o => PayAtWeChatAsync(o.OutTradeNo)).ToList();
        await Task.Delay(delay);
        await _setup.Process.KillAsync();
        await Task.WhenAll(payments);
        await RestartAsync();

        foreach (var (memberId, outTradeNo) in orders)
        {
            await AssertPaidOnceAsync(memberId, outTradeNo);
        }
    }

    private async Task RestartAsync()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await _setup.Process.StartAgainAsync();
        _output.WriteLine($"restarted in {clock.ElapsedMilliseconds} ms");
    }

    private async Task<(Guid MemberId, string OutTradeNo)> NewOrderAsync(string name)
    {
        var (payer, memberId, _) = await Gateway.NewPayingMemberAsync(name);
        var current = DuesMonth.Current(TimeProvider.System);
        var response = await payer.PostAsJsonAsync("/api/v1/dues/orders", new { months = new[] { DuesMonth.Add(current, -2), DuesMonth.Add(current, -1), current }, extraFen = 0 });
        response.EnsureSuccessStatusCode();
        return (memberId, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outTradeNo").GetString()!);
    }

    private async Task PayAtWeChatAsync(string outTradeNo)
        => (await Emulator.Control.PostAsJsonAsync($"/_emulator/orders/{outTradeNo}/pay", new { outcome = "success" })).EnsureSuccessStatusCode();

    /// <summary>
    /// Takes a lock in a transaction of the test's own (<paramref name="lockSql"/>), pays the order at WeChat, waits until
    /// the process's handler waits for that lock on <paramref name="table"/>, kills the process, then rolls back.
    /// </summary>
    private async Task PayAndKillWhileHeldAsync(string outTradeNo, string lockSql, string table)
    {
        await using var blocker = new NpgsqlConnection(_setup.ConnectionString);
        await blocker.OpenAsync();
        await using (var begin = new NpgsqlCommand("BEGIN; " + lockSql, blocker))
        {
            await begin.ExecuteNonQueryAsync();
        }
        await PayAtWeChatAsync(outTradeNo);
        await WaitForBlockedHandlerAsync(table);
        await _setup.Process.KillAsync();
    }

    private async Task WaitForBlockedHandlerAsync(string table)
    {
        await using var connection = new NpgsqlConnection(_setup.ConnectionString);
        await connection.OpenAsync();
        await Eventually.WaitUntilAsync(async () =>
        {
            await using var command = new NpgsqlCommand(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE @table", connection);
            command.Parameters.AddWithValue("table", $"%{table}%");
            return (long)(await command.ExecuteScalarAsync())! > 0;
        }, $"the notification handler to block on {table}", TimeSpan.FromSeconds(20));
    }

    private async Task AssertWaitingAsync(string outTradeNo)
    {
        await using var db = Gateway.SystemDb();
        var order = await db.PayOrders.AsNoTracking().Include(o => o.Items).SingleAsync(o => o.OutTradeNo == outTradeNo);
        Assert.Equal(PayOrderStatus.Waiting, order.Status);
        var billIds = order.Items.Select(i => i.BillId).ToList();
        Assert.Equal(0, await db.DuesBills.CountAsync(b => billIds.Contains(b.Id) && b.Status != BillStatus.Unpaid));
        Assert.Equal(0, await db.ActivityRecords.CountAsync(a => a.Type == "dues.paid" && a.SubjectId == outTradeNo));
    }

    private async Task AssertPaidOnceAsync(Guid memberId, string outTradeNo)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var acknowledged = false;
        await Eventually.WaitUntilAsync(async () =>
        {
            var log = await Emulator.Control.GetFromJsonAsync<JsonElement>("/_emulator/log");
            acknowledged = log.GetProperty("notifications").EnumerateArray()
                .Any(n => n.GetProperty("reference").GetString() == outTradeNo && n.GetProperty("acknowledged").GetBoolean());
            await using var db = Gateway.SystemDb();
            return acknowledged && await db.PayOrders.AnyAsync(o => o.OutTradeNo == outTradeNo && o.PointsCredited);
        }, $"{outTradeNo} to be redelivered and completed\n{_setup.Process.Output}", TimeSpan.FromSeconds(60));

        _output.WriteLine($"{outTradeNo} redelivered and completed {clock.ElapsedMilliseconds} ms after the restart");
        await using var read = Gateway.SystemDb();
        var order = await read.PayOrders.AsNoTracking().Include(o => o.Items).SingleAsync(o => o.OutTradeNo == outTradeNo);
        Assert.Equal(PayOrderStatus.Paid, order.Status);
        Assert.False(string.IsNullOrEmpty(order.TransactionId));
        var billIds = order.Items.Select(i => i.BillId).ToList();
        Assert.Equal(3, billIds.Count);
        Assert.Equal(3, await read.DuesBills.CountAsync(b => billIds.Contains(b.Id) && b.Status == BillStatus.Paid && b.PaidByOrderId == order.Id));
        Assert.Equal(3, await read.DuesBills.CountAsync(b => b.MemberId == memberId && b.Status == BillStatus.Paid));
        Assert.Equal(1, await read.ActivityRecords.CountAsync(a => a.Type == "dues.paid" && a.SubjectId == outTradeNo));
        Assert.Equal(1, await read.PointEntries.CountAsync(e => e.MemberId == memberId && e.Action == PointActions.DuesPayment));
        Assert.Equal(1, await read.PointEntries.CountAsync(e => e.SourceKey == "dues:" + outTradeNo));
        Assert.Equal(0, await read.DuesIssues.CountAsync(i => i.OutTradeNo == outTradeNo));
    }
}
