using EBranch.Core.Common;
using EBranch.Core.WeChat.MiniProgram;
using Microsoft.Extensions.DependencyInjection;

namespace EBranch.WeChat.Tests;

/// <summary>
/// The mini-program client when WeChat is in trouble: a gateway error page, no answer in time, every access token
/// refused. Each becomes <see cref="WeChatUnavailableException"/> (the hosts' 503) after a bounded number of calls.
/// Each test uses a product instance of its own, so its token state touches no other test.
/// </summary>
[Collection(EmulatorCollection.Name)]
public sealed class MiniProgramFaultTests(EmulatorFixture emulator)
{
    private const string ContentCheck = "/wxa/msg_sec_check";

    [Theory]
    [InlineData("http-502")]
    [InlineData("errcode-1")]
    [InlineData("too-slow")]
    public async Task BusinessCall_IsNotRetried_AndThrowsUnavailable_WhenWeChatFails(string fault)
    {
        var (openId, _) = await emulator.NewUserAsync();
        using var product = emulator.NewProduct(overrides: new Dictionary<string, string?> { ["WeChat:MiniProgram:Timeout"] = "00:00:01" });
        var client = product.GetRequiredService<MiniProgramClient>();
        await client.CheckTextAsync("你好", openId, ContentScene.Comment);
        var calls = await emulator.CallCountAsync(ContentCheck);
        try
        {
            await emulator.PostControlAsync(fault == "too-slow" ? "/_emulator/faults/delay" : "/_emulator/faults/fail-next", fault switch
            {
                "http-502" => new { count = 1, status = 502, path = ContentCheck, http = true },
                "errcode-1" => (object)new { count = 1, path = ContentCheck },
                _ => new { milliseconds = 2500, count = 1, path = ContentCheck },
            });

            var error = await Assert.ThrowsAsync<WeChatUnavailableException>(() => client.CheckTextAsync("你好", openId, ContentScene.Comment));

            Assert.Equal((ErrorKind.Unavailable, "service_unavailable"), (error.Kind, error.Code));
            // Only a missing answer leaves the outcome open (WeChat may have carried the call out); an answer says it did not.
            Assert.Equal(fault == "too-slow", error.OutcomeUnknown);
            Assert.Equal(calls + 1, await emulator.CallCountAsync(ContentCheck));
            Assert.Equal(ContentSuggestion.Pass, (await client.CheckTextAsync("你好", openId, ContentScene.Comment)).Suggestion);
        }
        finally
        {
            await emulator.Control.DeleteAsync("/_emulator/faults");
        }
    }

    [Fact]
    public async Task TokenStorm_ForcesOneRefresh_ThenNoMoreWithinTheInterval_AndRecovers()
    {
        var (openId, _) = await emulator.NewUserAsync();
        using var product = emulator.NewProduct();
        var client = product.GetRequiredService<MiniProgramClient>();
        await client.CheckTextAsync("你好", openId, ContentScene.Comment);
        var forced = await CounterAsync("forced_refreshes");
        var calls = await emulator.CallCountAsync(ContentCheck);
        try
        {
            await emulator.PostControlAsync("/_emulator/faults/reject-token", new { count = 1000 });

            // The first call: refused, one forced refresh, one retry, refused again.
            await Assert.ThrowsAsync<WeChatUnavailableException>(() => client.CheckTextAsync("你好", openId, ContentScene.Comment));
            Assert.Equal((forced + 1, calls + 2), (await CounterAsync("forced_refreshes"), await emulator.CallCountAsync(ContentCheck)));
            // The next ones: the freshly forced token is refused too, so no more forcing (WeChat allows 20 a day, 30 s apart).
            for (var i = 0; i < 3; i++)
            {
                await Assert.ThrowsAsync<WeChatUnavailableException>(() => client.CheckTextAsync("你好", openId, ContentScene.Comment));
            }
            Assert.Equal((forced + 1, calls + 5), (await CounterAsync("forced_refreshes"), await emulator.CallCountAsync(ContentCheck)));
        }
        finally
        {
            await emulator.Control.DeleteAsync("/_emulator/faults");
        }
        // Over: the forced token works.
        Assert.Equal(ContentSuggestion.Pass, (await client.CheckTextAsync("你好", openId, ContentScene.Comment)).Suggestion);
        Assert.Equal(forced + 1, await CounterAsync("forced_refreshes"));
    }

    private async Task<int> CounterAsync(string name) => (await emulator.LogAsync()).GetProperty("counters").GetProperty(name).GetInt32();
}
