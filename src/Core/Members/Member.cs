using EBranch.Core.Data;
using EBranch.Core.Common;
using EBranch.Core.Organizations;

namespace EBranch.Core.Members;

public enum Gender
{
    Male = 1,
    Female = 2,
}

/// <summary>预备 / 正式.</summary>
public enum MemberStatus
{
    Probationary = 1,
    Full = 2,
}

/// <summary>党籍 state.</summary>
public enum StandingState
{
    Normal = 1,
    Retained = 2,
    Stopped = 3,
    Expelled = 4,
}

public enum Education
{
    Primary = 1,
    JuniorHigh = 2,
    SeniorHigh = 3,
    Vocational = 4,
    JuniorCollege = 5,
    Bachelor = 6,
    Master = 7,
    Doctor = 8,
}

/// <summary>
/// A party member. The ID number and phone are stored only encrypted (<see cref="Security.PiiProtector"/>)
/// plus a keyed digest for exact-match lookups; nothing readable reaches the database.
/// </summary>
public sealed class Member : Entity, IScopedByOrganization, IMemberData, IOwnedByOrganization
{
    Guid? IMemberData.DataOfMember => Id;
    bool IMemberData.IsMemberProfile => true;
    Guid? IOwnedByOrganization.OwningOrganizationId => OrganizationId;

    public required string Name { get; set; }
    public Gender Gender { get; set; }
    public string Ethnicity { get; set; } = "汉族";
    public DateOnly BirthDate { get; set; }

    [Sensitive] public string IdNumberCipher { get; set; } = "";
    [Sensitive] public string IdNumberDigest { get; set; } = "";
    [Sensitive] public string? PhoneCipher { get; set; }
    [Sensitive] public string? PhoneDigest { get; set; }

    public Education Education { get; set; }
    public MemberStatus Status { get; set; }
    public StandingState Standing { get; set; } = StandingState.Normal;

    /// <summary>入党日期: the day the branch admitted them as probationary = political birthday.</summary>
    public DateOnly AdmittedOn { get; set; }

    /// <summary>转正日期: party age counts from here.</summary>
    public DateOnly? FullMemberOn { get; set; }

    public bool IsMigrant { get; set; }
    public bool IsLostContact { get; set; }

    /// <summary>The member's branch (党支部, or the committee/general branch it is attached to directly).</summary>
    public Guid OrganizationId { get; set; }
    public Organization? Organization { get; set; }

    public Guid? PartyGroupId { get; set; }
    public Organization? PartyGroup { get; set; }

    /// <summary>Posts held, e.g. "书记,组织委员" (comma-separated, shown as tags).</summary>
    public string? Posts { get; set; }
}
