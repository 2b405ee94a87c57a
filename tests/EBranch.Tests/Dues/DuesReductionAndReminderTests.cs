using System.Net.Http.Json;
using System.Text.Json;
using EBranch.Core.Common;
using EBranch.Core.Demo;
using EBranch.Core.Dues;
using EBranch.Tests.Gateway;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EBranch.Tests.Dues;

[Collection(GatewayCollection.Name)]
public sealed class DuesReductionAndReminderTests(GatewayFixture gateway)
{
    [Fact]
    public async Task HardshipReduction_NeedsTheHigherCommittee_ThenLowersTheBills()
    {
        var (client, memberId, _) = await gateway.NewPayingMemberAsync("孔困难", monthlyFen: 8100);
        var month = DuesMonth.Current(TimeProvider.System);
        var secretary = await gateway.AsConsoleUser<DuesStandardService>(DemoIdentities.BranchSecretary);

        var tooHigh = await Assert.ThrowsAsync<AppException>(() => secretary.RequestReductionAsync(memberId, 9000, month, "家庭困难"));
        Assert.Contains("reducedAmountFen", tooHigh.Errors!.Keys);
        var noReason = await Assert.ThrowsAsync<AppException>(() => secretary.RequestReductionAsync(memberId, 100, month, " "));
        Assert.Contains("reason", noReason.Errors!.Keys);

        var reductionId = await secretary.RequestReductionAsync(memberId, 100, month, "因病致贫，经支部党员大会讨论同意");
        var self = await Assert.ThrowsAsync<AppException>(() => secretary.DecideReductionAsync(reductionId, approve: true));
        Assert.Equal(ErrorCodes.Forbidden, self.Code);
        var township = await gateway.AsConsoleUser<DuesStandardService>(DemoIdentities.TownshipAdmin);
        await township.DecideReductionAsync(reductionId, approve: true);

        var overview = await (await client.GetAsync("/api/v1/dues")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(100, overview.GetProperty("monthlyFen").GetInt64());
        await using var db = gateway.SystemDb();
        Assert.Equal(100, (await db.DuesBills.SingleAsync(b => b.MemberId == memberId && b.Month == month)).AmountFen);
        Assert.Equal(8100, (await db.DuesBills.SingleAsync(b => b.MemberId == memberId && b.Month == DuesMonth.Add(month, -1))).AmountFen);
        var history = await township.HistoryAsync(memberId);
        Assert.Equal(100, history[0].ReducedAmountFen);
        Assert.Equal(8100, history[0].AmountFen);
    }

    [Fact]
    public async Task AReductionRequestedByTheDistrict_IsDecidedByAnotherDistrictUser_AndARequesterMayWithdraw()
    {
        var (_, memberId, _) = await gateway.NewPayingMemberAsync("区减免", monthlyFen: 8100);
        var month = DuesMonth.Current(TimeProvider.System);
        var district = await gateway.AsConsoleUser<DuesStandardService>(DemoIdentities.DistrictAdmin);
        var withdrawn = await district.RequestReductionAsync(memberId, 200, month, "填写有误，撤回");
        var colleagueName = await gateway.AddDistrictUserAsync();
        var colleague = await gateway.AsConsoleUser<DuesStandardService>(colleagueName);
        Assert.Equal(ErrorCodes.Forbidden, (await Assert.ThrowsAsync<AppException>(() => colleague.WithdrawReductionAsync(withdrawn))).Code);
        await district.WithdrawReductionAsync(withdrawn);
        Assert.Equal("reduction_not_pending", (await Assert.ThrowsAsync<AppException>(() => colleague.DecideReductionAsync(withdrawn, approve: true))).Code);

        var reductionId = await district.RequestReductionAsync(memberId, 100, month, "因灾致贫");
        var self = await Assert.ThrowsAsync<AppException>(() => district.DecideReductionAsync(reductionId, approve: true));
        Assert.Contains("申请人不能审批自己的", self.Message);
        var township = await gateway.AsConsoleUser<DuesStandardService>(DemoIdentities.TownshipAdmin);
        var lower = await Assert.ThrowsAsync<AppException>(() => township.DecideReductionAsync(reductionId, approve: true));
        Assert.Contains("区委组织部的其他管理员", lower.Message);
        Assert.False((await township.ReductionsAsync(null, 1, 100)).Items.Single(r => r.Id == reductionId).CanDecide);
        Assert.True((await district.ReductionsAsync(null, 1, 100)).Items.Single(r => r.Id == reductionId).CanWithdraw);
        Assert.True((await colleague.ReductionsAsync(null, 1, 100)).Items.Single(r => r.Id == reductionId).CanDecide);
        await colleague.DecideReductionAsync(reductionId, approve: true);

        await using var db = gateway.SystemDb();
        Assert.Equal(100, (await db.DuesBills.SingleAsync(b => b.MemberId == memberId && b.Month == month)).AmountFen);
        Assert.Equal(ReductionStatus.Withdrawn, (await db.DuesReductions.SingleAsync(r => r.Id == withdrawn)).Status);
    }

    [Fact]
    public async Task Reminders_GoToUnpaidBoundMembers_OnTheirBranchsDay_AndRespectTheQuota_OncePerMonth()
    {
        var (_, withQuota, withQuotaOpenId) = await gateway.NewPayingMemberAsync("曹提醒");
        var (_, withoutQuota, _) = await gateway.NewPayingMemberAsync("严无额度");
        await (await gateway.Emulator.Control.PostAsJsonAsync($"/_emulator/users/{withQuotaOpenId}/subscriptions",
            new { templateIds = new[] { GatewayFixture.ReminderTemplateId }, count = 2 })).Content.ReadAsStringAsync();
        await gateway.RemindTodayAsync(withQuota);
        await using (var db = gateway.SystemDb())
        {
            Assert.Equal(await db.Members.Where(m => m.Id == withQuota).Select(m => m.OrganizationId).SingleAsync(),
                await db.Members.Where(m => m.Id == withoutQuota).Select(m => m.OrganizationId).SingleAsync());
        }

        var reminders = gateway.Services.GetRequiredService<DuesReminderService>();
        var run = await reminders.SendDueRemindersAsync();
        Assert.True(run.Sent >= 1);
        Assert.True(run.NoQuota >= 1);
        // The job runs again the same day (a restart, a manual run): the member still has quota, but gets no second reminder.
        await reminders.SendDueRemindersAsync();
        var log = await gateway.Emulator.Control.GetFromJsonAsync<JsonElement>("/_emulator/log");
        var sent = log.GetProperty("subscribe_messages").EnumerateArray().Where(m => m.GetProperty("touser").GetString() == withQuotaOpenId).ToList();
        var message = Assert.Single(sent);
        Assert.Equal(GatewayFixture.ReminderTemplateId, message.GetProperty("template_id").GetString());
    }
}
