namespace EBranch.Core.Common;

/// <summary>
/// A failure the caller can act on. <see cref="Code"/> is stable and machine-readable; <see cref="Message"/>
/// is zh-CN text a member or villager can read. Hosts turn it into ProblemDetails.
/// </summary>
public class AppException(string code, string message, int status = 400, IReadOnlyDictionary<string, string[]>? errors = null)
    : Exception(message)
{
    public string Code { get; } = code;
    public int Status { get; } = status;
    public IReadOnlyDictionary<string, string[]>? Errors { get; } = errors;

    public static AppException NotFound(string what) => new(ErrorCodes.NotFound, $"{what}不存在或无权访问", 404);
    public static AppException Forbidden(string message = "无权执行此操作") => new(ErrorCodes.Forbidden, message, 403);
    public static AppException Validation(IReadOnlyDictionary<string, string[]> errors)
        => new(ErrorCodes.ValidationFailed, "提交的数据有误，请检查后重试", 400, errors);
    public static AppException Conflict(string code, string message) => new(code, message, 409);
}

/// <summary>The stable error codes clients may rely on. Never rename one; add new ones.</summary>
public static class ErrorCodes
{
    public const string InvalidRequest = "invalid_request";
    public const string ValidationFailed = "validation_failed";
    public const string NotFound = "not_found";
    public const string Forbidden = "forbidden";
    public const string Unauthorized = "unauthorized";
    public const string RateLimited = "rate_limited";
    public const string Duplicate = "duplicate";
    public const string LoginFailed = "login_failed";
    public const string AccountLocked = "account_locked";
    public const string Internal = "internal_error";
    public const string ServiceUnavailable = "service_unavailable";
}
