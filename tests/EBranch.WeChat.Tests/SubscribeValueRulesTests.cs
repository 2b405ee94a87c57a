using EBranch.Core.WeChat.MiniProgram;

namespace EBranch.WeChat.Tests;

public class SubscribeValueRulesTests
{
    [Theory]
    [InlineData("thing1", "支部大会通知", "支部大会通知")]
    [InlineData("thing2", "一二三四五六七八九十一二三四五六七八九十超出", "一二三四五六七八九十一二三四五六七八九…")]
    [InlineData("letter3", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef")]
    [InlineData("symbol4", "%%%%%%%", "%%%%%")]
    [InlineData("character_string5", "ORDER-2024-0001-ABCDEFGHIJKLMNOPQRSTUV", "ORDER-2024-0001-ABCDEFGHIJKLMNOP")]
    [InlineData("phrase6", "已完成审核", "已完成审核")]
    [InlineData("phrase7", "已经完成了审核", "已经完成了")]
    [InlineData("name8", "欧阳张三李四王五赵六钱七", "欧阳张三李四王五赵六")]
    [InlineData("name9", "Zhang San", "Zhang San")]
    [InlineData("number10", "12345", "12345")]
    [InlineData("number11", "12.5", "12.5")]
    [InlineData("amount12", "¥12.34", "¥12.34")]
    [InlineData("amount13", "100元", "100元")]
    [InlineData("time14", "2024-05-01 15:01", "2024-05-01 15:01")]
    [InlineData("time15", "15:01~16:30", "15:01~16:30")]
    [InlineData("date16", "2024年5月1日", "2024年5月1日")]
    [InlineData("date17", "2024-05-01 ~ 2024-05-03", "2024-05-01 ~ 2024-05-03")]
    [InlineData("phone_number18", "+86-138-0013-8000", "+86-138-0013-8000")]
    [InlineData("car_number19", "粤A12345", "粤A12345")]
    public void Fit_KeepsOrTruncatesValue_WhenTypeAllows(string keyword, string value, string expected)
    {
        var fit = SubscribeValueRules.Fit(keyword, value);
        Assert.True(fit.Fits, fit.Problem);
        Assert.Equal(expected, fit.Value);
    }

    [Theory]
    [InlineData("number1", "12a")]
    [InlineData("number2", "123456789012345678901234567890123")]
    [InlineData("letter3", "abc1")]
    [InlineData("symbol4", "a%")]
    [InlineData("character_string5", "订单001")]
    [InlineData("time6", "3pm")]
    [InlineData("time7", "25:00")]
    [InlineData("date8", "May 1st")]
    [InlineData("amount9", "12345678901元")]
    [InlineData("amount10", "twelve")]
    [InlineData("phone_number11", "138001380001380013")]
    [InlineData("phone_number12", "call me")]
    [InlineData("car_number13", "粤A123456789")]
    [InlineData("name14", "张三Li")]
    [InlineData("phrase15", "done")]
    [InlineData("thing16", "")]
    public void Fit_Rejects_WhenValueBreaksTypeRule(string keyword, string value) =>
        Assert.False(SubscribeValueRules.Fit(keyword, value).Fits);

    [Fact]
    public void Fit_ChecksEnumAgainstListedValues_WhenListGiven()
    {
        Assert.True(SubscribeValueRules.Fit("enum1", "已通过", ["已通过", "未通过"]).Fits);
        Assert.False(SubscribeValueRules.Fit("enum1", "待定", ["已通过", "未通过"]).Fits);
    }

    [Fact]
    public void Amount_FormatsFenAsYuan() => Assert.Equal("¥12.05", SubscribeValueRules.Amount(1205));
}
