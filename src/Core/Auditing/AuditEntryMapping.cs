using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EBranch.Core.Auditing;

internal sealed class AuditEntryMapping : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> e)
    {
        e.Property(a => a.Actor).HasMaxLength(64);
        e.Property(a => a.EntityType).HasMaxLength(64);
        e.Property(a => a.Action).HasMaxLength(16);
        e.Property(a => a.OrganizationPath).HasMaxLength(400);
        e.HasIndex(a => a.At);
        e.HasIndex(a => a.OrganizationPath);
    }
}
