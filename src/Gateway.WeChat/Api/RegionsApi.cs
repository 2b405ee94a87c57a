using EBranch.Core.Regions;
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
            .Produces<IReadOnlyList<RegionNode>>()
            .ProducesErrors(StatusCodes.Status503ServiceUnavailable);
    }

    /// <summary>The cached tree's bytes (serialized once per cached tree), with an ETag.</summary>
    private static async Task<IResult> GetTree(RegionService regions, CachedJsonResponses answers, CancellationToken cancellationToken)
        => CachedJsonResponses.Result(answers.SerializeOnce(await regions.GetTreeAsync(cancellationToken)), "public, max-age=300");
}
