namespace EBranch.Core.WeChat.MiniProgram;

/// <summary>A mini-program / official-account API answered a non-zero <c>errcode</c>.</summary>
public class WeChatApiException(int errorCode, string errorMessage, string api)
    : Exception($"WeChat API {api} failed: {errorCode} {errorMessage}")
{
    public int ErrorCode { get; } = errorCode;
    public string ErrorMessage { get; } = errorMessage;
    public string Api { get; } = api;
}

/// <summary>The login errors of <c>jscode2session</c>, by errcode.</summary>
public enum LoginError
{
    Unknown = 0,
    InvalidCode = 40029,
    CodeAlreadyUsed = 40163,
    RateLimited = 45011,
    HighRiskUser = 40226,
    SystemBusy = -1,
    InvalidAppId = 40013,
}

public sealed class WeChatLoginException(int errorCode, string errorMessage)
    : WeChatApiException(errorCode, errorMessage, "jscode2session")
{
    public LoginError Error { get; } = Enum.IsDefined(typeof(LoginError), errorCode) ? (LoginError)errorCode : LoginError.Unknown;
}

/// <summary>
/// WeChat could not be used just now: a 5xx or non-JSON answer, a timeout, no connection, "system busy" (-1), or an
/// access token that is rejected again right after a refresh. Not the caller's fault: hosts answer 503
/// <c>service_unavailable</c> so the mini-program may try again later.
/// </summary>
public sealed class WeChatUnavailableException(string api, string detail, bool outcomeUnknown = false)
    : Common.AppException(Common.ErrorCodes.ServiceUnavailable, "微信服务暂时不可用，请稍后再试", Common.ErrorKind.Unavailable)
{
    public string Api { get; } = api;
    public string Detail { get; } = detail;

    /// <summary>
    /// No answer came (a timeout, or the connection broke after the request went out): WeChat may have carried the call
    /// out. Otherwise WeChat (or its front) answered that it did not.
    /// </summary>
    public bool OutcomeUnknown { get; } = outcomeUnknown;

    public override string ToString() => $"WeChat API {Api} unavailable: {Detail}";
}
