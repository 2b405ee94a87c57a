using EBranch.Core.Common;
using EBranch.Core.Data;
using EBranch.Core.WeChat.MiniProgram;
using EBranch.Core.WeChatUsers;
using Microsoft.EntityFrameworkCore;

namespace EBranch.Core.Identity;

public sealed record LoginResult(string Token, DateTimeOffset ExpiresAt, bool IsMember, string? MemberName);

/// <summary>
/// wx.login code → jscode2session → the product's own session. Anyone with WeChat may log in: a villager
/// needs nothing more; a member is recognised once bound.
/// </summary>
public sealed class LoginService(
    MiniProgramClient miniProgram, EBranchDbFactory factory, SessionService sessions, DailyVisits visits, TimeProvider time)
{
    public async Task<LoginResult> LoginAsync(string code, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(code) || code.Length > 128)
        {
            throw new AppException(IdentityErrors.InvalidCode, "登录凭证无效，请重新进入小程序");
        }
        LoginSession wechat;
        try
        {
            wechat = await miniProgram.LoginAsync(code.Trim(), cancellationToken);
        }
        catch (WeChatLoginException ex)
        {
            throw ex.Error switch
            {
                LoginError.InvalidCode or LoginError.CodeAlreadyUsed => new AppException(IdentityErrors.InvalidCode, "登录凭证无效或已过期，请重新进入小程序"),
                LoginError.RateLimited => new AppException(ErrorCodes.RateLimited, "登录过于频繁，请稍后再试", ErrorKind.RateLimited),
                LoginError.HighRiskUser => new AppException(IdentityErrors.HighRisk, "微信账号存在风险，暂不能登录", ErrorKind.Forbidden),
                _ => new AppException(ErrorCodes.ServiceUnavailable, "微信服务繁忙，请稍后再试", ErrorKind.Unavailable),
            };
        }

        var user = await UpsertUserAsync(wechat.OpenId, wechat.UnionId, cancellationToken);
        var session = await sessions.IssueAsync(user.Id, cancellationToken);
        string? memberName = null;
        if (user.MemberId is { } memberId)
        {
            await using (var db = factory.CreateForSystem())
            {
                memberName = await db.Members.Where(m => m.Id == memberId).Select(m => m.Name).FirstAsync(cancellationToken);
            }
            await visits.RecordLoginAsync(user.Id, memberId, cancellationToken);
        }
        visits.Remember(user.Id, DistrictTime.Today(time));
        return new LoginResult(session.Token, session.ExpiresAt, user.MemberId is not null, memberName);
    }

    private async Task<WeChatUser> UpsertUserAsync(string openId, string? unionId, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            await using var db = factory.CreateForSystem();
            var user = await db.WeChatUsers.FirstOrDefaultAsync(u => u.OpenId == openId, cancellationToken);
            if (user is null)
            {
                user = new WeChatUser { OpenId = openId };
                db.WeChatUsers.Add(user);
            }
            user.UnionId = unionId ?? user.UnionId;
            user.LastLoginAt = time.GetUtcNow();
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return user;
            }
            catch (DbUpdateException) when (attempt == 0)
            {
                // Two first logins of the same user at once: the other one created the row; use it.
            }
        }
    }
}

public static class IdentityErrors
{
    public const string InvalidCode = "wechat_code_invalid";
    public const string HighRisk = "wechat_user_high_risk";
    public const string AlreadyBound = "already_bound";
    public const string BranchRequired = "binding_branch_required";
    public const string MemberRequired = "member_required";
    public const string PhoneCodeInvalid = "phone_code_invalid";
}
