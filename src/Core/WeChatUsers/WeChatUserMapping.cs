using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EBranch.Core.WeChatUsers;

internal sealed class WeChatUserMapping : IEntityTypeConfiguration<WeChatUser>
{
    public void Configure(EntityTypeBuilder<WeChatUser> e)
    {
        e.Property(u => u.OpenId).HasMaxLength(64);
        e.Property(u => u.UnionId).HasMaxLength(64);
        e.HasIndex(u => u.OpenId).IsUnique();
        e.HasIndex(u => u.MemberId).IsUnique();
        e.HasOne(u => u.Member).WithMany().HasForeignKey(u => u.MemberId).OnDelete(DeleteBehavior.Restrict);
        e.HasOne(u => u.Region).WithMany().HasForeignKey(u => u.RegionId).OnDelete(DeleteBehavior.Restrict);
    }
}
