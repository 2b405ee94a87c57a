using EBranch.Core.Accounts;
using EBranch.Core.Activities;
using EBranch.Core.Common;
using EBranch.Core.Data;
using EBranch.Core.Infrastructure;
using EBranch.Core.Organizations;
using EBranch.Core.Security;
using EBranch.Core.WeChat.MiniProgram;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EBranch.Core.Identity;

public enum BindingOutcome
{
    Bound = 1,
    PendingReview = 2,
}

public sealed record BindingResult(BindingOutcome Outcome, Guid RequestId, string Message, string? MemberName);

public sealed record BindingStatusView(Guid RequestId, BindingStatus Status, BindingMethod Method, string ClaimedName, string? OrganizationName,
    string? ReviewReason, DateTimeOffset SubmittedAt, DateTimeOffset? ReviewedAt);

public sealed record BindingQueueItem(Guid Id, string ClaimedName, BindingMethod Method, string? ClaimedIdNumberMasked, string? ClaimedPhoneMasked,
    Guid? MemberId, string? MemberName, Guid? OrganizationId, string? OrganizationName, BindingStatus Status, DateTimeOffset SubmittedAt,
    string? ReviewReason, string? ReviewedBy);

/// <summary>
/// 实名认证. A WeChat user claims a roster record by name + ID number, or by name + the phone number WeChat
/// vouches for. An exact match binds at once; a partial or missing match goes to the branch's review queue.
/// One member ↔ one WeChat user (a unique index backs it). Attempts are rate-limited per user so the roster
/// cannot be probed.
/// </summary>
public sealed class BindingService(
    EBranchDbFactory factory, ScopedDb scopedDb, PiiProtector pii, IRateLimitCounter rateLimits, SessionService sessions,
    ActivityRecorder activities, MiniProgramClient miniProgram, IOptions<IdentityOptions> options, TimeProvider time,
    ILogger<BindingService> logger)
{
    public async Task<BindingResult> BindByIdNumberAsync(Guid weChatUserId, string name, string idNumber, Guid? organizationId, CancellationToken cancellationToken = default)
    {
        await ThrottleAsync(weChatUserId, cancellationToken);
        var cleanName = CleanName(name);
        var id = ChineseId.Normalize(idNumber ?? "");
        if (!ChineseId.IsValid(id))
        {
            throw AppException.Validation(new Dictionary<string, string[]> { ["idNumber"] = ["身份证号格式或校验位不正确"] });
        }
        var digest = pii.Digest(id);
        return await ClaimAsync(weChatUserId, cleanName, BindingMethod.IdNumber, m => m.IdNumberDigest == digest,
            pii.Protect(id), null, organizationId, cancellationToken);
    }

    public async Task<BindingResult> BindByPhoneAsync(Guid weChatUserId, string name, string phoneCode, Guid? organizationId, CancellationToken cancellationToken = default)
    {
        await ThrottleAsync(weChatUserId, cancellationToken);
        var cleanName = CleanName(name);
        if (string.IsNullOrWhiteSpace(phoneCode) || phoneCode.Length > 128)
        {
            throw new AppException(IdentityErrors.PhoneCodeInvalid, "手机号授权无效，请重新授权");
        }
        PhoneInfo phone;
        try
        {
            phone = await miniProgram.GetPhoneNumberAsync(phoneCode, cancellationToken);
        }
        catch (WeChatApiException)
        {
            throw new AppException(IdentityErrors.PhoneCodeInvalid, "手机号授权无效或已过期，请重新授权");
        }
        catch (WeChatUnavailableException)
        {
            // WeChat's trouble, not the user's: the attempt does not count against their hourly limit.
            await rateLimits.RefundAsync(AttemptsKey(weChatUserId), AttemptsWindow, CancellationToken.None);
            throw;
        }
        var number = ChineseId.NormalizePhone(phone.PurePhoneNumber);
        var digest = pii.Digest(number);
        return await ClaimAsync(weChatUserId, cleanName, BindingMethod.Phone, m => m.PhoneDigest == digest,
            null, pii.Protect(number), organizationId, cancellationToken);
    }

    public async Task<BindingStatusView?> GetStatusAsync(Guid weChatUserId, CancellationToken cancellationToken = default)
    {
        await using var db = factory.CreateForSystem();
        return await db.BindingRequests.AsNoTracking()
            .Where(b => b.WeChatUserId == weChatUserId)
            .OrderByDescending(b => b.CreatedAt).ThenByDescending(b => b.Id)
            .Select(b => new BindingStatusView(b.Id, b.Status, b.Method, b.ClaimedName, b.Organization!.Name, b.ReviewReason, b.CreatedAt, b.ReviewedAt))
            .FirstOrDefaultAsync(cancellationToken);
    }

    // ---- console: the branch's review queue (scoped by the caller's subtree) ----

    public async Task<PagedResult<BindingQueueItem>> QueueAsync(BindingStatus? status, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        await using var db = await scopedDb.OpenAsync(cancellationToken);
        db.Caller.Demand(Permission.ManageMembers);
        (page, pageSize) = Paging.Normalize(page, pageSize);
        var query = db.BindingRequests.AsNoTracking();
        if (status is { } s)
        {
            query = query.Where(b => b.Status == s);
        }
        var total = await query.CountAsync(cancellationToken);
        var rows = await query.OrderByDescending(b => b.CreatedAt).ThenBy(b => b.Id).Skip((page - 1) * pageSize).Take(pageSize)
            .Select(b => new
            {
                b.Id, b.ClaimedName, b.Method, b.ClaimedIdNumberCipher, b.ClaimedPhoneCipher, b.MemberId, MemberName = b.Member!.Name,
                b.OrganizationId, OrganizationName = b.Organization!.Name, b.Status, b.CreatedAt, b.ReviewReason, b.ReviewedBy,
            })
            .ToListAsync(cancellationToken);
        return new PagedResult<BindingQueueItem>(rows.Select(b => new BindingQueueItem(
            b.Id, b.ClaimedName, b.Method,
            b.ClaimedIdNumberCipher is null ? null : ChineseId.Mask(pii.Unprotect(b.ClaimedIdNumberCipher)),
            b.ClaimedPhoneCipher is null ? null : ChineseId.MaskPhone(pii.Unprotect(b.ClaimedPhoneCipher)),
            b.MemberId, b.MemberName, b.OrganizationId, b.OrganizationName, b.Status, b.CreatedAt, b.ReviewReason, b.ReviewedBy)).ToList(),
            total, page, pageSize);
    }

    /// <summary>Approves a pending request, binding the WeChat user to <paramref name="memberId"/> (default: the claimed record).</summary>
    public async Task ApproveAsync(Guid requestId, Guid? memberId, CancellationToken cancellationToken = default)
    {
        await using var db = await scopedDb.OpenAsync(cancellationToken);
        db.Caller.Demand(Permission.ManageMembers);
        var request = await db.BindingRequests.Include(b => b.WeChatUser).FirstOrDefaultAsync(b => b.Id == requestId, cancellationToken)
            ?? throw AppException.NotFound("认证申请");
        if (request.Status != BindingStatus.Pending)
        {
            throw AppException.Conflict("binding_not_pending", "该申请已处理");
        }
        var targetId = memberId ?? request.MemberId ?? throw AppException.Validation(new Dictionary<string, string[]> { ["memberId"] = ["请选择要绑定的党员"] });
        // Through the scoped context: the member must be inside the reviewer's subtree.
        var member = await db.Members.Include(m => m.Organization).FirstOrDefaultAsync(m => m.Id == targetId, cancellationToken)
            ?? throw AppException.NotFound("党员");
        await EnsureMemberFreeAsync(db, member.Id, request.WeChatUserId, cancellationToken);
        request.WeChatUser!.MemberId = member.Id;
        request.MemberId = member.Id;
        request.OrganizationId ??= member.OrganizationId;
        Decide(request, BindingStatus.Approved, null, db.Caller.Name);
        activities.Record(db, ActivityTypes.Bound, member.Id, member.OrganizationId, member.Organization!.Path, nameof(BindingRequest), request.Id.ToString(),
            new { method = request.Method.ToString(), reviewedBy = db.Caller.Name }, request.WeChatUserId);
        await SaveBindingAsync(db, cancellationToken);
        await sessions.RefreshAsync(request.WeChatUserId, cancellationToken);
        await NotifyAsync(request.WeChatUser.OpenId, "实名认证已通过", "已绑定党员身份", cancellationToken);
    }

    public async Task RejectAsync(Guid requestId, string reason, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(reason) || reason.Trim().Length > 200)
        {
            throw AppException.Validation(new Dictionary<string, string[]> { ["reason"] = ["请填写不通过的原因（不超过200字）"] });
        }
        await using var db = await scopedDb.OpenAsync(cancellationToken);
        db.Caller.Demand(Permission.ManageMembers);
        var request = await db.BindingRequests.Include(b => b.WeChatUser).Include(b => b.Organization)
            .FirstOrDefaultAsync(b => b.Id == requestId, cancellationToken) ?? throw AppException.NotFound("认证申请");
        if (request.Status != BindingStatus.Pending)
        {
            throw AppException.Conflict("binding_not_pending", "该申请已处理");
        }
        Decide(request, BindingStatus.Rejected, reason.Trim(), db.Caller.Name);
        activities.Record(db, ActivityTypes.BindingRejected, null, request.OrganizationId, request.Organization?.Path ?? "/", nameof(BindingRequest), request.Id.ToString(),
            new { reason = request.ReviewReason }, request.WeChatUserId);
        await db.SaveChangesAsync(cancellationToken);
        await NotifyAsync(request.WeChatUser!.OpenId, "实名认证未通过", request.ReviewReason!, cancellationToken);
    }

    /// <summary>The branch unbinds a member from their WeChat user; that user's sessions end at once.</summary>
    public async Task UnbindAsync(Guid memberId, CancellationToken cancellationToken = default)
    {
        await using var db = await scopedDb.OpenAsync(cancellationToken);
        db.Caller.Demand(Permission.ManageMembers);
        var member = await db.Members.Include(m => m.Organization).FirstOrDefaultAsync(m => m.Id == memberId, cancellationToken)
            ?? throw AppException.NotFound("党员");
        var user = await db.WeChatUsers.FirstOrDefaultAsync(u => u.MemberId == member.Id, cancellationToken)
            ?? throw AppException.Conflict("not_bound", "该党员尚未绑定微信");
        user.MemberId = null;
        activities.Record(db, ActivityTypes.Unbound, member.Id, member.OrganizationId, member.Organization!.Path, nameof(Members.Member), member.Id.ToString(),
            new { by = db.Caller.Name }, user.Id);
        await db.SaveChangesAsync(cancellationToken);
        await sessions.RevokeAllAsync(user.Id, cancellationToken);
    }

    /// <summary>Whether the member is bound to a WeChat user (for the console's member page).</summary>
    public async Task<bool> IsBoundAsync(Guid memberId, CancellationToken cancellationToken = default)
    {
        await using var db = await scopedDb.OpenAsync(cancellationToken);
        return await db.Members.AnyAsync(m => m.Id == memberId, cancellationToken)
            && await db.WeChatUsers.AnyAsync(u => u.MemberId == memberId, cancellationToken);
    }

    private async Task<BindingResult> ClaimAsync(Guid weChatUserId, string name, BindingMethod method,
        System.Linq.Expressions.Expression<Func<Members.Member, bool>> matches, string? idCipher, string? phoneCipher,
        Guid? chosenOrganizationId, CancellationToken cancellationToken)
    {
        await using var db = factory.CreateForSystem();
        var user = await db.WeChatUsers.FirstOrDefaultAsync(u => u.Id == weChatUserId, cancellationToken) ?? throw AppException.NotFound("用户");
        if (user.MemberId is not null)
        {
            throw AppException.Conflict(IdentityErrors.AlreadyBound, "您已完成实名认证");
        }
        var candidates = await db.Members.Include(m => m.Organization).Where(matches).ToListAsync(cancellationToken);
        var exact = candidates.FirstOrDefault(m => m.Name == name);
        var claimed = exact ?? candidates.FirstOrDefault();
        var bound = exact is not null && !await db.WeChatUsers.AnyAsync(u => u.MemberId == exact.Id, cancellationToken);

        Guid? queueOrganizationId = claimed?.OrganizationId;
        if (queueOrganizationId is null && chosenOrganizationId is { } chosen)
        {
            var branch = await db.Organizations.FirstOrDefaultAsync(o => o.Id == chosen && o.Kind != OrganizationKind.PartyGroup, cancellationToken);
            queueOrganizationId = branch?.Id ?? throw AppException.Validation(new Dictionary<string, string[]> { ["organizationId"] = ["所选党组织不存在"] });
        }
        if (!bound && queueOrganizationId is null)
        {
            throw new AppException(IdentityErrors.BranchRequired, "未在党员名册中找到您的信息，请选择所在党支部后提交审核");
        }

        // A new claim replaces the user's earlier pending ones.
        await db.BindingRequests.Where(b => b.WeChatUserId == weChatUserId && b.Status == BindingStatus.Pending)
            .ExecuteUpdateAsync(b => b.SetProperty(x => x.Status, BindingStatus.Superseded), cancellationToken);
        var request = new BindingRequest
        {
            WeChatUserId = weChatUserId, Method = method, ClaimedName = name, ClaimedIdNumberCipher = idCipher, ClaimedPhoneCipher = phoneCipher,
            MemberId = claimed?.Id, OrganizationId = queueOrganizationId,
            Status = bound ? BindingStatus.Matched : BindingStatus.Pending,
        };
        db.BindingRequests.Add(request);
        var path = claimed?.Organization?.Path ?? await db.Organizations.Where(o => o.Id == queueOrganizationId).Select(o => o.Path).FirstAsync(cancellationToken);
        if (bound)
        {
            user.MemberId = exact!.Id;
            request.ReviewedAt = time.GetUtcNow();
            request.ReviewedBy = "roster-match";
            activities.Record(db, ActivityTypes.Bound, exact.Id, exact.OrganizationId, path, nameof(BindingRequest), request.Id.ToString(),
                new { method = method.ToString(), matched = true }, weChatUserId);
        }
        else
        {
            activities.Record(db, ActivityTypes.BindingRequested, null, queueOrganizationId, path, nameof(BindingRequest), request.Id.ToString(),
                new { method = method.ToString() }, weChatUserId);
        }
        await SaveBindingAsync(db, cancellationToken);
        if (bound)
        {
            await sessions.RefreshAsync(weChatUserId, cancellationToken);
            return new BindingResult(BindingOutcome.Bound, request.Id, "实名认证成功", exact!.Name);
        }
        return new BindingResult(BindingOutcome.PendingReview, request.Id, "信息未能自动匹配，已提交所在党支部审核", null);
    }

    private static async Task EnsureMemberFreeAsync(EBranchDbContext db, Guid memberId, Guid weChatUserId, CancellationToken cancellationToken)
    {
        if (await db.WeChatUsers.AnyAsync(u => u.MemberId == memberId && u.Id != weChatUserId, cancellationToken))
        {
            throw AppException.Conflict("member_already_bound", "该党员已绑定其他微信，请先解除原绑定");
        }
    }

    private static async Task SaveBindingAsync(EBranchDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // The unique index on the member link lost a race: someone else bound this member first.
            throw AppException.Conflict("member_already_bound", "该党员已绑定其他微信");
        }
    }

    private void Decide(BindingRequest request, BindingStatus status, string? reason, string reviewer)
    {
        request.Status = status;
        request.ReviewReason = reason;
        request.ReviewedBy = reviewer;
        request.ReviewedAt = time.GetUtcNow();
    }

    private async Task ThrottleAsync(Guid weChatUserId, CancellationToken cancellationToken)
    {
        await using (var db = factory.CreateForSystem())
        {
            if (await db.WeChatUsers.AnyAsync(u => u.Id == weChatUserId && u.MemberId != null, cancellationToken))
            {
                throw AppException.Conflict(IdentityErrors.AlreadyBound, "您已完成实名认证");
            }
        }
        var hits = await rateLimits.HitAsync(AttemptsKey(weChatUserId), AttemptsWindow, cancellationToken);
        if (hits > options.Value.BindingAttemptsPerHour)
        {
            throw new AppException(ErrorCodes.RateLimited, "认证尝试次数过多，请一小时后再试", ErrorKind.RateLimited);
        }
    }

    private static readonly TimeSpan AttemptsWindow = TimeSpan.FromHours(1);

    private static string AttemptsKey(Guid weChatUserId) => $"binding:{weChatUserId:N}";

    private static string CleanName(string? name)
    {
        var clean = (name ?? "").Trim();
        if (clean.Length is 0 or > 32)
        {
            throw AppException.Validation(new Dictionary<string, string[]> { ["name"] = ["请填写真实姓名"] });
        }
        return clean;
    }

    /// <summary>Best effort: a missing quota or a WeChat failure never undoes the review.</summary>
    private async Task NotifyAsync(string openId, string result, string note, CancellationToken cancellationToken)
    {
        var template = options.Value.BindingResultTemplateId;
        if (string.IsNullOrEmpty(template))
        {
            return;
        }
        try
        {
            var sent = await miniProgram.SendSubscribeMessageAsync(new SubscribeMessage(openId, template, new Dictionary<string, string>
            {
                ["phrase1"] = result.Contains("未") ? "未通过" : "已通过",
                ["thing2"] = note,
                ["time3"] = DistrictTime.Now(time).ToString("yyyy-MM-dd HH:mm"),
            }) { Page = "pages/me/index" }, cancellationToken);
            if (sent.Status != SubscribeSendStatus.Sent)
            {
                logger.LogInformation("Binding result notice not sent: {Status} {Code}", sent.Status, sent.ErrorCode);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Binding result notice failed");
        }
    }
}
