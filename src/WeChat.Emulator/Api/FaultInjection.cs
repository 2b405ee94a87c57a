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
        var (delay, failStatus) = state.Locked(() =>
        {
            var faults = state.Faults;
            var wait = faults.DelayNext > 0 ? faults.DelayMilliseconds : 0;
            faults.DelayNext = Math.Max(0, faults.DelayNext - 1);
            var fail = faults.FailNext > 0 ? faults.FailStatus : 0;
            faults.FailNext = Math.Max(0, faults.FailNext - 1);
            return (wait, fail);
        });
        if (delay > 0)
        {
            await Task.Delay(delay, context.RequestAborted);
        }
        if (failStatus == 0)
        {
            await next();
        }
        else if (path.StartsWith("/v3", StringComparison.Ordinal))
        {
            await SignedPayResult.Error(failStatus, "SYSTEM_ERROR", "系统错误").ExecuteAsync(context);
        }
        else
        {
            // The mini-program APIs report trouble as HTTP 200 + errcode -1.
            await MiniProgramApi.Error(-1, "system error").ExecuteAsync(context);
        }
    }
}
