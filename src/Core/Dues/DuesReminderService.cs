using EBranch.Core.Common;
using EBranch.Core.Data;
using EBranch.Core.WeChat.MiniProgram;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EBranch.Core.Dues;

public sealed record ReminderRun(int Candidates, int Sent, int NoQuota, int Failed);

/// <summary>
/// On each branch's reminder day, members who have not paid this month and are bound to WeChat get a
/// subscribe message. WeChat allows one send per accepted subscription: a member without quota is counted,
/// not retried in that run. A reminder WeChat accepted is recorded (one per member and month), so a second run
/// sends it to nobody twice; one that failed is tried again by a later run.
/// </summary>
public sealed class DuesReminderService(EBranchDbFactory factory, MiniProgramClient miniProgram, IOptions<DuesOptions> options, TimeProvider time,
    ILogger<DuesReminderService> logger)
{
    public async Task<ReminderRun> SendDueRemindersAsync(CancellationToken cancellationToken = default)
    {
        var template = options.Value.ReminderTemplateId;
        if (string.IsNullOrEmpty(template))
        {
            return new ReminderRun(0, 0, 0, 0);
        }
        var today = DistrictTime.Today(time);
        var month = DuesMonth.Of(today);
        await using var db = factory.CreateForSystem();
        var customDays = await db.BranchDuesSettings.AsNoTracking().ToDictionaryAsync(s => s.OrganizationId, s => s.ReminderDay, cancellationToken);
        var candidates = await db.DuesBills.AsNoTracking()
            .Where(b => b.Month == month && b.Status == BillStatus.Unpaid && !db.DuesRemindersSent.Any(r => r.MemberId == b.MemberId && r.Month == month))
            .Join(db.WeChatUsers, b => b.MemberId, u => u.MemberId, (b, u) => new { b.MemberId, b.OrganizationId, b.AmountFen, u.OpenId })
            .ToListAsync(cancellationToken);
        var due = candidates.Where(c => customDays.GetValueOrDefault(c.OrganizationId, new BranchDuesSettings().ReminderDay) == today.Day).ToList();
        int sent = 0, noQuota = 0, failed = 0;
        foreach (var member in due)
        {
            try
            {
                var result = await miniProgram.SendSubscribeMessageAsync(new SubscribeMessage(member.OpenId, template, new Dictionary<string, string>
                {
                    ["thing1"] = $"{DuesMonth.Label(month)}党费",
                    ["amount2"] = SubscribeValueRules.Amount(member.AmountFen),
                    ["thing3"] = "请在小程序“我的-交党费”中缴纳",
                }) { Page = "pages/dues/index" }, cancellationToken);
                switch (result.Status)
                {
                    case SubscribeSendStatus.Sent:
                        sent++;
                        await RecordSentAsync(member.MemberId, month, cancellationToken);
                        break;
                    case SubscribeSendStatus.NoQuota: noQuota++; break;
                    default: failed++; break;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                failed++;
                logger.LogWarning(ex, "Dues reminder failed");
            }
        }
        return new ReminderRun(due.Count, sent, noQuota, failed);
    }

    private async Task RecordSentAsync(Guid memberId, int month, CancellationToken cancellationToken)
    {
        await using var db = factory.CreateForSystem();
        db.DuesRemindersSent.Add(new DuesReminderSent { MemberId = memberId, Month = month, SentAt = time.GetUtcNow() });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another run recorded it meanwhile.
        }
    }
}
