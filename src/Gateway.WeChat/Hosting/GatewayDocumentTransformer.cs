using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace EBranch.Gateway.Hosting;

/// <summary>Title and description of the mini-program API document (miniprogram-contract/openapi.json).</summary>
public sealed class GatewayDocumentTransformer : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "e支部 小程序网关 API",
            Version = "v1",
            Description = "小程序调用的全部接口。错误统一为 application/problem+json，其中 code 为稳定的机器可读错误码，title 为中文提示。",
        };
        return Task.CompletedTask;
    }
}
