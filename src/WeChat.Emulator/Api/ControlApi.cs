using System.Security.Cryptography;
using System.Text.Json;
using EBranch.WeChat.Emulator.Core;

namespace EBranch.WeChat.Emulator.Api;

public sealed record NewUser(string? PhoneNumber, bool HighRisk = false);
public sealed record QuotaGrant(string[] TemplateIds, int Count = 1);
public sealed record PayOutcome(string Outcome = "success");
public sealed record RefundOutcome(string Status = "SUCCESS");
public sealed record Mismatch(string Kind, string? OutTradeNo);
public sealed record FailNext(int Count, int Status = 500, string? Path = null, bool Http = false);
public sealed record Delay(int Milliseconds, int Count = 1, string? Path = null, bool After = false);
public sealed record TokenStorm(int Count);
public sealed record WordList(string[] Words);
public sealed record NotificationFaults(bool? Duplicate, bool? OutOfOrder, string? Corrupt, int CorruptCount = 1);
public sealed record Target(string Url);
public sealed record PushRequest(string Url, JsonElement Message, bool SafeMode = true);
public sealed record SigningMode(string Mode);
public sealed record Advance(double Seconds);

/// <summary>The test/developer side of the emulator: users, codes, payments, faults, inspection.</summary>
public static class ControlApi
{
    public static void MapControlApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/_emulator");
        api.MapGet("/config", (EmulatorConfig config, HttpContext context) => config.Describe($"{context.Request.Scheme}://{context.Request.Host}"));
        api.MapPost("/users", CreateUser);
        api.MapPost("/users/{openId}/code", (string openId, EmulatorState state, EmulatorClock clock) => IssueCode(state, state.LoginCodes, openId, clock));
        api.MapPost("/users/{openId}/phone-code", (string openId, EmulatorState state, EmulatorClock clock) => IssueCode(state, state.PhoneCodes, openId, clock));
        api.MapPost("/users/{openId}/subscriptions", GrantQuota);
        api.MapGet("/users/{openId}/subscriptions", (string openId, EmulatorState state) =>
            state.Locked(() => state.SubscribeQuota.Where(q => q.Key.OpenId == openId).ToDictionary(q => q.Key.TemplateId, q => q.Value)));
        api.MapPost("/orders/{outTradeNo}/pay", (string outTradeNo, PayOutcome? outcome, PaymentDesk desk) =>
            desk.Pay(outTradeNo, outcome?.Outcome ?? "success") is { } view ? Results.Ok(view) : Results.NotFound());
        api.MapPost("/refunds/{outRefundNo}/complete", (string outRefundNo, RefundOutcome? outcome, PaymentDesk desk) =>
            desk.Complete(outRefundNo, outcome?.Status ?? "SUCCESS") is { } view ? Results.Ok(view) : Results.NotFound());
        api.MapPost("/bills/{date}/mismatches", (string date, Mismatch mismatch, EmulatorState state) =>
        {
            state.Locked(() =>
            {
                if (!state.BillMismatches.TryGetValue(date, out var list))
                {
                    state.BillMismatches[date] = list = [];
                }
                list.Add(new BillMismatch(mismatch.Kind, mismatch.OutTradeNo));
            });
            return Results.NoContent();
        });
        api.MapPost("/faults/fail-next", (FailNext fault, EmulatorState state) => state.Locked(() =>
        {
            state.Faults.FailNext = fault.Count;
            state.Faults.FailStatus = fault.Status;
            state.Faults.FailPath = fault.Path;
            state.Faults.FailHttp = fault.Http;
            return Results.NoContent();
        }));
        api.MapPost("/faults/delay", (Delay fault, EmulatorState state) => state.Locked(() =>
        {
            state.Faults.DelayMilliseconds = fault.Milliseconds;
            state.Faults.DelayNext = fault.Count;
            state.Faults.DelayPath = fault.Path;
            state.Faults.DelayAfter = fault.After;
            return Results.NoContent();
        }));
        api.MapPost("/faults/invalidate-token", (EmulatorState state) => state.Locked(() =>
        {
            state.CurrentToken?.Revoked = true;
            state.PreviousToken?.Revoked = true;
            return Results.NoContent();
        }));
        api.MapPost("/faults/reject-token", (TokenStorm storm, EmulatorState state) => state.Locked(() =>
        {
            state.Faults.RejectTokenNext = storm.Count;
            return Results.NoContent();
        }));
        api.MapPost("/faults/risky-words", (WordList words, EmulatorState state) => state.Locked(() =>
        {
            state.RiskyWords.UnionWith(words.Words);
            return Results.NoContent();
        }));
        api.MapPost("/faults/notifications", (NotificationFaults fault, EmulatorState state) => state.Locked(() =>
        {
            state.Faults.DuplicateNotifications = fault.Duplicate ?? state.Faults.DuplicateNotifications;
            state.Faults.OutOfOrderNotifications = fault.OutOfOrder ?? state.Faults.OutOfOrderNotifications;
            if (fault.Corrupt is not null)
            {
                state.Faults.Corrupt = fault.Corrupt;
                state.Faults.CorruptCount = fault.CorruptCount;
            }
            return Results.NoContent();
        }));
        api.MapDelete("/faults", (EmulatorState state, EmulatorSettings settings) => state.Locked(() =>
        {
            state.Faults.FailNext = state.Faults.DelayNext = state.Faults.CorruptCount = state.Faults.RejectTokenNext = 0;
            state.Faults.FailPath = state.Faults.DelayPath = null;
            state.Faults.FailHttp = state.Faults.DelayAfter = false;
            state.Faults.DuplicateNotifications = state.Faults.OutOfOrderNotifications = false;
            state.RiskyWords.Clear();
            state.RiskyWords.UnionWith(settings.RiskyWords);
            return Results.NoContent();
        }));
        api.MapPost("/probes/signtest", async (Target target, PayNotifier notifier) => Results.Ok(new { status = await notifier.ProbeAsync(target.Url) }));
        api.MapPost("/pay/signing-mode", (SigningMode mode, EmulatorState state) =>
            mode.Mode is "public-key" or "certificate"
                ? state.Locked(() => { state.SigningMode = mode.Mode; return Results.NoContent(); })
                : Results.BadRequest(new { error = "mode must be public-key or certificate" }));
        api.MapPost("/push", async (PushRequest push, PushSender sender) =>
            Results.Ok(await sender.PushAsync(push.Url, push.Message.ValueKind == JsonValueKind.String ? push.Message.GetString()! : push.Message.GetRawText(), push.SafeMode)));
        api.MapPost("/push/verify-url", async (Target target, PushSender sender) => Results.Ok(await sender.VerifyUrlAsync(target.Url)));
        api.MapPost("/time/advance", (Advance advance, EmulatorClock clock) =>
        {
            clock.Advance(TimeSpan.FromSeconds(advance.Seconds));
            return Results.Ok(new { now = clock.Now });
        });
        api.MapPost("/time/reset", (EmulatorClock clock) =>
        {
            clock.Reset();
            return Results.Ok(new { now = clock.Now });
        });
        api.MapGet("/orders", (EmulatorState state) => state.Locked(() => new
        {
            orders = state.Orders.Values.OrderBy(o => o.CreatedAt)
                .Select(o => new { out_trade_no = o.OutTradeNo, state = o.State, total = o.Total, refunded = o.Refunded, openid = o.OpenId }).ToList(),
            refunds = state.Refunds.Values.OrderBy(r => r.CreatedAt)
                .Select(r => new { out_refund_no = r.OutRefundNo, out_trade_no = r.Order.OutTradeNo, status = r.Status, amount = r.Amount }).ToList(),
        }));
        api.MapGet("/log", Log);
        api.MapGet("", (EmulatorState state) => Results.Content(LogPage.Render(Log(state)), "text/html; charset=utf-8"));
    }

    private static IResult CreateUser(NewUser? user, EmulatorState state, EmulatorClock clock)
    {
        var openId = "o" + Token(20);
        state.Locked(() => state.Users[openId] = new EmulatedUser
        {
            OpenId = openId, UnionId = "u" + Token(20), SessionKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)),
            PhoneNumber = user?.PhoneNumber ?? "138" + Random.Shared.Next(10_000_000, 99_999_999), HighRisk = user?.HighRisk ?? false,
        });
        var code = state.Locked(() => NewCode(state.LoginCodes, openId, clock));
        return Results.Ok(new { openid = openId, code });
    }

    private static IResult IssueCode(EmulatorState state, Dictionary<string, OneTimeCode> codes, string openId, EmulatorClock clock) =>
        state.Locked(() => state.Users.ContainsKey(openId) ? Results.Ok(new { openid = openId, code = NewCode(codes, openId, clock) }) : Results.NotFound());

    private static string NewCode(Dictionary<string, OneTimeCode> codes, string openId, EmulatorClock clock)
    {
        var code = Token(32);
        codes[code] = new OneTimeCode(code, openId, clock.Now);
        return code;
    }

    private static IResult GrantQuota(string openId, QuotaGrant grant, EmulatorState state) => state.Locked(() =>
    {
        if (!state.Users.ContainsKey(openId))
        {
            return Results.NotFound();
        }
        // wx.requestSubscribeMessage takes at most 3 templates; each "accept" allows one send.
        foreach (var template in grant.TemplateIds.Take(3))
        {
            state.SubscribeQuota[(openId, template)] = state.SubscribeQuota.GetValueOrDefault((openId, template)) + grant.Count;
        }
        return Results.NoContent();
    });

    private static object Log(EmulatorState state) => state.Locked(() => new
    {
        counters = new { stable_token = state.StableTokenCalls, forced_refreshes = state.ForcedTokenRefreshes, calls = state.CallCounts.ToDictionary() },
        subscribe_messages = state.SubscribeMessages.ToList(),
        template_messages = state.TemplateMessages.ToList(),
        content_checks = state.ContentChecks.ToList(),
        push_deliveries = state.PushDeliveries.ToList(),
        notifications = state.Notifications.Select(n => new
        {
            n.Id, event_type = n.EventType, n.Url, reference = n.Reference, acknowledged = n.Acknowledged, gave_up = n.GaveUp,
            attempts = n.Attempts.Select(a => new { at = a.At, status = a.Status, fault = a.Fault, error = a.Error }).ToList(),
        }).ToList(),
    });

    private static string Token(int length) =>
        RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", length);
}
