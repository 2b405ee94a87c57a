using System.Net.Http.Json;
using System.Text.Json;
using EBranch.Core.Infrastructure;
using EBranch.Core.WeChat.MiniProgram;
using Microsoft.Extensions.DependencyInjection;

namespace EBranch.WeChat.Tests;

[Collection(EmulatorCollection.Name)]
public class MiniProgramEmulatorTests(EmulatorFixture emulator)
{
    private MiniProgramClient Client => emulator.Product.GetRequiredService<MiniProgramClient>();

    [Fact]
    public async Task Login_ReturnsOpenId_WhenCodeIsFresh()
    {
        var (openId, code) = await emulator.NewUserAsync();
        var session = await Client.LoginAsync(code);
        Assert.Equal(openId, session.OpenId);
        Assert.False(string.IsNullOrEmpty(session.SessionKey));
    }

    [Fact]
    public async Task Login_ThrowsCodeAlreadyUsed_WhenCodeIsReused()
    {
        var (_, code) = await emulator.NewUserAsync();
        await Client.LoginAsync(code);
        var error = await Assert.ThrowsAsync<WeChatLoginException>(() => Client.LoginAsync(code));
        Assert.Equal(LoginError.CodeAlreadyUsed, error.Error);
    }

    [Fact]
    public async Task Login_ThrowsInvalidCode_WhenCodeIsOlderThanFiveMinutes()
    {
        var (_, code) = await emulator.NewUserAsync();
        await emulator.PostControlAsync("/_emulator/time/advance", new { seconds = 301 });
        try
        {
            var error = await Assert.ThrowsAsync<WeChatLoginException>(() => Client.LoginAsync(code));
            Assert.Equal(LoginError.InvalidCode, error.Error);
        }
        finally
        {
            await emulator.PostControlAsync("/_emulator/time/reset");
        }
    }

    [Fact]
    public async Task Login_ThrowsHighRiskUser_WhenUserIsBlocked()
    {
        var (_, code) = await emulator.NewUserAsync(new { highRisk = true });
        var error = await Assert.ThrowsAsync<WeChatLoginException>(() => Client.LoginAsync(code));
        Assert.Equal((LoginError.HighRiskUser, 40226), (error.Error, error.ErrorCode));
    }

    [Fact]
    public async Task Login_ThrowsInvalidAppId_WhenAppIdIsWrong()
    {
        var (_, code) = await emulator.NewUserAsync();
        using var product = emulator.NewProduct(overrides: new Dictionary<string, string?> { ["WeChat:MiniProgram:AppId"] = "wx0000000000000bad" });
        var error = await Assert.ThrowsAsync<WeChatLoginException>(() => product.GetRequiredService<MiniProgramClient>().LoginAsync(code));
        Assert.Equal(LoginError.InvalidAppId, error.Error);
    }

    [Fact]
    public async Task AccessToken_IsFetchedOnce_WhenFiftyCallersOnTwoInstancesAskAtOnce()
    {
        // Two product instances sharing one lock and one store, as two servers sharing Redis would.
        var sharedLock = new InProcessDistributedLock();
        var sharedStore = new InMemoryAccessTokenStore();
        void Shared(IServiceCollection s) => s.AddSingleton<IDistributedLock>(sharedLock).AddSingleton<IAccessTokenStore>(sharedStore);
        using var first = emulator.NewProduct(Shared);
        using var second = emulator.NewProduct(Shared);
        var before = await StableTokenCallsAsync();

        var tokens = await Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
            Task.Run(async () => await (i % 2 == 0 ? first : second).GetRequiredService<IAccessTokenProvider>().GetAsync())));

        Assert.Single(tokens.Distinct());
        Assert.Equal(1, await StableTokenCallsAsync() - before);
    }

    [Fact]
    public async Task BusinessCall_ForceRefreshesOnceAndRetriesOnce_WhenTokenAnswers40001()
    {
        var (openId, _) = await emulator.NewUserAsync();
        using var product = emulator.NewProduct();
        var client = product.GetRequiredService<MiniProgramClient>();
        await client.CheckTextAsync("你好", openId, ContentScene.Comment);
        await emulator.PostControlAsync("/_emulator/faults/invalidate-token");
        var forcedBefore = await CounterAsync("forced_refreshes");
        var callsBefore = await emulator.CallCountAsync("/wxa/msg_sec_check");

        var result = await client.CheckTextAsync("你好", openId, ContentScene.Comment);

        Assert.Equal(ContentSuggestion.Pass, result.Suggestion);
        Assert.Equal(1, await CounterAsync("forced_refreshes") - forcedBefore);
        Assert.Equal(2, await emulator.CallCountAsync("/wxa/msg_sec_check") - callsBefore);
    }

    [Fact]
    public async Task GetPhoneNumber_ReturnsPhone_WhenCodeIsInBody()
    {
        var (openId, _) = await emulator.NewUserAsync(new { phoneNumber = "13912345678" });
        var code = (await emulator.PostControlAsync($"/_emulator/users/{openId}/phone-code")).GetProperty("code").GetString()!;
        var phone = await Client.GetPhoneNumberAsync(code);
        Assert.Equal(("13912345678", "86"), (phone.PurePhoneNumber, phone.CountryCode));
    }

    [Fact]
    public async Task SubscribeSend_IsSentWithFittedValues_WhenUserAcceptedTemplate()
    {
        var (openId, _) = await emulator.NewUserAsync();
        await emulator.PostControlAsync($"/_emulator/users/{openId}/subscriptions", new { templateIds = new[] { "TPL-MEETING" } });
        var message = new SubscribeMessage(openId, "TPL-MEETING", new Dictionary<string, string>
        {
            ["thing1"] = "关于召开二〇二四年第二季度支部党员大会暨组织生活会的通知",
            ["time2"] = "2024-05-01 15:00",
            ["amount3"] = SubscribeValueRules.Amount(5000),
            ["phrase4"] = "待参加",
        }) { Page = "pages/meeting/index" };

        var result = await Client.SendSubscribeMessageAsync(message);

        Assert.Equal(SubscribeSendStatus.Sent, result.Status);
        var sent = (await emulator.LogAsync()).GetProperty("subscribe_messages").EnumerateArray().Last(m => m.GetProperty("touser").GetString() == openId);
        Assert.Equal(20, sent.GetProperty("data").GetProperty("thing1").GetString()!.Length);
    }

    [Fact]
    public async Task SubscribeSend_ReportsNoQuota_WhenAcceptanceIsUsedUp()
    {
        var (openId, _) = await emulator.NewUserAsync();
        await emulator.PostControlAsync($"/_emulator/users/{openId}/subscriptions", new { templateIds = new[] { "TPL-ONCE" } });
        var message = new SubscribeMessage(openId, "TPL-ONCE", new Dictionary<string, string> { ["thing1"] = "通知" });
        Assert.Equal(SubscribeSendStatus.Sent, (await Client.SendSubscribeMessageAsync(message)).Status);

        var second = await Client.SendSubscribeMessageAsync(message);

        Assert.Equal((SubscribeSendStatus.NoQuota, 43101), (second.Status, second.ErrorCode));
    }

    [Fact]
    public async Task SubscribeSend_IsNotSent_WhenValueCannotFitItsType()
    {
        var (openId, _) = await emulator.NewUserAsync();
        var callsBefore = await emulator.CallCountAsync("/cgi-bin/message/subscribe/send");
        var result = await Client.SendSubscribeMessageAsync(new SubscribeMessage(openId, "TPL", new Dictionary<string, string> { ["number1"] = "十二" }));
        Assert.Equal(SubscribeSendStatus.InvalidValue, result.Status);
        Assert.Equal(callsBefore, await emulator.CallCountAsync("/cgi-bin/message/subscribe/send"));
    }

    [Fact]
    public async Task Emulator_Answers47003_WhenValueBreaksRule()
    {
        var token = await emulator.Product.GetRequiredService<IAccessTokenProvider>().GetAsync();
        var (openId, _) = await emulator.NewUserAsync();
        await emulator.PostControlAsync($"/_emulator/users/{openId}/subscriptions", new { templateIds = new[] { "TPL" } });
        using var response = await emulator.Control.PostAsJsonAsync($"/cgi-bin/message/subscribe/send?access_token={token}",
            new { touser = openId, template_id = "TPL", data = new { thing1 = new { value = new string('长', 21) } } });
        Assert.Equal(47003, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errcode").GetInt32());
    }

    [Fact]
    public async Task TemplateMessage_IsSentAndLogged()
    {
        var (openId, _) = await emulator.NewUserAsync();
        var id = await Client.SendTemplateMessageAsync(new TemplateMessage(openId, "OA-TPL-1", new Dictionary<string, string> { ["first"] = "缴费提醒" }));
        Assert.NotEqual(0, id);
        Assert.Contains((await emulator.LogAsync()).GetProperty("template_messages").EnumerateArray(), m => m.GetProperty("msgid").GetInt64() == id);
    }

    [Fact]
    public async Task ContentCheck_ReportsRisky_WhenContentHasConfiguredWord()
    {
        var (openId, _) = await emulator.NewUserAsync();
        await emulator.PostControlAsync("/_emulator/faults/risky-words", new { words = new[] { "违规词" } });
        var result = await Client.CheckTextAsync("这里有违规词", openId, ContentScene.Forum);
        Assert.Equal(ContentSuggestion.Risky, result.Suggestion);
        Assert.NotEqual(100, result.Label);
    }

    [Fact]
    public async Task UnlimitedCode_ReturnsImage_WhenSceneIsValid()
    {
        var image = await Client.GetUnlimitedCodeAsync(new WxaCodeRequest("branch=12&m=3") { Page = "pages/index/index" });
        Assert.Equal([0x89, 0x50, 0x4E, 0x47], image[..4]);
    }

    [Fact]
    public async Task UnlimitedCode_Throws40169_WhenSceneTooLong()
    {
        var error = await Assert.ThrowsAsync<WeChatApiException>(() => Client.GetUnlimitedCodeAsync(new WxaCodeRequest(new string('a', 33))));
        Assert.Equal(40169, error.ErrorCode);
    }

    [Fact]
    public async Task Push_IsVerifiedAndDecrypted_WhenSentInSafeMode()
    {
        var verify = await emulator.PostControlAsync("/_emulator/push/verify-url", new { url = emulator.ReceiverUrl + "/push" });
        Assert.True(verify.GetProperty("echoed").GetBoolean());
        var message = new
        {
            ToUserName = "gh_e0emulator01", FromUserName = "o_push", CreateTime = "1714037059", MsgType = "event", Event = "subscribe_msg_popup_event",
            List = new { TemplateId = "TPL-PUSH", SubscribeStatusString = "accept", PopupScene = "0" },
        };
        var pushed = await emulator.PostControlAsync("/_emulator/push", new { url = emulator.ReceiverUrl + "/push", message = JsonSerializer.Serialize(message), safeMode = true });
        Assert.Equal("success", pushed.GetProperty("reply").GetString());
        var received = emulator.PushEvents.Last(e => e.FromUserName == "o_push");
        Assert.Equal(("subscribe_msg_popup_event", 1714037059L, "TPL-PUSH"), (received.Event, received.CreateTime, received.List.Single().TemplateId));
    }

    private async Task<int> StableTokenCallsAsync() => await CounterAsync("stable_token");

    private async Task<int> CounterAsync(string name) => (await emulator.LogAsync()).GetProperty("counters").GetProperty(name).GetInt32();
}
