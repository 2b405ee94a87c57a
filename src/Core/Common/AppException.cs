namespace EBranch.Core.Common;

/// <summary>
/// A failure the caller can act on. <see cref="Code"/> is stable and machine-readable; <see cref="Message"/>
/// is zh-CN text a member or villager can read; <see cref="Kind"/> says what kind of failure it is. Hosts turn it into
/// ProblemDetails; nothing in Core's areas thinks in HTTP status codes.
/// </summary>
public class AppException(string code, string message, ErrorKind kind = ErrorKind.Invalid, IReadOnlyDictionary<string, string[]>? errors = null)
    : Exception(message)
{
    public string Code { get; } = code;

    /// <summary>What kind of failure this is, in domain terms; the hosts decide how each kind is answered (HTTP: <c>Core/Hosting/ProblemDetailsSetup.cs</c>).</summary>
    public ErrorKind Kind { get; } = kind;
    public IReadOnlyDictionary<string, string[]>? Errors { get; } = errors;

    /// <summary>The client's request is wrong (a rule, a value, a state): the client can correct it.</summary>
    public static AppException Invalid(string code, string message) => new(code, message, ErrorKind.Invalid);
    /// <summary>Too many attempts: the client may try again after a while.</summary>
    public static AppException RateLimited(string message) => new(ErrorCodes.RateLimited, message, ErrorKind.RateLimited);
    /// <summary>A service we depend on (WeChat, a lock) cannot serve now; nothing was done.</summary>
    public static AppException Unavailable(string message) => new(ErrorCodes.ServiceUnavailable, message, ErrorKind.Unavailable);
    public static AppException NotFound(string what) => new(ErrorCodes.NotFound, $"{what}不存在或无权访问", ErrorKind.NotFound);
    public static AppException Forbidden(string message = "无权执行此操作") => new(ErrorCodes.Forbidden, message, ErrorKind.Forbidden);
    public static AppException Validation(IReadOnlyDictionary<string, string[]> errors)
        => new(ErrorCodes.ValidationFailed, "提交的数据有误，请检查后重试", ErrorKind.Invalid, errors);
    public static AppException Conflict(string code, string message) => new(code, message, ErrorKind.Conflict);
}

/// <summary>What kind of failure an <see cref="AppException"/> is, in domain terms.</summary>
public enum ErrorKind
{
    Invalid,
    NotFound,
    Conflict,
    Forbidden,
    Unauthenticated,
    RateLimited,
    Unavailable,
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
