using EBranch.Core.Common;
using EBranch.Core.Members;
using EBranch.Core.Regions;

namespace EBranch.Core.WeChatUsers;

/// <summary>
/// Someone who opened the mini-program. Kept apart from <see cref="Member"/>: a WeChat user may be bound
/// to a member record (real-name binding) or stay a resident (villager) who never registers.
/// </summary>
public sealed class WeChatUser : Entity
{
    public required string OpenId { get; set; }
    public string? UnionId { get; set; }
    public Guid? MemberId { get; set; }
    public Member? Member { get; set; }

    /// <summary>The village a resident chose for the public channel.</summary>
    public Guid? RegionId { get; set; }
    public Region? Region { get; set; }
    public DateTimeOffset? LastLoginAt { get; set; }
}
