using EBranch.Core.Members;

namespace EBranch.Core.Demo;

/// <summary>
/// The documented demo identities (README, "Demo identities"): fixed so a person can try the console and the
/// mini-program flows locally. Every demo console user has the same password.
/// </summary>
public static class DemoIdentities
{
    public const string Password = "Ebranch@2026";

    /// <summary>区委组织部, sees everything.</summary>
    public const string DistrictAdmin = "admin";

    /// <summary>青石镇党委, sees 青石镇 only.</summary>
    public const string TownshipAdmin = "town01";

    /// <summary>Secretary of the first village branch of 青石镇 (where the demo members are).</summary>
    public const string BranchSecretary = "branch0101";

    /// <summary>便民服务专员 of 青石镇.</summary>
    public const string ServiceClerk = "clerk01";

    /// <summary>Read-only, district-wide.</summary>
    public const string ReadOnly = "viewer";

    public const string DistrictName = "云溪区";
    public const string DemoTownship = "青石镇";

    /// <summary>Members of the demo branch with known name, ID number and phone (ID check digits are computed).</summary>
    public static readonly IReadOnlyList<DemoMember> Members =
    [
        new("张建国", "33019919680512123", "13800000001", Gender.Male, new DateOnly(1968, 5, 12), new DateOnly(1995, 7, 1), MemberStatus.Full),
        new("李秀英", "33019919750930124", "13800000002", Gender.Female, new DateOnly(1975, 9, 30), new DateOnly(2001, 6, 28), MemberStatus.Full),
        new("王志强", "33019919960308125", "13800000003", Gender.Male, new DateOnly(1996, 3, 8), new DateOnly(2026, 7, 1), MemberStatus.Probationary),
    ];

    public sealed record DemoMember(string Name, string IdNumberFirst17, string Phone, Gender Gender, DateOnly BirthDate, DateOnly AdmittedOn, MemberStatus Status)
    {
        public string IdNumber => IdNumberFirst17 + Security.ChineseId.CheckDigit(IdNumberFirst17);
    }
}
