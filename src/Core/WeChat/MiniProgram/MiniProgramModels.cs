using System.Text.Json.Serialization;

namespace EBranch.Core.WeChat.MiniProgram;

/// <summary>The result of <c>jscode2session</c>. Keep it on the server: never hand session_key or openid to the client as a credential.</summary>
public sealed record LoginSession(string OpenId, string SessionKey, string? UnionId);

public sealed record PhoneInfo(
    [property: JsonPropertyName("phoneNumber")] string PhoneNumber,
    [property: JsonPropertyName("purePhoneNumber")] string PurePhoneNumber,
    [property: JsonPropertyName("countryCode"), JsonConverter(typeof(StringOrNumberConverter))] string? CountryCode);

/// <summary>A subscribe message; <see cref="Data"/> maps keyword (e.g. <c>thing1</c>) to its raw value.</summary>
public sealed record SubscribeMessage(string ToUser, string TemplateId, IReadOnlyDictionary<string, string> Data)
{
    public string? Page { get; init; }
    /// <summary>developer | trial | formal.</summary>
    public string? MiniProgramState { get; init; }
    public string Lang { get; init; } = "zh_CN";
    /// <summary>Allowed values of <c>enum</c> keywords, by keyword.</summary>
    public IReadOnlyDictionary<string, IReadOnlyCollection<string>>? EnumValues { get; init; }
}

public enum SubscribeSendStatus
{
    Sent,
    /// <summary>43101: the user has no accepted subscription left for this template.</summary>
    NoQuota,
    /// <summary>A value could not be made to fit its type (checked locally) or WeChat answered 47003.</summary>
    InvalidValue,
    Failed,
}

public sealed record SubscribeSendResult(SubscribeSendStatus Status, int ErrorCode = 0, string? Message = null)
{
    public static readonly SubscribeSendResult Sent = new(SubscribeSendStatus.Sent);
}

/// <summary>An official-account template message (second channel for members who follow the account).</summary>
public sealed record TemplateMessage(string ToUser, string TemplateId, IReadOnlyDictionary<string, string> Data)
{
    public string? Url { get; init; }
    public string? MiniProgramAppId { get; init; }
    public string? MiniProgramPagePath { get; init; }
}

public enum ContentSuggestion
{
    Pass,
    Review,
    Risky,
}

/// <summary>msg_sec_check v2 verdict; <see cref="Label"/> 100 is normal, 20001 politics, 20002 porn, ...</summary>
public sealed record ContentCheckResult(ContentSuggestion Suggestion, int Label, string? TraceId);

public enum ContentScene
{
    Profile = 1,
    Comment = 2,
    Forum = 3,
    SocialLog = 4,
}

public sealed record WxaCodeRequest(string Scene)
{
    public string? Page { get; init; }
    public bool CheckPath { get; init; } = true;
    /// <summary>release | trial | develop.</summary>
    public string EnvVersion { get; init; } = "release";
    public int Width { get; init; } = 430;
}
