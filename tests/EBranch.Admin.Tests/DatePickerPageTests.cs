using System.Globalization;
using EBranch.Core.Common;
using EBranch.Core.Demo;
using EBranch.Core.Dues;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static EBranch.Admin.Tests.AdminAppFixture;

namespace EBranch.Admin.Tests;

/// <summary>Dates in the console are AntDesign pickers in zh-CN (2026-12-03 / 2026年12月), whatever the browser's language.</summary>
[Collection(AdminCollection.Name)]
public sealed class DatePickerPageTests(AdminAppFixture app)
{
    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    [Fact]
    public async Task DatesAndMonths_AreZhCnPickers_InAnEnUsBrowser()
    {
        var time = app.Services.GetRequiredService<TimeProvider>();
        var month = DuesMonth.Current(time);
        var yesterday = DistrictTime.Today(time).AddDays(-1);
        // The branch secretary's collection page and member form (small), the district's reconciliation date.
        var page = await app.SignInAsync(DemoIdentities.BranchSecretary, locale: "en-US");
        Assert.Equal("en-US", await page.EvaluateAsync<string>("navigator.language"));

        // The collection month: 2026年12月, with a zh-CN month panel; no browser-native inputs anywhere.
        await GoToAsync(page, "/dues");
        var monthInput = page.Locator("[data-testid=dues-month] input");
        await Expect(monthInput).ToHaveValueAsync($"{month / 100:D4}年{month % 100:D2}月");
        Assert.Equal(0, await page.Locator("input[type=month], input[type=date]").CountAsync());
        // (Picking by typing is exercised in a zh-CN browser by DuesPageTests; here only what the page shows.)
        await monthInput.ClickAsync();
        await Expect(page.Locator(".ant-picker-dropdown .ant-picker-month-panel").First).ToContainTextAsync("1月");
        await page.Keyboard.PressAsync("Escape");

        // The reconciliation date: 2026-12-02, a zh-CN day panel (weekday heads 一 … 日, 今天).
        var district = await app.SignInAsync(DemoIdentities.DistrictAdmin, locale: "en-US");
        await GoToAsync(district, "/dues/issues");
        var dayInput = district.Locator("[data-testid=reconcile-date] input");
        await Expect(dayInput).ToHaveValueAsync(yesterday.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        await dayInput.ClickAsync();
        var panel = district.Locator(".ant-picker-dropdown .ant-picker-date-panel").First;
        await Expect(panel.Locator("thead")).ToContainTextAsync("一");
        await Expect(district.Locator(".ant-picker-dropdown").First).ToContainTextAsync("今天");
        await district.Keyboard.PressAsync("Escape");
        Assert.Equal(0, await district.Locator("input[type=month], input[type=date]").CountAsync());

        // A member's dates, and the flags beside (not above) their labels.
        var known = DemoIdentities.Members[0];
        Guid memberId;
        await using (var db = app.OpenSystemDb())
        {
            memberId = await db.Members.Where(m => m.Name == known.Name && m.BirthDate == known.BirthDate).Select(m => m.Id).FirstAsync();
        }
        await GoToAsync(page, $"/members/{memberId}");
        await Expect(page.Locator("[data-testid=member-birth-date] input")).ToHaveValueAsync(known.BirthDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        await Expect(page.Locator("[data-testid=member-admitted-on] input")).ToHaveValueAsync(known.AdmittedOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Assert.Equal(0, await page.Locator("input[type=month], input[type=date]").CountAsync());
        foreach (var label in new[] { "流动党员", "失联党员" })
        {
            var wrapper = page.Locator("[data-testid=member-flags] .ant-checkbox-wrapper", new() { HasText = label });
            var box = (await wrapper.Locator(".ant-checkbox").BoundingBoxAsync())!;
            var text = (await wrapper.GetByText(label).BoundingBoxAsync())!;
            Assert.True(text.X > box.X + box.Width - 1, $"{label}: the text starts right of its box");
            Assert.True(Math.Abs(text.Y + text.Height / 2 - (box.Y + box.Height / 2)) < 8, $"{label}: box and text on one line ({box.Y}/{text.Y})");
        }
        await ScreenshotAsync(page, "member-dates-en-us");
    }
}
