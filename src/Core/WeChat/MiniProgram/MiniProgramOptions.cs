using Microsoft.Extensions.Options;

namespace EBranch.Core.WeChat.MiniProgram;

/// <summary>Configuration section <c>WeChat:MiniProgram</c>.</summary>
public sealed class MiniProgramOptions
{
    public const string Section = "WeChat:MiniProgram";

    public string AppId { get; set; } = "";
    public string AppSecret { get; set; } = "";
    /// <summary>Host root; API paths are appended.</summary>
    public string BaseUrl { get; set; } = "https://api.weixin.qq.com";
    /// <summary>Message-push token (optional unless message push is used).</summary>
    public string? PushToken { get; set; }
    /// <summary>Message-push EncodingAESKey, 43 characters (optional unless safe-mode push is used).</summary>
    public string? PushEncodingAESKey { get; set; }
    /// <summary>Refresh the cached access token this long before it expires (WeChat rotates 5 minutes early).</summary>
    public TimeSpan TokenRefreshMargin { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>A token obtained with force_refresh and refused again within this long is not forced again (WeChat: 20 a day, 30 s apart).</summary>
    public TimeSpan ForceRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>Timeout of one HTTP call (nothing is retried but a stale token).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
}

internal sealed class MiniProgramOptionsValidator : IValidateOptions<MiniProgramOptions>
{
    public ValidateOptionsResult Validate(string? name, MiniProgramOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.AppId))
        {
            failures.Add($"{MiniProgramOptions.Section}:AppId is required (the mini-program appid, e.g. wx1234567890abcdef).");
        }
        if (string.IsNullOrWhiteSpace(options.AppSecret))
        {
            failures.Add($"{MiniProgramOptions.Section}:AppSecret is required.");
        }
        if (!Uri.TryCreate(options.BaseUrl, UriKind.Absolute, out _))
        {
            failures.Add($"{MiniProgramOptions.Section}:BaseUrl must be an absolute URL (default https://api.weixin.qq.com), got '{options.BaseUrl}'.");
        }
        if (!string.IsNullOrEmpty(options.PushEncodingAESKey) && options.PushEncodingAESKey.Length != 43)
        {
            failures.Add($"{MiniProgramOptions.Section}:PushEncodingAESKey must be exactly 43 characters, got {options.PushEncodingAESKey.Length}.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
