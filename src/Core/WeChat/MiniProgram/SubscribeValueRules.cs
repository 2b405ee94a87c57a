using System.Globalization;
using System.Text.RegularExpressions;

namespace EBranch.Core.WeChat.MiniProgram;

/// <summary>The result of fitting one subscribe value to its keyword type: the value to send, or why it cannot be sent.</summary>
public sealed record SubscribeValueFit(string? Value, string? Problem)
{
    public bool Fits => Problem is null;
}

/// <summary>
/// WeChat's per-type limits on subscribe-message values (a break is errcode 47003). Text types are truncated;
/// values whose meaning would change by cutting (numbers, phones, times) are rejected.
/// </summary>
public static partial class SubscribeValueRules
{
    /// <summary>The keyword type: <c>thing12</c> → <c>thing</c>, <c>character_string3</c> → <c>character_string</c>.</summary>
    public static string TypeOf(string keyword) => keyword.TrimEnd("0123456789".ToCharArray());

    public static SubscribeValueFit Fit(string keyword, string value, IReadOnlyCollection<string>? enumValues = null)
    {
        var type = TypeOf(keyword);
        value = value.Trim();
        return type switch
        {
            "thing" => Truncate(value, 20, ellipsis: true),
            "number" => NumberPattern().IsMatch(value) && value.Count(char.IsAsciiDigit) <= 32 ? Ok(value) : Reject("a number of at most 32 digits"),
            "letter" => AllOf(value, char.IsAsciiLetter, "letters") ?? Truncate(value, 32),
            "symbol" => AllOf(value, c => !char.IsLetterOrDigit(c) && !char.IsWhiteSpace(c), "symbols") ?? Truncate(value, 5),
            "character_string" => AllOf(value, c => c <= 0x7E && c > ' ', "digits, letters or symbols") ?? Truncate(value, 32),
            "time" => Matches(TimePattern(), value, "a 24-hour time such as 2024-05-01 15:01, 2024年5月1日 15:01 or 15:01 (ranges with ~)"),
            "date" => Matches(DatePattern(), value, "a date such as 2024-05-01 or 2024年5月1日 (optionally with a 24-hour time, ranges with ~)"),
            "amount" => Matches(AmountPattern(), value, "a currency sign and at most 10 digits, optionally ending in 元"),
            "phone_number" => Matches(PhonePattern(), value, "at most 17 digits and + - symbols"),
            "car_number" => value.Length <= 8 ? Ok(value) : Reject("a car number of at most 8 characters"),
            "name" => FitName(value),
            "phrase" => AllOf(value, IsChinese, "Chinese characters") ?? Truncate(value, 5),
            "enum" => enumValues is null || enumValues.Contains(value) ? Ok(value) : Reject($"one of: {string.Join(", ", enumValues)}"),
            _ => Ok(value),
        };
    }

    /// <summary>Formats fen as an amount value, e.g. 1234 → ¥12.34.</summary>
    public static string Amount(long fen) => "¥" + (fen / 100m).ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>Formats a time value as WeChat shows it, e.g. 2024-05-01 15:01.</summary>
    public static string Time(DateTimeOffset time) => time.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static SubscribeValueFit FitName(string value)
    {
        if (value.Length > 0 && value.All(IsChinese))
        {
            return Truncate(value, 10);
        }
        return value.All(c => c < 0x80) ? Truncate(value, 20) : Reject("at most 10 Chinese characters or at most 20 letters (not mixed)");
    }

    /// <summary>Only free text (thing) gets an ellipsis: in typed values it would itself break the rule.</summary>
    private static SubscribeValueFit Truncate(string value, int max, bool ellipsis = false)
    {
        if (value.Length == 0)
        {
            return Reject("a non-empty value");
        }
        var elements = new StringInfo(value);
        if (elements.LengthInTextElements <= max)
        {
            return Ok(value);
        }
        return Ok(ellipsis ? elements.SubstringByTextElements(0, max - 1) + "…" : elements.SubstringByTextElements(0, max));
    }

    private static SubscribeValueFit? AllOf(string value, Func<char, bool> allowed, string what) =>
        value.All(allowed) ? null : Reject($"only {what}");

    private static SubscribeValueFit Matches(Regex pattern, string value, string what) =>
        pattern.IsMatch(value) ? Ok(value) : Reject(what);

    private static bool IsChinese(char c) => c is >= '\u4e00' and <= '\u9fff';

    private static SubscribeValueFit Ok(string value) => new(value, null);

    private static SubscribeValueFit Reject(string expected) => new(null, $"must be {expected}");

    [GeneratedRegex(@"^[-+]?\d+(\.\d+)?$")]
    private static partial Regex NumberPattern();

    private const string Clock = @"([01]?\d|2[0-3])[:：][0-5]\d([:：][0-5]\d)?";
    private const string Day = @"(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{4}年\d{1,2}月\d{1,2}日|\d{1,2}月\d{1,2}日)";

    [GeneratedRegex($@"^(({Day}\s*)?{Clock}|{Day})(\s*~\s*(({Day}\s*)?{Clock}|{Day}))?$")]
    private static partial Regex TimePattern();

    [GeneratedRegex($@"^{Day}(\s*{Clock})?(\s*~\s*{Day}(\s*{Clock})?)?$")]
    private static partial Regex DatePattern();

    [GeneratedRegex(@"^[¥￥$€£]?(?=[\d.]*元?$)\d{1,10}(\.\d{1,2})?元?$")]
    private static partial Regex AmountPattern();

    [GeneratedRegex(@"^(?=.{1,17}$)\+?[\d\- ]+$")]
    private static partial Regex PhonePattern();
}
