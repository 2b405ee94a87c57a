using EBranch.Core.Common;
using EBranch.Core.Data;
using EBranch.Core.WeChat.MiniProgram;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EBranch.Core.Dues;

public sealed record ReminderRun(int Candidates, int Sent, int NoQuota, int Failed, int Unconfirmed = 0);

/// <summary>
/// On each branch's reminder day, members who have not paid this month and are bound to WeChat get a subscribe
/// message — at most one per month. Each is claimed in <c>dues_reminders_sent</c> before WeChat is called; the claim
/// is released when WeChat answered that it did not send (no quota, busy, an error: a later run that day tries again)
/// and kept when it sent or may have (the answer was lost: counted failed and unconfirmed, never resent, because a
/// duplicate costs the member another accepted subscription).
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
        int sent = 0, noQuota = 0, failed = 0, unconfirmed = 0;
        foreach (var member in due)
        {
            var claim = await ClaimAsync(member.MemberId, month, cancellationToken);
            if (claim is null)
            {
                continue; // another run has it
            }
            SubscribeSendResult result;
            try
            {
                result = await miniProgram.SendSubscribeMessageAsync(new SubscribeMessage(member.OpenId, template, new Dictionary<string, string>
                {
                    ["thing1"] = $"{DuesMonth.Label(month)}党费",
                    ["amount2"] = SubscribeValueRules.Amount(member.AmountFen),
                    ["thing3"] = "请在小程序“我的-交党费”中缴纳",
                }) { Page = "pages/dues/index" }, cancellationToken);
            }
            catch (WeChatUnavailableException ex) when (ex.OutcomeUnknown)
            {
                failed++;
                unconfirmed++;
                logger.LogWarning("Dues reminder to member {MemberId}: WeChat's answer was lost ({Detail}); kept as unconfirmed, not resent", member.MemberId, ex.Detail);
                await SettleAsync(claim, ReminderState.Unconfirmed, cancellationToken);
                continue;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                failed++;
                logger.LogWarning(ex, "Dues reminder failed");
                await SettleAsync(claim, null, cancellationToken);
                continue;
            }
            switch (result.Status)
            {
                case SubscribeSendStatus.Sent:
                    sent++;
                    await SettleAsync(claim, ReminderState.Sent, cancellationToken);
                    break;
                case SubscribeSendStatus.NoQuota:
                    noQuota++;
                    await SettleAsync(claim, null, cancellationToken);
                    break;
                default:
                    failed++;
                    await SettleAsync(claim, null, cancellationToken);
                    break;
            }
        }
        return new ReminderRun(due.Count, sent, noQuota, failed, unconfirmed);
    }

    /// <summary>The member's reminder of <paramref name="month"/>, claimed for this run; null when another run claimed it first.</summary>
    private async Task<DuesReminderSent?> ClaimAsync(Guid memberId, int month, CancellationToken cancellationToken)
    {
        await using var db = factory.CreateForSystem();
        var claim = new DuesReminderSent { MemberId = memberId, Month = month, State = ReminderState.Sending, SentAt = time.GetUtcNow() };
        db.DuesRemindersSent.Add(claim);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return claim;
        }
        catch (DbUpdateException)
        {
            return null;
        }
    }

    /// <summary>Records how the claimed reminder ended; null releases the claim (WeChat did not send it).</summary>
    private async Task SettleAsync(DuesReminderSent claim, ReminderState? state, CancellationToken cancellationToken)
    {
        await using var db = factory.CreateForSystem();
        // Not the caller's token: the outcome is recorded even when the run is being stopped.
        var query = db.DuesRemindersSent.Where(r => r.Id == claim.Id);
        if (state is { } final)
        {
            var now = time.GetUtcNow();
            await query.ExecuteUpdateAsync(s => s.SetProperty(r => r.State, final).SetProperty(r => r.SentAt, now), CancellationToken.None);
        }
        else
        {
            await query.ExecuteDeleteAsync(CancellationToken.None);
        }
    }
}
