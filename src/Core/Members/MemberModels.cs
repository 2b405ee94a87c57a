namespace EBranch.Core.Members;

/// <summary>What a console user submits to create or edit a member. On edit, a null ID number or phone keeps the stored one.</summary>
public sealed class MemberInput
{
    public string Name { get; set; } = "";
    public Gender Gender { get; set; } = Gender.Male;
    public string Ethnicity { get; set; } = "汉族";
    public DateOnly? BirthDate { get; set; }
    public string? IdNumber { get; set; }
    public string? Phone { get; set; }
    public Education Education { get; set; } = Education.SeniorHigh;
    public MemberStatus Status { get; set; } = MemberStatus.Full;
    public StandingState Standing { get; set; } = StandingState.Normal;
    public DateOnly? AdmittedOn { get; set; }
    public DateOnly? FullMemberOn { get; set; }
    public bool IsMigrant { get; set; }
    public bool IsLostContact { get; set; }
    public Guid? OrganizationId { get; set; }
    public Guid? PartyGroupId { get; set; }
    public string? Posts { get; set; }
}

/// <summary>A row of the member list: personal numbers only masked.</summary>
public sealed record MemberListItem(
    Guid Id, string Name, Gender Gender, int Age, string IdNumberMasked, string? PhoneMasked, MemberStatus Status,
    StandingState Standing, DateOnly AdmittedOn, Guid OrganizationId, string OrganizationName, bool IsMigrant, bool IsLostContact, string? Posts);

public sealed record MemberSearch(string? Keyword = null, Guid? OrganizationId = null, MemberStatus? Status = null, bool? IsMigrant = null, int Page = 1, int PageSize = 20);

/// <summary>One member for the edit form; ID number and phone masked.</summary>
public sealed record MemberDetails(Guid Id, MemberInput Values, string IdNumberMasked, string? PhoneMasked, string OrganizationName, int PartyAgeYears);

public sealed record ImportError(int Row, string Column, string Message);

public sealed record ImportReport(int TotalRows, int Imported, IReadOnlyList<ImportError> Errors)
{
    public bool HasErrors => Errors.Count > 0;
}

public static class MemberLabels
{
    public static string Of(Gender gender) => gender == Gender.Male ? "男" : "女";

    public static string Of(MemberStatus status) => status == MemberStatus.Full ? "正式党员" : "预备党员";

    public static string Of(StandingState standing) => standing switch
    {
        StandingState.Normal => "正常",
        StandingState.Retained => "保留党籍",
        StandingState.Stopped => "停止党籍",
        StandingState.Expelled => "开除党籍",
        _ => standing.ToString(),
    };

    public static string Of(Education education) => education switch
    {
        Education.Primary => "小学",
        Education.JuniorHigh => "初中",
        Education.SeniorHigh => "高中",
        Education.Vocational => "中专",
        Education.JuniorCollege => "大专",
        Education.Bachelor => "本科",
        Education.Master => "硕士研究生",
        Education.Doctor => "博士研究生",
        _ => education.ToString(),
    };

    public static bool TryParseEducation(string text, out Education education)
    {
        foreach (var value in Enum.GetValues<Education>())
        {
            if (Of(value) == text || (text == "研究生" && value == Education.Master) || (text == "大学" && value == Education.Bachelor))
            {
                education = value;
                return true;
            }
        }
        education = default;
        return false;
    }
}
