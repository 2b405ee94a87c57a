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
