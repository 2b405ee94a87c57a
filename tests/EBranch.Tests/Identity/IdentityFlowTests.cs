using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EBranch.Core.Demo;
using EBranch.Core.Identity;
using EBranch.Core.Points;
using EBranch.Tests.Gateway;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EBranch.Tests.Identity;

/// <summary>The mini-program's identity flows through the real gateway, against the WeChat emulator over HTTP.</summary>
[Collection(GatewayCollection.Name)]
public sealed class IdentityFlowTests(GatewayFixture gateway)
{
    private static async Task<JsonElement> Json(HttpResponseMessage response) => await response.Content.ReadFromJsonAsync<JsonElement>();

    private static async Task AssertProblem(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.Equal(status, response.StatusCode);
        var problem = await Json(response);
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
    }

    [Fact]
    public async Task Member_LogsIn_BindsByIdNumber_ChecksIn_EarnsPoints_AndIsRanked()
    {
        var (memberId, idNumber) = await gateway.AddMemberAsync("赵流程");
        var (client, _, login) = await gateway.LoginNewUserAsync();
        Assert.False(login.GetProperty("isMember").GetBoolean());

        // Not yet a member: member features answer 403 member_required.
        await AssertProblem(await client.PostAsync("/api/v1/checkins", null), HttpStatusCode.Forbidden, IdentityErrors.MemberRequired);

        var bind = await client.PostAsJsonAsync("/api/v1/binding/id-number", new { name = "赵流程", idNumber });
        Assert.Equal(HttpStatusCode.OK, bind.StatusCode);
        var bound = await Json(bind);
        Assert.Equal("bound", bound.GetProperty("outcome").GetString());
        Assert.Equal("赵流程", bound.GetProperty("memberName").GetString());

        // The same session is a member session from now on, on any instance (cache dropped on binding).
        var me = await Json(await client.GetAsync("/api/v1/me"));
        Assert.True(me.GetProperty("isMember").GetBoolean());

        var checkIn = await Json(await client.PostAsync("/api/v1/checkins", null));
        Assert.False(checkIn.GetProperty("alreadyCheckedIn").GetBoolean());
        Assert.Equal(1, checkIn.GetProperty("streak").GetInt32());
        Assert.Equal(1m, checkIn.GetProperty("pointsEarned").GetDecimal());

        var points = await Json(await client.GetAsync("/api/v1/points"));
        Assert.Equal(1m, points.GetProperty("balance").GetDecimal());
        Assert.Equal("每日签到", points.GetProperty("entries")[0].GetProperty("action").GetString());

        var ranking = await Json(await client.GetAsync("/api/v1/points/ranking?scope=branch&period=week"));
        Assert.Equal(1m, ranking.GetProperty("myPoints").GetDecimal());
        Assert.Contains(ranking.GetProperty("top").EnumerateArray(), r => r.GetProperty("isMe").GetBoolean() && r.GetProperty("name").GetString() == "赵流程");

        var space = await Json(await client.GetAsync("/api/v1/space"));
        Assert.Equal("赵流程", space.GetProperty("name").GetString());
        Assert.True(space.GetProperty("checkedInToday").GetBoolean());
        Assert.Equal(new DateOnly(2024, 7, 1), DateOnly.Parse(space.GetProperty("politicalBirthday").GetProperty("admittedOn").GetString()!));
        Assert.Contains(space.GetProperty("footprints").EnumerateArray(), f => f.GetProperty("type").GetString() == "checkin");

        // Logging in again as a member credits the daily login once.
        var code = await gateway.Emulator.NewCodeAsync(await OpenIdOf(memberId));
        var again = await Json(await gateway.Client.PostAsJsonAsync("/api/v1/auth/login", new { code }));
        Assert.True(again.GetProperty("isMember").GetBoolean());
        Assert.Equal(2m, (await Json(await client.GetAsync("/api/v1/points"))).GetProperty("balance").GetDecimal());
    }

    private async Task<string> OpenIdOf(Guid memberId)
    {
        await using var db = gateway.SystemDb();
        return await db.WeChatUsers.Where(u => u.MemberId == memberId).Select(u => u.OpenId).SingleAsync();
    }

    [Fact]
    public async Task Binding_ByWeChatPhone_BindsAtOnce_WhenNameAndPhoneMatchTheRoster()
    {
        var phone = $"139{Random.Shared.Next(10_000_000, 99_999_999)}";
        await gateway.AddMemberAsync("钱手机", phone);
        var (client, openId, _) = await gateway.LoginNewUserAsync(new { phoneNumber = phone });
        var phoneCode = await gateway.Emulator.PhoneCodeAsync(openId);
        var bound = await Json(await client.PostAsJsonAsync("/api/v1/binding/phone", new { name = "钱手机", phoneCode }));
        Assert.Equal("bound", bound.GetProperty("outcome").GetString());

        // A phone code is single use.
        var reused = await client.PostAsJsonAsync("/api/v1/binding/phone", new { name = "钱手机", phoneCode });
        await AssertProblem(reused, HttpStatusCode.Conflict, IdentityErrors.AlreadyBound);
    }

    [Fact]
    public async Task Binding_WithAMismatchedName_GoesToTheBranchsReviewQueue_AndApprovalBinds()
    {
        var (memberId, idNumber) = await gateway.AddMemberAsync("孙审核");
        var (client, _, _) = await gateway.LoginNewUserAsync();
        var pending = await Json(await client.PostAsJsonAsync("/api/v1/binding/id-number", new { name = "孙申和", idNumber }));
        Assert.Equal("pending_review", pending.GetProperty("outcome").GetString());
        var requestId = pending.GetProperty("requestId").GetGuid();
        Assert.False((await Json(await client.GetAsync("/api/v1/me"))).GetProperty("isMember").GetBoolean());

        // Another township's administrator does not see it; the branch secretary does.
        var outsider = await gateway.AsConsoleUser<BindingService>("town02");
        Assert.DoesNotContain((await outsider.QueueAsync(BindingStatus.Pending, 1, 200)).Items, i => i.Id == requestId);
        await Assert.ThrowsAsync<Core.Common.AppException>(() => outsider.ApproveAsync(requestId, null));

        var secretary = await gateway.AsConsoleUser<BindingService>(DemoIdentities.BranchSecretary);
        var item = Assert.Single((await secretary.QueueAsync(BindingStatus.Pending, 1, 200)).Items, i => i.Id == requestId);
        Assert.Equal("孙审核", item.MemberName);
        Assert.Equal(Core.Security.ChineseId.Mask(idNumber), item.ClaimedIdNumberMasked);
        await secretary.ApproveAsync(requestId, null);

        var me = await Json(await client.GetAsync("/api/v1/me"));
        Assert.True(me.GetProperty("isMember").GetBoolean());
        Assert.Equal("Approved", me.GetProperty("binding").GetProperty("status").GetString());
        await using var db = gateway.SystemDb();
        Assert.True(await db.ActivityRecords.AnyAsync(a => a.MemberId == memberId && a.Type == "binding.bound"));
    }

    [Fact]
    public async Task Binding_NotOnTheRoster_AsksForABranch_ThenQueuesThere()
    {
        var (client, _, _) = await gateway.LoginNewUserAsync();
        var unknown = "33019920060606" + "771";
        unknown += Core.Security.ChineseId.CheckDigit(unknown);
        await AssertProblem(await client.PostAsJsonAsync("/api/v1/binding/id-number", new { name = "李无名", idNumber = unknown }),
            HttpStatusCode.BadRequest, IdentityErrors.BranchRequired);

        var branches = await Json(await gateway.Client.GetAsync("/api/v1/branches?keyword=" + Uri.EscapeDataString("党支部")));
        var branchId = branches[0].GetProperty("id").GetGuid();
        var pending = await Json(await client.PostAsJsonAsync("/api/v1/binding/id-number", new { name = "李无名", idNumber = unknown, organizationId = branchId }));
        Assert.Equal("pending_review", pending.GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task Binding_RejectsABadIdNumber_AndIsRateLimitedAgainstEnumeration()
    {
        var (client, _, _) = await gateway.LoginNewUserAsync();
        var bad = await client.PostAsJsonAsync("/api/v1/binding/id-number", new { name = "周探测", idNumber = "330199198001011234X" });
        await AssertProblem(bad, HttpStatusCode.BadRequest, "validation_failed");
        HttpResponseMessage last = bad;
        for (var i = 0; i < 6; i++)
        {
            last = await client.PostAsJsonAsync("/api/v1/binding/id-number", new { name = "周探测", idNumber = "330199198001011234" });
        }
        await AssertProblem(last, HttpStatusCode.TooManyRequests, "rate_limited");
    }

    [Fact]
    public async Task Unbinding_ByTheBranch_RevokesTheMembersSessions()
    {
        var (memberId, idNumber) = await gateway.AddMemberAsync("吴解绑");
        var (client, _, _) = await gateway.LoginNewUserAsync();
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/v1/binding/id-number", new { name = "吴解绑", idNumber })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/space")).StatusCode);

        var secretary = await gateway.AsConsoleUser<BindingService>(DemoIdentities.BranchSecretary);
        await secretary.UnbindAsync(memberId);

        await AssertProblem(await client.GetAsync("/api/v1/me"), HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task ASessionKeptFromYesterday_LogsTheMemberInWithItsFirstRequestToday_Once()
    {
        // A bound member whose mini-program kept yesterday's session (no wx.login today).
        var (memberId, _) = await gateway.AddMemberAsync("孙隔夜");
        var user = new EBranch.Core.WeChatUsers.WeChatUser { OpenId = "kept-" + Guid.NewGuid().ToString("N"), MemberId = memberId, LastLoginAt = DateTimeOffset.UtcNow.AddDays(-1) };
        await using (var db = gateway.SystemDb())
        {
            db.WeChatUsers.Add(user);
            await db.SaveChangesAsync();
        }
        var session = await gateway.Services.GetRequiredService<SessionService>().IssueAsync(user.Id);
        using var client = new HttpClient { BaseAddress = new Uri(gateway.Url) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", session.Token);

        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => client.GetAsync("/api/v1/space")));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        (await client.GetAsync("/api/v1/me")).EnsureSuccessStatusCode();

        var today = EBranch.Core.Common.DistrictTime.Today(TimeProvider.System);
        await using var check = gateway.SystemDb();
        Assert.True((await check.WeChatUsers.SingleAsync(u => u.Id == user.Id)).LastLoginAt >= EBranch.Core.Common.DistrictTime.StartOf(today));
        Assert.Equal(1, await check.ActivityRecords.CountAsync(a => a.MemberId == memberId && a.Type == EBranch.Core.Activities.ActivityTypes.Login));
        var login = await check.PointEntries.SingleAsync(e => e.MemberId == memberId && e.Action == PointActions.Login);
        Assert.Equal($"login:{today:yyyy-MM-dd}", login.SourceKey);
    }

    [Fact]
    public async Task Login_RejectsAReusedCode_AndLogoutEndsTheSession()
    {
        var (openId, code) = await gateway.Emulator.NewUserAsync();
        Assert.Equal(HttpStatusCode.OK, (await gateway.Client.PostAsJsonAsync("/api/v1/auth/login", new { code })).StatusCode);
        await AssertProblem(await gateway.Client.PostAsJsonAsync("/api/v1/auth/login", new { code }), HttpStatusCode.BadRequest, IdentityErrors.InvalidCode);
        await AssertProblem(await gateway.Client.PostAsJsonAsync("/api/v1/auth/login", new { code = "" }), HttpStatusCode.BadRequest, IdentityErrors.InvalidCode);

        var fresh = await Json(await gateway.Client.PostAsJsonAsync("/api/v1/auth/login", new { code = await gateway.Emulator.NewCodeAsync(openId) }));
        using var client = gateway.ClientWithToken(fresh.GetProperty("token").GetString()!);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync("/api/v1/auth/logout", null)).StatusCode);
        await AssertProblem(await client.GetAsync("/api/v1/me"), HttpStatusCode.Unauthorized, "unauthorized");
        // The token is not the openid, and the session key never leaves the server.
        Assert.DoesNotContain(openId, fresh.GetRawText());
        Assert.False(fresh.TryGetProperty("sessionKey", out _));
    }

    [Fact]
    public async Task ThousandConcurrentCheckIns_ForOneMemberOnOneDay_CreditExactlyOnce()
    {
        var (memberId, idNumber) = await gateway.AddMemberAsync("郑并发");
        var (client, _, _) = await gateway.LoginNewUserAsync();
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/v1/binding/id-number", new { name = "郑并发", idNumber })).StatusCode);

        var responses = await Task.WhenAll(Enumerable.Range(0, 1000).Select(_ => client.PostAsync("/api/v1/checkins", null)));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var bodies = await Task.WhenAll(responses.Select(Json));
        Assert.Single(bodies, b => !b.GetProperty("alreadyCheckedIn").GetBoolean());

        await using var db = gateway.SystemDb();
        Assert.Equal(1, await db.CheckIns.CountAsync(c => c.MemberId == memberId));
        Assert.Equal(1, await db.PointEntries.CountAsync(e => e.MemberId == memberId && e.Action == PointActions.CheckIn));
        Assert.Equal(1, await db.ActivityRecords.CountAsync(a => a.MemberId == memberId && a.Type == "checkin"));
        Assert.Equal(1m, (await Json(await client.GetAsync("/api/v1/points"))).GetProperty("balance").GetDecimal());
    }

    [Fact]
    public async Task MemberEndpoints_WithoutAToken_Answer401ProblemDetails()
    {
        await AssertProblem(await gateway.Client.PostAsync("/api/v1/checkins", null), HttpStatusCode.Unauthorized, "unauthorized");
        using var forged = gateway.ClientWithToken("forged-token");
        await AssertProblem(await forged.GetAsync("/api/v1/space"), HttpStatusCode.Unauthorized, "unauthorized");
    }
}
