using System.Security.Claims;
using System.Text.Encodings.Web;
using EBranch.Core.Hosting;
using EBranch.Core.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace EBranch.Gateway.Hosting;

/// <summary>
/// Authenticates mini-program calls by the product's session token (<c>Authorization: Bearer …</c>).
/// Unauthenticated → 401 <c>unauthorized</c>; authenticated but not a bound member where one is needed →
/// 403 <c>member_required</c>.
/// </summary>
public sealed class SessionAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, SessionService sessions, DailyVisits visits,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Session";
    public const string WeChatUserClaim = "wxu";
    public const string MemberClaim = "mbr";
    public const string SessionClaim = "sid";
    public const string MemberPolicy = "member";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }
        var principal = await sessions.ValidateAsync(header["Bearer ".Length..].Trim(), Context.RequestAborted);
        if (principal is null)
        {
            return AuthenticateResult.Fail("invalid or expired session");
        }
        await visits.VisitAsync(principal, Context.RequestAborted);
        var claims = new List<Claim>
        {
            new(WeChatUserClaim, principal.WeChatUserId.ToString()),
            new(SessionClaim, principal.SessionId.ToString()),
        };
        if (principal.MemberId is { } memberId)
        {
            claims.Add(new Claim(MemberClaim, memberId.ToString()));
        }
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
        => WriteAsync(401, "unauthorized", "请先登录（登录已失效，请重新进入小程序）");

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
        => WriteAsync(403, IdentityErrors.MemberRequired, "请先完成党员实名认证");

    private async Task WriteAsync(int status, string code, string title)
    {
        Response.StatusCode = status;
        var problem = new ProblemDetails { Status = status, Title = title };
        problem.Extensions["code"] = code;
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = Context, ProblemDetails = problem });
    }
}

public static class SessionUser
{
    public static Guid WeChatUserId(this ClaimsPrincipal user) => Guid.Parse(user.FindFirstValue(SessionAuthenticationHandler.WeChatUserClaim)!);

    public static Guid MemberId(this ClaimsPrincipal user) => Guid.Parse(user.FindFirstValue(SessionAuthenticationHandler.MemberClaim)!);

    public static string? BearerToken(this HttpRequest request)
        => request.Headers.Authorization.ToString() is { } h && h.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? h["Bearer ".Length..].Trim() : null;
}
