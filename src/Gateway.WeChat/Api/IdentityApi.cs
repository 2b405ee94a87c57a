using System.ComponentModel;
using System.Security.Claims;
using EBranch.Core.Common;
using EBranch.Core.Identity;
using EBranch.Gateway.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace EBranch.Gateway.Api;

public sealed record LoginRequest([property: Description("wx.login 返回的 code")] string Code);

public sealed record LoginResponse(
    [property: Description("会话令牌，之后放在请求头 Authorization: Bearer <token>")] string Token,
    DateTimeOffset ExpiresAt, bool IsMember, string? MemberName);

public sealed record BindByIdNumberRequest(string Name, string IdNumber, [property: Description("名册中未找到时，选择的所在党支部")] Guid? OrganizationId);

public sealed record BindByPhoneRequest(string Name, [property: Description("getPhoneNumber 按钮返回的 code")] string PhoneCode, Guid? OrganizationId);

public sealed record BindingResponse(string Outcome, Guid RequestId, string Message, string? MemberName);

public sealed record MeResponse(bool IsMember, string? MemberName, BindingStatusView? Binding);

public static class IdentityApi
{
    public static void MapIdentityApi(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/v1/auth").WithTags("登录");
        auth.MapPost("/login", Login).AllowAnonymous().RequireAnonymousLimit("login")
            .WithName("login").WithSummary("用 wx.login 的 code 登录，换取会话令牌（群众无需注册）")
            .ProducesErrors(400, IdentityErrors.InvalidCode, ErrorCodes.InvalidRequest).ProducesErrors(403, IdentityErrors.HighRisk)
            .ProducesErrors(429).ProducesErrors(503);
        auth.MapPost("/logout", Logout).RequireAuthorization()
            .WithName("logout").WithSummary("退出登录（令牌立即失效）").ProducesErrors(401);

        app.MapGet("/api/v1/me", Me).RequireAuthorization().WithTags("登录")
            .WithName("getMe").WithSummary("当前用户：是否已实名认证为党员、最近一次认证申请").ProducesErrors(401);

        var binding = app.MapGroup("/api/v1/binding").WithTags("实名认证").RequireAuthorization().ProducesErrors(401);
        binding.MapPost("/id-number", BindByIdNumber)
            .WithName("bindByIdNumber").WithSummary("以姓名+身份证号认证；名册精确匹配即时绑定，否则提交支部审核")
            .ProducesErrors(400, ErrorCodes.ValidationFailed, IdentityErrors.BranchRequired, ErrorCodes.InvalidRequest)
            .ProducesErrors(409, IdentityErrors.AlreadyBound, "member_already_bound").ProducesErrors(429);
        binding.MapPost("/phone", BindByPhone)
            .WithName("bindByPhone").WithSummary("以姓名+微信手机号（getPhoneNumber）认证")
            .ProducesErrors(400, ErrorCodes.ValidationFailed, IdentityErrors.PhoneCodeInvalid, IdentityErrors.BranchRequired, ErrorCodes.InvalidRequest)
            .ProducesErrors(409, IdentityErrors.AlreadyBound, "member_already_bound").ProducesErrors(429).ProducesErrors(503);
        binding.MapGet("/", Status)
            .WithName("getBindingStatus").WithSummary("最近一次认证申请的状态（无申请时 204）");
    }

    private static async Task<Ok<LoginResponse>> Login(LoginRequest request, LoginService logins, CancellationToken cancellationToken)
    {
        var result = await logins.LoginAsync(request.Code, cancellationToken);
        return TypedResults.Ok(new LoginResponse(result.Token, result.ExpiresAt, result.IsMember, result.MemberName));
    }

    private static async Task<NoContent> Logout(HttpRequest request, SessionService sessions, CancellationToken cancellationToken)
    {
        await sessions.RevokeAsync(request.BearerToken()!, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<MeResponse>> Me(ClaimsPrincipal user, BindingService bindings, Core.Data.EBranchDbFactory factory, CancellationToken cancellationToken)
    {
        var isMember = user.HasClaim(c => c.Type == SessionAuthenticationHandler.MemberClaim);
        string? name = null;
        if (isMember)
        {
            await using var db = factory.CreateForSystem();
            var memberId = user.MemberId();
            name = await db.Members.Where(m => m.Id == memberId).Select(m => m.Name).FirstOrDefaultAsync(cancellationToken);
        }
        return TypedResults.Ok(new MeResponse(isMember, name, await bindings.GetStatusAsync(user.WeChatUserId(), cancellationToken)));
    }

    private static async Task<Ok<BindingResponse>> BindByIdNumber(BindByIdNumberRequest request, ClaimsPrincipal user, BindingService bindings, CancellationToken cancellationToken)
        => TypedResults.Ok(ToResponse(await bindings.BindByIdNumberAsync(user.WeChatUserId(), request.Name, request.IdNumber, request.OrganizationId, cancellationToken)));

    private static async Task<Ok<BindingResponse>> BindByPhone(BindByPhoneRequest request, ClaimsPrincipal user, BindingService bindings, CancellationToken cancellationToken)
        => TypedResults.Ok(ToResponse(await bindings.BindByPhoneAsync(user.WeChatUserId(), request.Name, request.PhoneCode, request.OrganizationId, cancellationToken)));

    private static async Task<Results<Ok<BindingStatusView>, NoContent>> Status(ClaimsPrincipal user, BindingService bindings, CancellationToken cancellationToken)
        => await bindings.GetStatusAsync(user.WeChatUserId(), cancellationToken) is { } status ? TypedResults.Ok(status) : TypedResults.NoContent();

    private static BindingResponse ToResponse(BindingResult result)
        => new(result.Outcome == BindingOutcome.Bound ? "bound" : "pending_review", result.RequestId, result.Message, result.MemberName);
}
