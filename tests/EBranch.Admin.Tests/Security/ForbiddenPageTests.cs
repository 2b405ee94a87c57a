using EBranch.Core.Demo;
using Microsoft.Playwright;
using static EBranch.Admin.Tests.AdminAppFixture;
using static Microsoft.Playwright.Assertions;

namespace EBranch.Admin.Tests.Security;

/// <summary>What the HTTP matrix cannot see: in the browser a page the role may not open shows the 无权 result, not its content.</summary>
[Collection(AdminCollection.Name)]
public sealed class ForbiddenPageTests(AdminAppFixture app)
{
    [Fact]
    public async Task ReadOnlyUser_OpeningUsers_SeesTheForbiddenResult_ByLinkAndInTheCircuit()
    {
        var page = await app.SignInAsync(DemoIdentities.ReadOnly);

        await GoToAsync(page, "/users");
        Assert.Contains("/forbidden", page.Url, StringComparison.Ordinal);
        await Expect(page.Locator("[data-testid=forbidden]")).ToContainTextAsync("无权访问此页面");

        await GoToAsync(page, "/members");
        await page.EvaluateAsync("() => Blazor.navigateTo('/audit')");
        await page.WaitForURLAsync(url => url.EndsWith("/audit", StringComparison.Ordinal));
        await Expect(page.Locator("[data-testid=forbidden]")).ToContainTextAsync("无权访问此页面");
        await Expect(page.Locator(".ant-table")).ToHaveCountAsync(0);
    }
}
