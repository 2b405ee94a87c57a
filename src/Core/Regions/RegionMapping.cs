using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EBranch.Core.Regions;

internal sealed class RegionMapping : IEntityTypeConfiguration<Region>
{
    public void Configure(EntityTypeBuilder<Region> e)
    {
        e.Property(r => r.Code).HasMaxLength(12);
        e.Property(r => r.Name).HasMaxLength(64);
        e.HasIndex(r => r.Code).IsUnique();
        e.HasIndex(r => r.ParentId);
        e.HasOne(r => r.Parent).WithMany().HasForeignKey(r => r.ParentId).OnDelete(DeleteBehavior.Restrict);
    }
}
