using System.Text.RegularExpressions;

namespace EBranch.WeChat.Emulator.Core;

/// <summary>WeChat's acceptance rules for subscribe values (a value that breaks them gets errcode 47003).</summary>
public static partial class SubscribeRules
{
    public static bool Accepts(string keyword, string value)
    {
        var kind = KeywordKind().Match(keyword).Groups[1].Value;
        var length = value.EnumerateRunes().Count();
        return kind switch
        {
            "thing" => length is > 0 and <= 20,
            "number" => NumberRule().IsMatch(value) && value.Count(char.IsAsciiDigit) <= 32,
            "letter" => length is > 0 and <= 32 && value.All(char.IsAsciiLetter),
            "symbol" => length is > 0 and <= 5 && !value.Any(char.IsLetterOrDigit),
            "character_string" => length is > 0 and <= 32 && value.All(c => c is > ' ' and < (char)127),
            "time" => value.Split('~').All(part => TimeRule().IsMatch(part.Trim())),
            "date" => value.Split('~').All(part => DateRule().IsMatch(part.Trim())),
            "amount" => AmountRule().IsMatch(value) && value.Count(char.IsAsciiDigit) <= 10,
            "phone_number" => length is > 0 and <= 17 && PhoneRule().IsMatch(value),
            "car_number" => length is > 0 and <= 8,
            "name" => (length <= 10 && value.All(IsHan)) || (length <= 20 && value.All(c => c < 128)),
            "phrase" => length is > 0 and <= 5 && value.All(IsHan),
            _ => true,
        };
    }

    private static bool IsHan(char c) => c >= 0x4E00 && c <= 0x9FFF;

    [GeneratedRegex(@"^([a-z_]+?)\d*$")]
    private static partial Regex KeywordKind();

    [GeneratedRegex(@"^-?\d+(\.\d+)?$")]
    private static partial Regex NumberRule();

    [GeneratedRegex(@"^((\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{4}年\d{1,2}月\d{1,2}日|\d{1,2}月\d{1,2}日)\s*)?([01]?\d|2[0-3])[:：][0-5]\d([:：][0-5]\d)?$|^(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{4}年\d{1,2}月\d{1,2}日)$")]
    private static partial Regex TimeRule();

    [GeneratedRegex(@"^(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{4}年\d{1,2}月\d{1,2}日|\d{1,2}月\d{1,2}日)(\s*([01]?\d|2[0-3])[:：][0-5]\d([:：][0-5]\d)?)?$")]
    private static partial Regex DateRule();

    [GeneratedRegex(@"^[¥￥$€£]?\d+(\.\d{1,2})?元?$")]
    private static partial Regex AmountRule();

    [GeneratedRegex(@"^\+?[0-9\- ]+$")]
    private static partial Regex PhoneRule();
}
