using EBranch.Core.Data;
using EBranch.Core.Common;

namespace EBranch.Core.Members;

/// <summary>荣誉: an honour a member received (e.g. 优秀共产党员), shown in their personal space.</summary>
public sealed class Honour : Entity, IMemberData
{
    Guid? IMemberData.DataOfMember => MemberId;

    public Guid MemberId { get; set; }
    public required string Title { get; set; }
    public DateOnly AwardedOn { get; set; }
    public string? AwardedBy { get; set; }
}
