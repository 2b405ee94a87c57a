using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EBranch.Core.Demo;
using EBranch.Core.Dues;
using EBranch.Core.Members;
using EBranch.Core.WeChat.MiniProgram;
using EBranch.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EBranch.Tests.Reliability;

/// <summary>
/// What the four hosts of <see cref="ClusterFixture"/> log at Debug (framework, EF Core's SQL, Quartz, FusionCache, data
/// protection, ours) during a realistic run holds none of the secrets or personal numbers that run handled.
/// </summary>
public sealed partial class ClusterTests
{
    [ReliabilityFact]
    public async Task ARealisticRun_LeavesNoSecretTokenOrPersonalNumberInAnyLogLine()
    {
        var secrets = new List<(string What, string Value)>();
        var demo = DemoIdentities.Members;
        foreach (var member in demo)
        {
            secrets.Add(($"ID number of {member.Name}", member.IdNumber));
            secrets.Add(($"phone of {member.Name}", member.Phone));
        }

        // Mini-program: log in, bind a demo member by ID number (gateway A) and another by phone (gateway B).
        var (byId, byIdOpenId, byIdLogin) = await cluster.A.LoginNewUserAsync();
        secrets.Add(("session token", byIdLogin.GetProperty("token").GetString()!));
        (await byId.PostAsJsonAsync("/api/v1/binding/id-number", new { name = demo[0].Name, idNumber = demo[0].IdNumber })).EnsureSuccessStatusCode();
        var (byPhone, byPhoneOpenId, byPhoneLogin) = await cluster.B.LoginNewUserAsync(new { phoneNumber = demo[1].Phone });
        secrets.Add(("session token", byPhoneLogin.GetProperty("token").GetString()!));
        var phoneCode = await cluster.Emulator.PhoneCodeAsync(byPhoneOpenId);
        (await byPhone.PostAsJsonAsync("/api/v1/binding/phone", new { name = demo[1].Name, phoneCode })).EnsureSuccessStatusCode();
        Assert.True((await byPhone.GetFromJsonAsync<JsonElement>("/api/v1/me")).GetProperty("isMember").GetBoolean());
        // A wrong ID number (the binding is refused, and the attempt is counted).
        (await byPhone.PostAsJsonAsync("/api/v1/binding/id-number", new { name = demo[2].Name, idNumber = "110101199003070000" })).Dispose();
        secrets.Add(("mistyped ID number", "110101199003070000"));

        // Dues: a member added with ID number and phone pays this month's bill; WeChat Pay notifies gateway A.
        var (payerId, payerIdNumber) = await cluster.A.AddMemberAsync("日志缴费", "13700001234");
        secrets.Add(("ID number of the payer", payerIdNumber));
        secrets.Add(("phone of the payer", "13700001234"));
        var (payer, _, payerLogin) = await cluster.A.LoginNewUserAsync();
        secrets.Add(("session token", payerLogin.GetProperty("token").GetString()!));
        (await payer.PostAsJsonAsync("/api/v1/binding/id-number", new { name = "日志缴费", idNumber = payerIdNumber })).EnsureSuccessStatusCode();
        await cluster.A.AddDuesAsync(payerId);
        var order = await (await payer.PostAsJsonAsync("/api/v1/dues/orders", new { months = new[] { DuesMonth.Current(TimeProvider.System) }, extraFen = 0 }))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        var outTradeNo = order.GetProperty("outTradeNo").GetString()!;
        (await cluster.Emulator.Control.PostAsJsonAsync($"/_emulator/orders/{outTradeNo}/pay", new { outcome = "success" })).EnsureSuccessStatusCode();
        await Eventually.WaitUntilAsync(async () =>
        {
            await using var db = cluster.A.SystemDb();
            // The order sync job (every two seconds here) may see the payment first: the notification is then a duplicate.
            return await db.PayOrders.AnyAsync(o => o.OutTradeNo == outTradeNo && o.Status == PayOrderStatus.Paid)
                && await db.PayNotifications.AnyAsync(n => n.OutTradeNo == outTradeNo && (n.Outcome == "processed" || n.Outcome == "duplicate"));
        }, "the payment and its notification", TimeSpan.FromSeconds(20));
        (await payer.PostAsync("/api/v1/auth/logout", null)).EnsureSuccessStatusCode();

        // Console: a wrong password, a sign-in, the member pages, a search by ID number and an edit of the phone.
        var (one, two, cookies) = cluster.Browser();
        var wrong = await ConsoleForms.LoginFieldsAsync(two, DemoIdentities.ReadOnly, "Wrong#Passw0rd");
        Assert.False(ConsoleForms.IsSignedInRedirect(await two.PostAsync("/login", new FormUrlEncodedContent(wrong))));
        secrets.Add(("mistyped console password", "Wrong#Passw0rd"));
        secrets.Add(("console password", DemoIdentities.Password));
        await ConsoleForms.SignInAsync(one, DemoIdentities.BranchSecretary, DemoIdentities.Password);
        Guid demoId;
        await using (var db = cluster.A.SystemDb())
        {
            demoId = await db.Members.Where(m => m.Name == demo[0].Name).Select(m => m.Id).FirstAsync();
        }
        Assert.Equal(HttpStatusCode.OK, (await one.GetAsync("/members")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await two.GetAsync($"/members/{demoId}")).StatusCode);
        var members = await cluster.Console1.AsConsoleUser<MemberService>(DemoIdentities.BranchSecretary);
        Assert.Single((await members.SearchAsync(new MemberSearch(Keyword: demo[0].IdNumber))).Items);
        Assert.Single((await members.SearchAsync(new MemberSearch(Keyword: demo[1].Phone))).Items);
        var details = await members.GetAsync(demoId);
        details.Values.Phone = "13900002468";
        await members.UpdateAsync(demoId, details.Values);
        secrets.Add(("edited phone", "13900002468"));
        foreach (Cookie cookie in cookies.GetAllCookies())
        {
            secrets.Add(($"console cookie {cookie.Name}", cookie.Value));
        }

        // What WeChat and the configuration hold.
        secrets.Add(("WeChat access token", await cluster.A.Services.GetRequiredService<IAccessTokenProvider>().GetAsync()));
        secrets.Add(("session_key", await SessionKeyAsync(byIdOpenId)));
        foreach (var key in new[] { "WeChat:MiniProgram:AppSecret", "WeChat:MiniProgram:PushToken", "WeChat:MiniProgram:PushEncodingAESKey", "WeChat:Pay:ApiV3Key", "Security:PiiKey" })
        {
            secrets.Add((key, cluster.GatewaySetting(key)));
        }
        var privateKey = cluster.GatewaySetting("WeChat:Pay:MerchantPrivateKey").Split('\n', StringSplitOptions.TrimEntries)
            .First(l => l.Length >= 40 && !l.StartsWith("-----", StringComparison.Ordinal));
        secrets.Add(("merchant private key", privateKey));

        await Task.Delay(500); // lines written by background work (cache, backplane) of the requests above
        var lines = cluster.Logs.Lines.ToList();
        Assert.True(lines.Count > 1000, $"only {lines.Count} lines captured");
        Assert.Contains(lines, l => l.Contains("Microsoft.EntityFrameworkCore.Database.Command", StringComparison.Ordinal));
        var leaks = new List<string>();
        foreach (var (what, value) in secrets.Where(s => s.Value.Length >= 8).Distinct())
        {
            foreach (var form in new[] { value, Uri.EscapeDataString(value) }.Distinct())
            {
                leaks.AddRange(lines.Where(l => l.Contains(form, StringComparison.Ordinal)).Take(3).Select(l => $"{what}: {Shorten(l)}"));
            }
        }
        Assert.True(leaks.Count == 0, $"{leaks.Count} log lines hold secrets:\n" + string.Join('\n', leaks));
    }

    private async Task<string> SessionKeyAsync(string openId)
    {
        var code = await cluster.Emulator.NewCodeAsync(openId);
        var appId = cluster.GatewaySetting("WeChat:MiniProgram:AppId");
        var secret = cluster.GatewaySetting("WeChat:MiniProgram:AppSecret");
        var session = await cluster.Emulator.Control.GetFromJsonAsync<JsonElement>(
            $"/sns/jscode2session?appid={appId}&secret={Uri.EscapeDataString(secret)}&js_code={code}&grant_type=authorization_code");
        return session.GetProperty("session_key").GetString()!;
    }

    private static string Shorten(string line) => line.Length <= 400 ? line : line[..400] + "…";
}
