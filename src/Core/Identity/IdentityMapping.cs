using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EBranch.Core.Identity;

internal sealed class WeChatSessionMapping : IEntityTypeConfiguration<WeChatSession>
{
    public void Configure(EntityTypeBuilder<WeChatSession> e)
    {
        e.Property(s => s.TokenHash).HasMaxLength(64);
        e.HasIndex(s => s.TokenHash).IsUnique();
        e.HasIndex(s => s.WeChatUserId);
        e.HasOne(s => s.WeChatUser).WithMany().HasForeignKey(s => s.WeChatUserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class BindingRequestMapping : IEntityTypeConfiguration<BindingRequest>
{
    public void Configure(EntityTypeBuilder<BindingRequest> e)
    {
        e.Property(b => b.ClaimedName).HasMaxLength(64);
        e.Property(b => b.ClaimedIdNumberCipher).HasMaxLength(200);
        e.Property(b => b.ClaimedPhoneCipher).HasMaxLength(200);
        e.Property(b => b.ReviewReason).HasMaxLength(200);
        e.Property(b => b.ReviewedBy).HasMaxLength(64);
        e.HasIndex(b => new { b.OrganizationId, b.Status });
        e.HasIndex(b => b.WeChatUserId);
        e.HasOne(b => b.WeChatUser).WithMany().HasForeignKey(b => b.WeChatUserId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne(b => b.Member).WithMany().HasForeignKey(b => b.MemberId).OnDelete(DeleteBehavior.Restrict);
        e.HasOne(b => b.Organization).WithMany().HasForeignKey(b => b.OrganizationId).OnDelete(DeleteBehavior.Restrict);
    }
}
