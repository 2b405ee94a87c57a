using EBranch.Core.Regions;
using Microsoft.AspNetCore.Http.HttpResults;
using EBranch.Gateway.Hosting;

namespace EBranch.Gateway.Api;

public static class RegionsApi
{
    /// <summary>Public (no login): villagers pick their town and village from this tree.</summary>
    public static void MapRegionsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/regions").WithTags("行政区划");
        api.MapGet("/", GetTree)
            .WithName("getRegionTree")
            .WithSummary("行政区划树（区-乡镇/街道-村/社区），群众选择所在村社区")
            .ProducesErrors(StatusCodes.Status503ServiceUnavailable);
    }

    private static async Task<Ok<IReadOnlyList<RegionNode>>> GetTree(RegionService regions, HttpContext http, CancellationToken cancellationToken)
    {
        http.Response.Headers.CacheControl = "public, max-age=300";
        return TypedResults.Ok(await regions.GetTreeAsync(cancellationToken));
    }
}
