using System.Security.Claims;
using EBranch.Core.CheckIns;
using EBranch.Core.Common;
using EBranch.Core.Data;
using EBranch.Core.Identity;
using EBranch.Core.Members;
using EBranch.Core.Organizations;
using EBranch.Core.PersonalSpace;
using EBranch.Core.Points;
using EBranch.Gateway.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace EBranch.Gateway.Api;

public sealed record CheckInResponse(DateOnly Day, int Streak, bool AlreadyCheckedIn, decimal PointsEarned, decimal Balance);

public sealed record PointEntryView(string Action, decimal Points, DateTimeOffset OccurredAt, string? Note);

public sealed record PointsResponse(decimal Balance, IReadOnlyList<PointEntryView> Entries, int Total, int Page, int PageSize);

public sealed record RankingRowView(int Rank, string Name, decimal Points, bool IsMe);

public sealed record RankingResponse(string Scope, string Period, string PeriodKey, IReadOnlyList<RankingRowView> Top, int Participants, int? MyRank, decimal? MyPoints);

/// <summary>What a bound member does in the mini-program: check in, points, rankings, personal space.</summary>
public static class MemberApi
{
    public static void MapMemberApi(this IEndpointRouteBuilder app)
    {
        var member = app.MapGroup("/api/v1").WithTags("党员").RequireAuthorization(SessionAuthenticationHandler.MemberPolicy)
            .ProducesErrors(401).ProducesErrors(403, IdentityErrors.MemberRequired);
        member.MapPost("/checkins", CheckIn)
            .WithName("checkIn").WithSummary("每日签到（同一天重复签到只计一次）");
        member.MapGet("/points", GetPoints)
            .WithName("getPoints").WithSummary("积分余额与明细（分页：page 从 1 开始，pageSize 默认 20）").ProducesErrors(400, ErrorCodes.InvalidRequest);
        member.MapGet("/points/ranking", GetRanking)
            .WithName("getRanking").WithSummary("积分排行：scope=branch|township|district，period=week|month|year").ProducesErrors(400, ErrorCodes.ValidationFailed);
        member.MapGet("/space", GetSpace).Produces<PersonalSpaceView>()
            .WithName("getPersonalSpace").WithSummary("个人空间：资料、党龄、政治生日、荣誉、足迹、积分与排名、组织生活备忘");

        app.MapGet("/api/v1/branches", FindBranches).AllowAnonymous().WithTags("找支部")
            .WithName("findBranches").WithSummary("按名称或行政区划代码查找党支部（公开，最多 30 条）").ProducesErrors(503);
    }

    private static async Task<Ok<CheckInResponse>> CheckIn(ClaimsPrincipal user, CheckInService checkIns, CancellationToken cancellationToken)
    {
        var result = await checkIns.CheckInAsync(user.MemberId(), cancellationToken);
        return TypedResults.Ok(new CheckInResponse(result.Day, result.Streak, result.AlreadyCheckedIn, Points(result.PointsEarnedTenths), Points(result.BalanceTenths)));
    }

    private static async Task<Ok<PointsResponse>> GetPoints(ClaimsPrincipal user, PointsEngine engine, int? page, int? pageSize, CancellationToken cancellationToken)
    {
        var memberId = user.MemberId();
        var history = await engine.HistoryAsync(memberId, page ?? 1, pageSize ?? 20, cancellationToken);
        var rules = await engine.GetRulesAsync(cancellationToken);
        string Label(string action) => rules.FirstOrDefault(r => r.Action == action)?.Name ?? (action == PointActions.Reversal ? "积分冲正" : action);
        return TypedResults.Ok(new PointsResponse(
            Points(await engine.BalanceAsync(memberId, cancellationToken)),
            history.Items.Select(e => new PointEntryView(Label(e.Action), Points(e.PointsTenths), e.OccurredAt, e.Note)).ToList(),
            history.Total, history.Page, history.PageSize));
    }

    private static async Task<Ok<RankingResponse>> GetRanking(ClaimsPrincipal user, RankingService rankings,
        string? scope, string? period, CancellationToken cancellationToken)
    {
        var memberId = user.MemberId();
        var parsedPeriod = (period ?? "week") switch
        {
            "week" => PointPeriod.Week,
            "month" => PointPeriod.Month,
            "year" => PointPeriod.Year,
            _ => throw AppException.Validation(new Dictionary<string, string[]> { ["period"] = ["period 只能是 week、month 或 year"] }),
        };
        var placement = await rankings.PlacementAsync(memberId, cancellationToken);
        var segments = placement.Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var organizationId = (scope ?? "branch") switch
        {
            "branch" => Guid.ParseExact(segments[^1], "N"),
            "township" => Guid.ParseExact(segments[Math.Min(1, segments.Length - 1)], "N"),
            "district" => Guid.ParseExact(segments[0], "N"),
            _ => throw AppException.Validation(new Dictionary<string, string[]> { ["scope"] = ["scope 只能是 branch、township 或 district"] }),
        };
        var ranking = await rankings.GetAsync(organizationId, parsedPeriod, 20, cancellationToken);
        var mine = await rankings.RankOfAsync(organizationId, memberId, parsedPeriod, cancellationToken);
        return TypedResults.Ok(new RankingResponse(scope ?? "branch", period ?? "week", ranking.PeriodKey,
            ranking.Top.Select(r => new RankingRowView(r.Rank, MaskName(r.Name, r.MemberId == memberId), Points(r.PointsTenths), r.MemberId == memberId)).ToList(),
            ranking.Participants, mine?.Rank, mine is { } m ? Points(m.PointsTenths) : null));
    }

    /// <summary>
    /// Cached per member and district day (<see cref="MemberCacheKeys.Space"/>), removed on every instance when the member's own
    /// data changes; others' points may move the rank shown for up to <see cref="MemberCacheKeys.SpaceDuration"/>.
    /// </summary>
    private static async Task<IResult> GetSpace(ClaimsPrincipal user, PersonalSpaceService space, CachedJsonResponses answers, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var memberId = user.MemberId();
        var answer = await answers.GetOrSetAsync(MemberCacheKeys.Space(memberId, DistrictTime.Today(time)), ct => space.GetAsync(memberId, ct),
            MemberCacheKeys.SpaceDuration, cancellationToken);
        return CachedJsonResponses.Result(answer, "private, no-cache");
    }

    private static async Task<Ok<IReadOnlyList<BranchListing>>> FindBranches(BranchDirectory directory, string? keyword, string? regionCode, CancellationToken cancellationToken)
        => TypedResults.Ok(await directory.SearchAsync(keyword, regionCode, 30, cancellationToken));

    private static decimal Points(int tenths) => tenths / 10m;

    /// <summary>Other members appear as 张*国 on rankings; the member sees their own name.</summary>
    private static string MaskName(string name, bool isMe)
        => isMe || name.Length < 2 ? name : name.Length == 2 ? name[0] + "*" : name[0] + new string('*', name.Length - 2) + name[^1];
}
