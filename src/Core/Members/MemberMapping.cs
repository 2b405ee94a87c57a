using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EBranch.Core.Members;

internal sealed class MemberMapping : IEntityTypeConfiguration<Member>
{
    public void Configure(EntityTypeBuilder<Member> e)
    {
        e.Property(m => m.Name).HasMaxLength(64);
        e.Property(m => m.Ethnicity).HasMaxLength(32);
        e.Property(m => m.IdNumberCipher).HasMaxLength(200);
        e.Property(m => m.IdNumberDigest).HasMaxLength(64);
        e.Property(m => m.PhoneCipher).HasMaxLength(200);
        e.Property(m => m.PhoneDigest).HasMaxLength(64);
        e.Property(m => m.Posts).HasMaxLength(200);
        e.HasIndex(m => m.IdNumberDigest).IsUnique();
        e.HasIndex(m => m.PhoneDigest);
        e.HasIndex(m => new { m.OrganizationId, m.Name });
        e.HasIndex(m => m.Name);
        e.HasOne(m => m.Organization).WithMany().HasForeignKey(m => m.OrganizationId).OnDelete(DeleteBehavior.Restrict);
        e.HasOne(m => m.PartyGroup).WithMany().HasForeignKey(m => m.PartyGroupId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class HonourMapping : IEntityTypeConfiguration<Honour>
{
    public void Configure(EntityTypeBuilder<Honour> e)
    {
        e.Property(h => h.Title).HasMaxLength(100);
        e.Property(h => h.AwardedBy).HasMaxLength(100);
        e.HasIndex(h => h.MemberId);
    }
}
