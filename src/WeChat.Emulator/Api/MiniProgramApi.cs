using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using EBranch.WeChat.Emulator.Core;

namespace EBranch.WeChat.Emulator.Api;

/// <summary>api.weixin.qq.com: login, tokens, phone number, messages, content check, codes. Errors are HTTP 200 + errcode.</summary>
public static partial class MiniProgramApi
{
    public static void MapMiniProgramApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/sns/jscode2session", JsCodeToSession);
        app.MapPost("/cgi-bin/stable_token", StableToken);
        app.MapGet("/cgi-bin/token", ClassicToken);
        app.MapPost("/wxa/business/getuserphonenumber", PhoneNumber);
        app.MapPost("/cgi-bin/message/subscribe/send", SubscribeSend);
        app.MapPost("/cgi-bin/message/template/send", TemplateSend);
        app.MapPost("/wxa/msg_sec_check", MessageSecurityCheck);
        app.MapPost("/wxa/getwxacodeunlimit", UnlimitedCode);
    }

    public static IResult Error(int code, string message) =>
        Results.Json(new { errcode = code, errmsg = $"{message} rid: {Guid.NewGuid().ToString("N")[..24]}" });

    private static IResult JsCodeToSession(string? appid, string? secret, string? js_code, string? grant_type,
        EmulatorState state, EmulatorSettings settings, EmulatorClock clock)
    {
        if (appid != settings.AppId)
        {
            return Error(40013, "invalid appid");
        }
        if (secret != settings.AppSecret)
        {
            return Error(40125, "invalid appsecret");
        }
        if (grant_type != "authorization_code")
        {
            return Error(40002, "invalid grant_type");
        }
        return state.Locked(() =>
        {
            if (js_code is null || !state.LoginCodes.TryGetValue(js_code, out var code) || clock.Now - code.IssuedAt > TimeSpan.FromMinutes(5))
            {
                return Error(40029, "invalid code");
            }
            if (code.Used)
            {
                return Error(40163, "code been used");
            }
            var user = state.Users[code.OpenId];
            if (user.HighRisk)
            {
                return Error(40226, "invalid user, high risk");
            }
            user.RecentLogins.RemoveAll(t => clock.Now - t > TimeSpan.FromMinutes(1));
            if (user.RecentLogins.Count >= 100)
            {
                return Error(45011, "api minute-quota reach limit");
            }
            user.RecentLogins.Add(clock.Now);
            code.Used = true;
            return Results.Json(new { openid = user.OpenId, session_key = user.SessionKey, unionid = user.UnionId });
        });
    }

    private static async Task<IResult> StableToken(HttpRequest request, EmulatorState state, EmulatorSettings settings, EmulatorClock clock)
    {
        using var json = await JsonDocument.ParseAsync(request.Body);
        var root = json.RootElement;
        if (Text(root, "grant_type") != "client_credential")
        {
            return Error(40002, "invalid grant_type");
        }
        if (Text(root, "appid") != settings.AppId)
        {
            return Error(40013, "invalid appid");
        }
        if (Text(root, "secret") != settings.AppSecret)
        {
            return Error(40125, "invalid appsecret");
        }
        var force = root.TryGetProperty("force_refresh", out var f) && f.ValueKind == JsonValueKind.True;
        return state.Locked(() =>
        {
            state.StableTokenCalls++;
            var now = clock.Now;
            var current = state.CurrentToken;
            if (force)
            {
                state.ForcedTokenRefreshes++;
                if (current is not null)
                {
                    current.Revoked = true;
                }
                state.PreviousToken = null;
                current = Issue(state, settings, now);
            }
            else if (current is null || current.Revoked || now >= current.ExpiresAt)
            {
                current = Issue(state, settings, now);
            }
            else if (current.ExpiresAt - now <= TimeSpan.FromMinutes(5))
            {
                // Rotation: the old token keeps working for its last minutes (the overlap).
                state.PreviousToken = current;
                current = Issue(state, settings, now);
            }
            return Results.Json(new { access_token = current.Value, expires_in = (int)(current.ExpiresAt - now).TotalSeconds });
        });
    }

    /// <summary>The classic endpoint: a new token on every call, invalidating the others (the cause of 40001 storms).</summary>
    private static IResult ClassicToken(string? grant_type, string? appid, string? secret, EmulatorState state, EmulatorSettings settings, EmulatorClock clock)
    {
        if (appid != settings.AppId || secret != settings.AppSecret || grant_type != "client_credential")
        {
            return Error(40013, "invalid appid or secret");
        }
        return state.Locked(() =>
        {
            state.CurrentToken?.Revoked = true;
            state.PreviousToken = null;
            var token = Issue(state, settings, clock.Now);
            return Results.Json(new { access_token = token.Value, expires_in = settings.TokenLifetimeSeconds });
        });
    }

    public static IssuedToken Issue(EmulatorState state, EmulatorSettings settings, DateTimeOffset now)
    {
        var token = new IssuedToken
        {
            Value = "EMU_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(96)).Replace('+', '-').Replace('/', '_').TrimEnd('='),
            ExpiresAt = now.AddSeconds(settings.TokenLifetimeSeconds),
        };
        state.CurrentToken = token;
        return token;
    }

    /// <summary>0 when the token is usable; else 40001 (invalid / not the latest) or 42001 (expired).</summary>
    private static int CheckToken(EmulatorState state, EmulatorClock clock, string? token)
    {
        if (state.Faults.RejectTokenNext > 0 && !string.IsNullOrEmpty(token))
        {
            state.Faults.RejectTokenNext--;
            return 40001;
        }
        var now = clock.Now;
        foreach (var candidate in new[] { state.CurrentToken, state.PreviousToken })
        {
            if (candidate is not null && candidate.Value == token)
            {
                return candidate.Revoked ? 40001 : now >= candidate.ExpiresAt ? 42001 : 0;
            }
        }
        return string.IsNullOrEmpty(token) ? 41001 : 40001;
    }

    private static async Task<(IResult? Error, JsonDocument? Body)> Authorize(HttpContext context, EmulatorState state, EmulatorClock clock)
    {
        var code = state.Locked(() => CheckToken(state, clock, context.Request.Query["access_token"]));
        if (code != 0)
        {
            return (Error(code, code == 42001 ? "access_token expired" : "invalid credential, access_token is invalid or not latest"), null);
        }
        try
        {
            return (null, await JsonDocument.ParseAsync(context.Request.Body));
        }
        catch (JsonException)
        {
            return (Error(47001, "data format error"), null);
        }
    }

    private static async Task<IResult> PhoneNumber(HttpContext context, EmulatorState state, EmulatorClock clock, EmulatorSettings settings)
    {
        var (error, json) = await Authorize(context, state, clock);
        using var _ = json;
        if (error is not null)
        {
            return error;
        }
        var code = Text(json!.RootElement, "code");
        if (code is null)
        {
            return Error(47001, "data format error: code must be in the JSON body");
        }
        return state.Locked(() =>
        {
            if (!state.PhoneCodes.TryGetValue(code, out var entry) || entry.Used || clock.Now - entry.IssuedAt > TimeSpan.FromMinutes(5))
            {
                return Error(40029, "invalid code");
            }
            entry.Used = true;
            var phone = state.Users[entry.OpenId].PhoneNumber;
            return Results.Json(new
            {
                errcode = 0,
                errmsg = "ok",
                phone_info = new
                {
                    phoneNumber = phone,
                    purePhoneNumber = phone,
                    countryCode = 86,
                    watermark = new { timestamp = clock.Now.ToUnixTimeSeconds(), appid = settings.AppId },
                },
            });
        });
    }

    private static async Task<IResult> SubscribeSend(HttpContext context, EmulatorState state, EmulatorClock clock)
    {
        var (error, json) = await Authorize(context, state, clock);
        using var _ = json;
        if (error is not null)
        {
            return error;
        }
        var root = json!.RootElement;
        var touser = Text(root, "touser");
        var template = Text(root, "template_id");
        if (!root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
        {
            return Error(47001, "data format error: data must be an object");
        }
        var values = new Dictionary<string, string>();
        foreach (var field in data.EnumerateObject())
        {
            var value = field.Value.ValueKind == JsonValueKind.Object && field.Value.TryGetProperty("value", out var v) ? v.GetString() ?? "" : "";
            if (!SubscribeRules.Accepts(field.Name, value))
            {
                return Error(47003, $"argument invalid! data.{field.Name}.value invalid");
            }
            values[field.Name] = value;
        }
        return state.Locked(() =>
        {
            if (touser is null || !state.Users.ContainsKey(touser))
            {
                return Error(40003, "invalid openid");
            }
            if (string.IsNullOrEmpty(template))
            {
                return Error(40037, "invalid template_id");
            }
            var left = state.SubscribeQuota.GetValueOrDefault((touser, template));
            if (left <= 0)
            {
                return Error(43101, "user refuse to accept the msg");
            }
            state.SubscribeQuota[(touser, template)] = left - 1;
            var msgid = Random.Shared.NextInt64(1, long.MaxValue);
            state.SubscribeMessages.Add(new { msgid, touser, template_id = template, page = Text(root, "page"), data = values, sent_at = clock.Now });
            return Results.Json(new { errcode = 0, errmsg = "ok", msgid });
        });
    }

    private static async Task<IResult> TemplateSend(HttpContext context, EmulatorState state, EmulatorClock clock)
    {
        var (error, json) = await Authorize(context, state, clock);
        using var _ = json;
        if (error is not null)
        {
            return error;
        }
        var root = json!.RootElement;
        if (string.IsNullOrEmpty(Text(root, "touser")))
        {
            return Error(40003, "invalid openid");
        }
        if (string.IsNullOrEmpty(Text(root, "template_id")))
        {
            return Error(40037, "invalid template_id");
        }
        var msgid = Random.Shared.NextInt64(1, long.MaxValue);
        state.Locked(() => state.TemplateMessages.Add(new { msgid, body = JsonSerializer.Deserialize<JsonElement>(root.GetRawText()), sent_at = clock.Now }));
        return Results.Json(new { errcode = 0, errmsg = "ok", msgid });
    }

    private static async Task<IResult> MessageSecurityCheck(HttpContext context, EmulatorState state, EmulatorClock clock, EmulatorSettings settings)
    {
        var (error, json) = await Authorize(context, state, clock);
        using var _ = json;
        if (error is not null)
        {
            return error;
        }
        var root = json!.RootElement;
        var content = Text(root, "content") ?? "";
        if (!root.TryGetProperty("version", out var version) || version.GetInt32() != 2)
        {
            return Error(40097, "invalid args: version must be 2");
        }
        if (content.Length > 2500)
        {
            return Error(40097, "invalid args: content longer than 2500");
        }
        if (!state.Locked(() => state.Users.ContainsKey(Text(root, "openid") ?? "")))
        {
            return Error(40003, "invalid openid");
        }
        var risky = state.Locked(() => state.RiskyWords.FirstOrDefault(content.Contains));
        var review = settings.ReviewWords.FirstOrDefault(content.Contains);
        var (suggest, label, keyword) = risky is not null ? ("risky", 20006, risky) : review is not null ? ("review", 21000, review) : ("pass", 100, (string?)null);
        var traceId = Guid.NewGuid().ToString("N");
        state.Locked(() => state.ContentChecks.Add(new { content, suggest, label, trace_id = traceId }));
        return Results.Json(new
        {
            errcode = 0,
            errmsg = "ok",
            result = new { suggest, label },
            detail = new[] { new { strategy = "content_model", errcode = 0, suggest, label, prob = keyword is null ? 0 : 90, keyword } },
            trace_id = traceId,
        });
    }

    private static async Task<IResult> UnlimitedCode(HttpContext context, EmulatorState state, EmulatorClock clock)
    {
        var (error, json) = await Authorize(context, state, clock);
        using var _ = json;
        if (error is not null)
        {
            return error;
        }
        var root = json!.RootElement;
        var scene = Text(root, "scene") ?? "";
        if (scene.Length is 0 or > 32 || !ScenePattern().IsMatch(scene))
        {
            return Error(40169, "invalid length for scene, or the data is not json string");
        }
        var page = Text(root, "page");
        if (page is not null && (page.StartsWith('/') || page.Contains('?')))
        {
            return Error(41030, "invalid page rid");
        }
        var width = root.TryGetProperty("width", out var w) ? w.GetInt32() : 430;
        return Results.Bytes(TinyPng.Create(Math.Clamp(width, 280, 1280) / 10, scene), "image/png");
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    [GeneratedRegex(@"^[0-9A-Za-z!#$&'()*+,/:;=?@\-._~]+$")]
    private static partial Regex ScenePattern();
}
