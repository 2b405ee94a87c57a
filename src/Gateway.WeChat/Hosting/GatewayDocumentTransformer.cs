using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace EBranch.Gateway.Hosting;

/// <summary>
/// Title and description of the mini-program API document (miniprogram-contract/openapi.json), the bearer
/// session scheme, and the documented fields of <c>ProblemDetails</c>. The document names no server: the
/// same contract serves every deployment.
/// </summary>
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
        document.Servers = [];
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[GatewayOperationTransformer.BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "POST /api/v1/auth/login 返回的会话令牌：Authorization: Bearer <token>。失效后返回 401 unauthorized，需重新 wx.login 登录。",
        };
        if (document.Components.Schemas?.TryGetValue("ProblemDetails", out var schema) == true && schema is OpenApiSchema problem)
        {
            problem.Properties ??= new Dictionary<string, IOpenApiSchema>();
            var code = GatewayOperationTransformer.CodeSchema(GatewayErrors.Catalog.Select(c => c.Code));
            code.Description = "稳定的机器可读错误码：\n" + string.Join("\n", GatewayErrors.Catalog.Select(c => $"- {c.Code} ({c.Status}) {c.Meaning}"));
            problem.Properties["code"] = code;
            problem.Properties["traceId"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "请求追踪号，反馈问题时提供" };
            problem.Properties["errors"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = "validation_failed 时：字段 → 中文提示",
                AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
            };
            problem.Required ??= new HashSet<string>();
            problem.Required.Add("code");
            problem.Required.Add("title");
            problem.Required.Add("status");
        }
        return Task.CompletedTask;
    }
}
