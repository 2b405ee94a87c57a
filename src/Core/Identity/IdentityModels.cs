using EBranch.Core.Data;
using EBranch.Core.Common;
using EBranch.Core.Members;
using EBranch.Core.WeChatUsers;

namespace EBranch.Core.Identity;

/// <summary>
/// A mini-program session: the product's own bearer token, stored only as its SHA-256 hash, expiring and
/// revocable, valid on every gateway instance (database + shared cache).
/// </summary>
public sealed class WeChatSession
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string TokenHash { get; set; }
    public Guid WeChatUserId { get; set; }
    public WeChatUser? WeChatUser { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}

public enum BindingMethod
{
    IdNumber = 1,
    Phone = 2,
}

public enum BindingStatus
{
    /// <summary>Waiting for the branch to review.</summary>
    Pending = 1,
    /// <summary>Bound at once by an exact roster match.</summary>
    Matched = 2,
    Approved = 3,
    Rejected = 4,
    /// <summary>Withdrawn because another request of the same user was decided.</summary>
    Superseded = 5,
}

/// <summary>
/// 实名认证: a WeChat user's claim to a member record. An exact roster match binds at once; anything else
/// waits in the branch's review queue (<see cref="OrganizationId"/>) with what the user typed.
/// </summary>
public sealed class BindingRequest : Entity, IScopedByOrganization, IOwnedByOrganization
{
    Guid? IOwnedByOrganization.OwningOrganizationId => OrganizationId;

    public Guid WeChatUserId { get; set; }
    public WeChatUser? WeChatUser { get; set; }
    public BindingMethod Method { get; set; }
    public BindingStatus Status { get; set; } = BindingStatus.Pending;
    public required string ClaimedName { get; set; }
    [Sensitive] public string? ClaimedIdNumberCipher { get; set; }
    [Sensitive] public string? ClaimedPhoneCipher { get; set; }

    /// <summary>The roster record the claim points at, when one could be identified.</summary>
    public Guid? MemberId { get; set; }
    public Member? Member { get; set; }

    /// <summary>The branch whose queue holds the request (the claimed member's, or the one the user chose).</summary>
    public Guid? OrganizationId { get; set; }
    public Organizations.Organization? Organization { get; set; }
    public string? ReviewReason { get; set; }
    public string? ReviewedBy { get; set; }
    public DateTimeOffset? ReviewedAt { get; set; }
}
