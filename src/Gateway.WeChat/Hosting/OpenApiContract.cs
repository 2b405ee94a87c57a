using System.Text.Json.Nodes;
using EBranch.Core.Common;
using EBranch.Core.Dues;
using EBranch.Core.Identity;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace EBranch.Gateway.Hosting;

/// <summary>An error an endpoint may answer: its HTTP status and the ProblemDetails <c>code</c> values it carries.</summary>
public sealed record ProblemCodes(int Status, IReadOnlyList<string> Codes);

/// <summary>
/// The error codes the mini-program may see (ProblemDetails <c>code</c>), with their HTTP status and meaning.
/// The OpenAPI document lists them as the enum of <c>ProblemDetails.code</c>; miniprogram-contract/README.md
/// explains them. Console-only codes (sign-in, review queue) are not here.
/// </summary>
public static class GatewayErrors
{
    public static readonly IReadOnlyList<(string Code, int Status, string Meaning)> Catalog =
    [
        (ErrorCodes.InvalidRequest, 400, "请求格式有误（JSON 错误、类型不符）"),
        (ErrorCodes.ValidationFailed, 400, "字段不符合规则；errors 为 字段 → 中文提示"),
        (IdentityErrors.InvalidCode, 400, "wx.login 的 code 无效或已使用：重新 wx.login 再登录"),
        (IdentityErrors.PhoneCodeInvalid, 400, "getPhoneNumber 的 code 无效或已过期：请用户重新授权"),
        (IdentityErrors.BranchRequired, 400, "名册中未找到：请选择所在党支部（organizationId）后再提交，进入审核"),
        (ErrorCodes.Unauthorized, 401, "未登录或登录已失效：重新 wx.login 并登录"),
        (ErrorCodes.Forbidden, 403, "无权执行此操作"),
        (IdentityErrors.MemberRequired, 403, "仅党员可用：请先完成实名认证"),
        (IdentityErrors.HighRisk, 403, "微信账号存在风险，暂不能登录"),
        (ErrorCodes.NotFound, 404, "不存在，或无权查看"),
        (DuesErrors.MemberNotFound, 404, "代缴：未找到该党员（姓名与身份证号不符）"),
        ("method_not_allowed", 405, "请求方式错误"),
        (IdentityErrors.AlreadyBound, 409, "已完成实名认证"),
        ("member_already_bound", 409, "该党员已绑定其他微信"),
        (ErrorCodes.Duplicate, 409, "已存在"),
        (DuesErrors.AlreadyPaid, 409, "所选月份中有已缴纳的月份：刷新后重选"),
        (DuesErrors.OrderInProgress, 409, "该月份党费正在支付中：稍后刷新"),
        ("conflict", 409, "数据已被修改，请刷新后重试"),
        ("payload_too_large", 413, "请求体超过上限（默认 1 MB）"),
        ("unsupported_media_type", 415, "内容类型错误（应为 application/json）"),
        (ErrorCodes.RateLimited, 429, "操作过于频繁，请稍后再试"),
        (ErrorCodes.Internal, 500, "系统错误，请稍后重试"),
        (ErrorCodes.ServiceUnavailable, 503, "依赖的服务暂不可用（数据库、微信），请稍后重试"),
    ];

    /// <summary>
    /// Declares that the endpoint(s) may answer <paramref name="status"/> as ProblemDetails carrying one of
    /// <paramref name="codes"/> (default: the generic code for that status).
    /// </summary>
    public static TBuilder ProducesErrors<TBuilder>(this TBuilder builder, int status, params string[] codes) where TBuilder : IEndpointConventionBuilder
    {
        var documented = codes.Length > 0 ? codes : [Core.Hosting.ProblemDetailsSetup.ForStatus(status).Code];
        foreach (var code in documented)
        {
            if (!Catalog.Any(c => c.Code == code && c.Status == status))
            {
                throw new InvalidOperationException($"Error code '{code}' with status {status} is not in {nameof(GatewayErrors)}.{nameof(Catalog)}.");
            }
        }
        builder.WithMetadata(new ProducesResponseTypeMetadata(status, typeof(ProblemDetails), ["application/problem+json"]), new ProblemCodes(status, documented));
        return builder;
    }
}

/// <summary>
/// Makes the OpenAPI document a contract: every error response names the <c>code</c> values it may carry,
/// authenticated operations declare the bearer session scheme, and <c>ProblemDetails</c> documents
/// <c>code</c>, <c>traceId</c> and <c>errors</c>.
/// </summary>
public sealed class GatewayOperationTransformer : IOpenApiOperationTransformer
{
    public const string BearerScheme = "bearer";

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any())
        {
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] });
        }
        var codes = metadata.OfType<ProblemCodes>().GroupBy(p => p.Status)
            .ToDictionary(g => g.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), g => g.SelectMany(p => p.Codes).Distinct().ToList());
        foreach (var (status, response) in operation.Responses ?? [])
        {
            if (response is not OpenApiResponse concrete || !codes.TryGetValue(status, out var statusCodes)
                || concrete.Content is null || !concrete.Content.TryGetValue("application/problem+json", out var media) || media.Schema is null)
            {
                continue;
            }
            concrete.Description = "code: " + string.Join(" | ", statusCodes);
            media.Schema = new OpenApiSchema
            {
                AllOf =
                [
                    media.Schema,
                    new OpenApiSchema
                    {
                        Type = JsonSchemaType.Object,
                        Properties = new Dictionary<string, IOpenApiSchema> { ["code"] = CodeSchema(statusCodes) },
                    },
                ],
            };
        }
        return Task.CompletedTask;
    }

    internal static OpenApiSchema CodeSchema(IEnumerable<string> codes)
        => new() { Type = JsonSchemaType.String, Enum = codes.Select(c => (JsonNode)JsonValue.Create(c)).ToList() };
}

/// <summary>
/// Numbers are numbers: the gateway writes them as JSON numbers (it only tolerates strings when reading), so
/// the contract documents <c>integer</c>/<c>number</c> rather than <c>integer | string</c> with a pattern.
/// </summary>
public sealed class GatewaySchemaTransformer : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (schema.Type is { } type && (type & (JsonSchemaType.Integer | JsonSchemaType.Number)) != 0 && (type & JsonSchemaType.String) != 0)
        {
            schema.Type = type & ~JsonSchemaType.String;
            schema.Pattern = null;
        }
        return Task.CompletedTask;
    }
}
