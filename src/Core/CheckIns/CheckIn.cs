using EBranch.Core.Data;
namespace EBranch.Core.CheckIns;

/// <summary>One member's daily sign-in. (MemberId, Day) is unique: a day counts once however often it is tried.</summary>
public sealed class CheckIn : IMemberData
{
    Guid? IMemberData.DataOfMember => MemberId;

    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid MemberId { get; set; }

    /// <summary>The calendar day in district time (Asia/Shanghai).</summary>
    public DateOnly Day { get; set; }

    /// <summary>Consecutive days up to and including this one.</summary>
    public int Streak { get; set; }
    public DateTimeOffset CheckedInAt { get; set; }
}
