namespace EBranch.Core.Security;

/// <summary>Rules of the 18-digit resident ID number (GB 11643-1999) and of mainland mobile numbers.</summary>
public static class ChineseId
{
    private static readonly int[] Weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    private const string CheckChars = "10X98765432";

    public static string Normalize(string value) => value.Trim().ToUpperInvariant();

    public static char CheckDigit(ReadOnlySpan<char> first17)
    {
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            sum += (first17[i] - '0') * Weights[i];
        }
        return CheckChars[sum % 11];
    }

    public static bool IsValid(string? value) => TryParse(value, out _, out _);

    /// <summary>Validates format, birth date and check digit; yields the birth date and gender it encodes.</summary>
    public static bool TryParse(string? value, out DateOnly birthDate, out bool isMale)
    {
        birthDate = default;
        isMale = false;
        if (value is null)
        {
            return false;
        }
        var id = Normalize(value);
        if (id.Length != 18 || id.AsSpan(0, 17).ContainsAnyExceptInRange('0', '9') || !(char.IsAsciiDigit(id[17]) || id[17] == 'X'))
        {
            return false;
        }
        if (!DateOnly.TryParseExact(id.AsSpan(6, 8), "yyyyMMdd", out birthDate))
        {
            return false;
        }
        isMale = (id[16] - '0') % 2 == 1;
        return CheckDigit(id.AsSpan(0, 17)) == id[17];
    }

    /// <summary>330199********123X style: region prefix and last four shown.</summary>
    public static string Mask(string idNumber)
        => idNumber.Length < 10 ? new string('*', idNumber.Length) : idNumber[..6] + new string('*', idNumber.Length - 10) + idNumber[^4..];

    public static string NormalizePhone(string value)
    {
        var digits = new string(value.Where(char.IsAsciiDigit).ToArray());
        return digits.Length == 13 && digits.StartsWith("86", StringComparison.Ordinal) ? digits[2..] : digits;
    }

    public static bool IsValidPhone(string? value)
        => value is not null && NormalizePhone(value) is { Length: 11 } p && p[0] == '1' && p[1] is >= '3' and <= '9';

    /// <summary>138****5678</summary>
    public static string MaskPhone(string phone) => phone.Length < 7 ? new string('*', phone.Length) : phone[..3] + "****" + phone[^4..];
}
