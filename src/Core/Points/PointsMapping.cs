using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EBranch.Core.Points;

internal sealed class PointRuleMapping : IEntityTypeConfiguration<PointRule>
{
    public void Configure(EntityTypeBuilder<PointRule> e)
    {
        e.Property(r => r.Action).HasMaxLength(64);
        e.Property(r => r.Name).HasMaxLength(64);
        e.HasIndex(r => new { r.Action, r.ActiveFrom }).IsUnique();
    }
}

internal sealed class PointEntryMapping : IEntityTypeConfiguration<PointEntry>
{
    public void Configure(EntityTypeBuilder<PointEntry> e)
    {
        e.Property(p => p.Action).HasMaxLength(64);
        e.Property(p => p.SourceKey).HasMaxLength(128);
        e.Property(p => p.OrganizationPath).HasMaxLength(400);
        e.Property(p => p.Note).HasMaxLength(200);
        e.HasIndex(p => new { p.MemberId, p.Action, p.SourceKey }).IsUnique();
        e.HasIndex(p => new { p.MemberId, p.Action, p.OccurredAt });
        e.HasIndex(p => new { p.OrganizationPath, p.OccurredAt });
    }
}
