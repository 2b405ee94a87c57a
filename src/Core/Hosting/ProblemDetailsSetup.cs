using System.Diagnostics;
using EBranch.Core.Common;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EBranch.Core.Hosting;

/// <summary>
/// Every error either host returns is a ProblemDetails with a stable <c>code</c> and a zh-CN title: an
/// <see cref="AppException"/> keeps its own code; malformed requests become 400 <c>invalid_request</c>;
/// bare status codes (404, 405, 415...) get a code too; anything unexpected is a 500 without internals.
/// This folder (<c>Core/Hosting</c>) is the shared host glue: the only part of Core that knows HTTP; the areas throw
/// <see cref="AppException"/> with an <see cref="ErrorKind"/> and <see cref="HttpStatus"/> maps it.
/// </summary>
public static class ProblemDetailsSetup
{
    public static IServiceCollection AddEBranchProblemDetails(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            problem.Extensions.TryAdd("traceId", Activity.Current?.Id ?? context.HttpContext.TraceIdentifier);
            if (!problem.Extensions.ContainsKey("code"))
            {
                var (code, title) = ForStatus(problem.Status ?? context.HttpContext.Response.StatusCode);
                problem.Extensions["code"] = code;
                problem.Title = title;
            }
        });
        services.AddExceptionHandler<AppExceptionHandler>();
        return services;
    }

    public static WebApplication UseEBranchProblemDetails(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }

    /// <summary>The one place an <see cref="ErrorKind"/> becomes an HTTP status (both hosts answer through it).</summary>
    public static int HttpStatus(ErrorKind kind) => kind switch
    {
        ErrorKind.NotFound => StatusCodes.Status404NotFound,
        ErrorKind.Conflict => StatusCodes.Status409Conflict,
        ErrorKind.Forbidden => StatusCodes.Status403Forbidden,
        ErrorKind.Unauthenticated => StatusCodes.Status401Unauthorized,
        ErrorKind.RateLimited => StatusCodes.Status429TooManyRequests,
        ErrorKind.Unavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status400BadRequest,
    };

    public static (string Code, string Title) ForStatus(int status) => status switch
    {
        400 => (ErrorCodes.InvalidRequest, "请求格式有误"),
        401 => (ErrorCodes.Unauthorized, "请先登录"),
        403 => (ErrorCodes.Forbidden, "无权执行此操作"),
        404 => (ErrorCodes.NotFound, "请求的内容不存在"),
        405 => ("method_not_allowed", "不支持该请求方式"),
        409 => ("conflict", "数据已被修改，请刷新后重试"),
        413 => ("payload_too_large", "提交的内容过大"),
        415 => ("unsupported_media_type", "不支持的内容类型"),
        429 => (ErrorCodes.RateLimited, "操作过于频繁，请稍后再试"),
        503 => (ErrorCodes.ServiceUnavailable, "服务暂时不可用，请稍后再试"),
        >= 500 => (ErrorCodes.Internal, "系统繁忙，请稍后再试"),
        _ => (ErrorCodes.InvalidRequest, "请求有误"),
    };

    private sealed class AppExceptionHandler(IProblemDetailsService problems, ILogger<AppExceptionHandler> logger) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
        {
            ProblemDetails problem;
            switch (exception)
            {
                case AppException app:
                    problem = new ProblemDetails { Status = HttpStatus(app.Kind), Title = app.Message };
                    problem.Extensions["code"] = app.Code;
                    if (app.Errors is not null)
                    {
                        problem.Extensions["errors"] = app.Errors;
                    }
                    break;
                case BadHttpRequestException bad:
                    var (badCode, badTitle) = ForStatus(bad.StatusCode);
                    problem = new ProblemDetails { Status = bad.StatusCode, Title = badTitle };
                    problem.Extensions["code"] = badCode;
                    break;
                case OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested:
                    return true;
                case var _ when IsUnstorableText(exception):
                    // Input the database cannot hold as text (PostgreSQL refuses NUL, U+0000, in any string): the request is at fault.
                    logger.LogInformation("Rejected unstorable text for {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
                    problem = new ProblemDetails { Status = 400, Title = "请求包含无法处理的字符" };
                    problem.Extensions["code"] = ErrorCodes.InvalidRequest;
                    break;
                default:
                    logger.LogError(exception, "Unhandled exception for {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
                    var (code, title) = IsTransient(exception) ? ForStatus(503) : ForStatus(500);
                    problem = new ProblemDetails { Status = code == ErrorCodes.ServiceUnavailable ? 503 : 500, Title = title };
                    problem.Extensions["code"] = code;
                    break;
            }
            httpContext.Response.StatusCode = problem.Status!.Value;
            return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
        }

        /// <summary>PostgreSQL's 22021 (character_not_in_repertoire), e.g. "invalid byte sequence for encoding UTF8: 0x00", however wrapped.</summary>
        private static bool IsUnstorableText(Exception exception)
            => exception is System.Data.Common.DbException { SqlState: "22021" } || exception.InnerException is { } inner && IsUnstorableText(inner);

        private static bool IsTransient(Exception exception)
            => exception is TimeoutException or System.Data.Common.DbException { IsTransient: true }
               || exception.InnerException is { } inner && IsTransient(inner)
               || exception.GetType().Name is "RetryLimitExceededException" or "NpgsqlException" or "RedisConnectionException";
    }
}

public static class SecurityHeaders
{
    /// <summary>
    /// Baseline headers on every response of both hosts. The content security policy only forbids what neither host uses
    /// (being framed, plugins, another base URL), so Blazor, AntDesign and the API reference run unchanged under it.
    /// </summary>
    public static readonly IReadOnlyList<(string Name, string Value)> Values =
    [
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "no-referrer"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
        ("Content-Security-Policy", "frame-ancestors 'none'; object-src 'none'; base-uri 'self'"),
    ];

    public static WebApplication UseEBranchSecurityHeaders(this WebApplication app)
    {
        // Set as the response starts, so an answer whose headers were cleared on the way (the exception handler does) has them too.
        app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                foreach (var (name, value) in Values)
                {
                    headers[name] = value;
                }
                return Task.CompletedTask;
            });
            return next(context);
        });
        return app;
    }
}
