using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EBranch.Core.WeChat.MiniProgram;

/// <summary>
/// Mini-program server APIs (login, phone number, subscribe/template messages, content check, codes). Nothing is
/// retried except once after a stale token (40001/42001); trouble at WeChat is thrown as <see cref="WeChatUnavailableException"/>.
/// </summary>
public sealed class MiniProgramClient(
    IHttpClientFactory httpClientFactory,
    IOptions<MiniProgramOptions> options,
    IAccessTokenProvider accessTokens,
    ILogger<MiniProgramClient> logger)
{
    public const string HttpClientName = "WeChat.MiniProgram";
    private const int NoSubscribeQuota = 43101;
    private const int SubscribeValueBroken = 47003;
    private const int SystemBusy = -1;
    private static readonly int[] StaleTokenCodes = [40001, 42001];
    private readonly MiniProgramOptions _options = options.Value;

    /// <summary>Exchanges a <c>wx.login</c> code. Throws <see cref="WeChatLoginException"/> (see <see cref="LoginError"/>).</summary>
    public async Task<LoginSession> LoginAsync(string jsCode, CancellationToken cancellationToken = default)
    {
        var path = $"/sns/jscode2session?appid={Uri.EscapeDataString(_options.AppId)}&secret={Uri.EscapeDataString(_options.AppSecret)}" +
                   $"&js_code={Uri.EscapeDataString(jsCode)}&grant_type=authorization_code";
        var (bytes, _) = await SendAsync(Http(), () => new HttpRequestMessage(HttpMethod.Get, Url(path)), "jscode2session", logger, cancellationToken);
        using var json = ParseJson(bytes, "jscode2session", logger);
        var root = json.RootElement;
        var (code, message) = ErrorOf(root);
        if (code != 0)
        {
            throw new WeChatLoginException(code, message);
        }
        return new LoginSession(root.GetProperty("openid").GetString()!, root.GetProperty("session_key").GetString()!,
            root.TryGetProperty("unionid", out var union) ? union.GetString() : null);
    }

    /// <summary>Phone number from a <c>getPhoneNumber</c> button code (the code goes in the body).</summary>
    public async Task<PhoneInfo> GetPhoneNumberAsync(string code, CancellationToken cancellationToken = default)
    {
        using var json = await PostWithTokenAsync("/wxa/business/getuserphonenumber", new { code }, cancellationToken);
        ThrowOnError(json.RootElement, "getuserphonenumber");
        return json.RootElement.GetProperty("phone_info").Deserialize<PhoneInfo>(WeChatJson.Options)!;
    }

    /// <summary>Fits every value to its keyword type, then sends. No quota (43101) is a result, not an exception.</summary>
    public async Task<SubscribeSendResult> SendSubscribeMessageAsync(SubscribeMessage message, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>();
        foreach (var (keyword, raw) in message.Data)
        {
            var fit = SubscribeValueRules.Fit(keyword, raw, message.EnumValues?.GetValueOrDefault(keyword));
            if (!fit.Fits)
            {
                return new SubscribeSendResult(SubscribeSendStatus.InvalidValue, 0, $"{keyword} {fit.Problem}");
            }
            data[keyword] = new { value = fit.Value };
        }
        var body = new
        {
            touser = message.ToUser,
            template_id = message.TemplateId,
            page = message.Page,
            data,
            miniprogram_state = message.MiniProgramState,
            lang = message.Lang,
        };
        using var json = await PostWithTokenAsync("/cgi-bin/message/subscribe/send", body, cancellationToken);
        var (code, errmsg) = ErrorOf(json.RootElement);
        return code switch
        {
            0 => SubscribeSendResult.Sent,
            NoSubscribeQuota => new SubscribeSendResult(SubscribeSendStatus.NoQuota, code, errmsg),
            SubscribeValueBroken => new SubscribeSendResult(SubscribeSendStatus.InvalidValue, code, errmsg),
            _ => new SubscribeSendResult(SubscribeSendStatus.Failed, code, errmsg),
        };
    }

    /// <summary>Sends an official-account template message; returns its msgid.</summary>
    public async Task<long> SendTemplateMessageAsync(TemplateMessage message, CancellationToken cancellationToken = default)
    {
        var body = new
        {
            touser = message.ToUser,
            template_id = message.TemplateId,
            url = message.Url,
            miniprogram = message.MiniProgramAppId is null ? null : new { appid = message.MiniProgramAppId, pagepath = message.MiniProgramPagePath },
            data = message.Data.ToDictionary(p => p.Key, p => new { value = p.Value }),
        };
        using var json = await PostWithTokenAsync("/cgi-bin/message/template/send", body, cancellationToken);
        ThrowOnError(json.RootElement, "template/send");
        return json.RootElement.TryGetProperty("msgid", out var id) ? id.GetInt64() : 0;
    }

    /// <summary>Text content check, version 2. <paramref name="openId"/> must have used the mini-program in the last 2 hours.</summary>
    public async Task<ContentCheckResult> CheckTextAsync(string content, string openId, ContentScene scene, CancellationToken cancellationToken = default)
    {
        using var json = await PostWithTokenAsync("/wxa/msg_sec_check", new { content, version = 2, scene = (int)scene, openid = openId }, cancellationToken);
        ThrowOnError(json.RootElement, "msg_sec_check");
        var result = json.RootElement.GetProperty("result");
        var suggestion = Enum.Parse<ContentSuggestion>(result.GetProperty("suggest").GetString()!, ignoreCase: true);
        var label = result.GetProperty("label");
        return new ContentCheckResult(suggestion, label.ValueKind == JsonValueKind.String ? int.Parse(label.GetString()!) : label.GetInt32(),
            json.RootElement.TryGetProperty("trace_id", out var trace) ? trace.GetString() : null);
    }

    /// <summary>An unlimited mini-program code image; a JSON answer instead of an image is thrown as <see cref="WeChatApiException"/>.</summary>
    public async Task<byte[]> GetUnlimitedCodeAsync(WxaCodeRequest request, CancellationToken cancellationToken = default)
    {
        var body = new { scene = request.Scene, page = request.Page, check_path = request.CheckPath, env_version = request.EnvVersion, width = request.Width };
        var (bytes, isJson) = await SendWithTokenAsync("/wxa/getwxacodeunlimit", body, cancellationToken);
        if (!isJson)
        {
            return bytes;
        }
        using var json = ParseJson(bytes, "getwxacodeunlimit", logger);
        ThrowOnError(json.RootElement, "getwxacodeunlimit");
        throw new WeChatApiException(0, "JSON answer without an image", "getwxacodeunlimit");
    }

    internal static (int Code, string Message) ErrorOf(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("errcode", out var code) && code.GetInt32() != 0
            ? (code.GetInt32(), root.TryGetProperty("errmsg", out var msg) ? msg.GetString() ?? "" : "")
            : (0, "");

    internal static void ThrowOnError(JsonElement root, string api)
    {
        var (code, message) = ErrorOf(root);
        if (code == SystemBusy || StaleTokenCodes.Contains(code))
        {
            // Busy, or the token was refused even after the one refresh: WeChat's trouble, not the caller's.
            throw new WeChatUnavailableException(api, $"{code} {message}");
        }
        if (code != 0)
        {
            throw new WeChatApiException(code, message, api);
        }
    }

    /// <summary>
    /// One HTTP exchange with WeChat. No connection, a timeout (<see cref="MiniProgramOptions.Timeout"/>) or a non-2xx
    /// answer becomes <see cref="WeChatUnavailableException"/>; the caller's own cancellation stays a cancellation.
    /// </summary>
    internal static async Task<(byte[] Body, string MediaType)> SendAsync(HttpClient http, Func<HttpRequestMessage> request, string api, ILogger logger,
        CancellationToken cancellationToken)
    {
        string problem;
        var unknown = false;
        try
        {
            using var message = request();
            using var response = await http.SendAsync(message, cancellationToken);
            var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return (bytes, response.Content.Headers.ContentType?.MediaType ?? "");
            }
            problem = $"HTTP {(int)response.StatusCode}";
        }
        catch (HttpRequestException ex)
        {
            problem = ex.Message;
            // Not connected at all: the request never reached WeChat. Anything else broke after it may have.
            unknown = ex.HttpRequestError is not (HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            problem = $"no answer within {http.Timeout.TotalSeconds:0.###} s";
            unknown = true;
        }
        logger.LogWarning("WeChat {Api} unavailable: {Problem}", api, problem);
        throw new WeChatUnavailableException(api, problem, unknown);
    }

    /// <summary>The JSON of an answer; anything else (a proxy's page) means WeChat is not really answering.</summary>
    internal static JsonDocument ParseJson(byte[] body, string api, ILogger logger)
    {
        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            logger.LogWarning("WeChat {Api} answered something that is not JSON ({Length} bytes)", api, body.Length);
            throw new WeChatUnavailableException(api, "not JSON");
        }
    }

    private async Task<JsonDocument> PostWithTokenAsync(string path, object body, CancellationToken cancellationToken)
    {
        var (bytes, _) = await SendWithTokenAsync(path, body, cancellationToken);
        return ParseJson(bytes, path, logger);
    }

    /// <summary>Posts with the shared token; on 40001/42001 force-refreshes once and retries once.</summary>
    private async Task<(byte[] Body, bool IsJson)> SendWithTokenAsync(string path, object body, CancellationToken cancellationToken)
    {
        var token = await accessTokens.GetAsync(cancellationToken);
        var answer = await PostAsync(path, token, body, cancellationToken);
        if (answer.IsJson && StaleTokenCodes.Contains(ErrorCodeOf(answer.Body, path)))
        {
            token = await accessTokens.ForceRefreshAsync(token, cancellationToken);
            answer = await PostAsync(path, token, body, cancellationToken);
        }
        return answer;
    }

    private async Task<(byte[] Body, bool IsJson)> PostAsync(string path, string token, object body, CancellationToken cancellationToken)
    {
        var (bytes, mediaType) = await SendAsync(Http(), () => new HttpRequestMessage(HttpMethod.Post, Url($"{path}?access_token={Uri.EscapeDataString(token)}"))
        {
            Content = JsonContent.Create(body, options: WeChatJson.Options),
        }, path, logger, cancellationToken);
        var isJson = mediaType.Contains("json", StringComparison.OrdinalIgnoreCase) || mediaType.StartsWith("text/", StringComparison.OrdinalIgnoreCase)
                     || (bytes.Length > 0 && bytes[0] == (byte)'{');
        return (bytes, isJson);
    }

    private int ErrorCodeOf(byte[] body, string api)
    {
        using var json = ParseJson(body, api, logger);
        return ErrorOf(json.RootElement).Code;
    }

    private HttpClient Http() => httpClientFactory.CreateClient(HttpClientName);

    private Uri Url(string pathAndQuery) => new(new Uri(_options.BaseUrl), pathAndQuery);
}
