using EBranch.WeChat.Emulator.Core;

namespace EBranch.WeChat.Emulator.Api;

/// <summary>Counts calls to the WeChat APIs and applies the injected delays and failures.</summary>
public static class FaultInjection
{
    public static async Task Apply(HttpContext context, Func<Task> next)
    {
        var path = context.Request.Path.Value ?? "";
        if (path.StartsWith("/_emulator", StringComparison.Ordinal) || path == "/")
        {
            await next();
            return;
        }
        var state = context.RequestServices.GetRequiredService<EmulatorState>();
        state.CallCounts.AddOrUpdate(path, 1, (_, n) => n + 1);
        var (delay, delayAfter, failStatus, failHttp) = state.Locked(() =>
        {
            var faults = state.Faults;
            var wait = 0;
            if (faults.DelayNext > 0 && Matches(path, faults.DelayPath))
            {
                wait = faults.DelayMilliseconds;
                faults.DelayNext--;
            }
            var fail = 0;
            if (faults.FailNext > 0 && Matches(path, faults.FailPath))
            {
                fail = faults.FailStatus;
                faults.FailNext--;
            }
            return (wait, faults.DelayAfter, fail, faults.FailHttp);
        });
        if (delay > 0 && !delayAfter)
        {
            await Task.Delay(delay, context.RequestAborted);
        }
        if (failStatus == 0)
        {
            if (delay > 0 && delayAfter)
            {
                await AnswerLateAsync(context, next, delay);
                return;
            }
            await next();
        }
        else if (path.StartsWith("/v3", StringComparison.Ordinal))
        {
            await SignedPayResult.Error(failStatus, "SYSTEM_ERROR", "系统错误").ExecuteAsync(context);
        }
        else if (failHttp)
        {
            // What a proxy in front of api.weixin.qq.com answers when it is in trouble: a bare error page.
            context.Response.StatusCode = failStatus;
            context.Response.ContentType = "text/html";
            await context.Response.WriteAsync($"<html><body>{failStatus}</body></html>");
        }
        else
        {
            // The mini-program APIs report trouble as HTTP 200 + errcode -1.
            await MiniProgramApi.Error(-1, "system error").ExecuteAsync(context);
        }
    }

    private static bool Matches(string path, string? only) => only is null || path == only;

    /// <summary>The call takes effect at once; its answer leaves only after <paramref name="delay"/> ms (if the caller still waits).</summary>
    private static async Task AnswerLateAsync(HttpContext context, Func<Task> next, int delay)
    {
        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next();
        }
        finally
        {
            context.Response.Body = original;
        }
        try
        {
            await Task.Delay(delay, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        buffer.Position = 0;
        await buffer.CopyToAsync(original, context.RequestAborted);
    }
}
