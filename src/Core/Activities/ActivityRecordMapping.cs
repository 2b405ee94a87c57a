using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EBranch.Core.Activities;

internal sealed class ActivityRecordMapping : IEntityTypeConfiguration<ActivityRecord>
{
    public void Configure(EntityTypeBuilder<ActivityRecord> e)
    {
        e.Property(a => a.Type).HasMaxLength(64);
        e.Property(a => a.OrganizationPath).HasMaxLength(400);
        e.Property(a => a.SubjectType).HasMaxLength(64);
        e.Property(a => a.SubjectId).HasMaxLength(64);
        e.Property(a => a.Details).HasMaxLength(2000);
        e.HasIndex(a => new { a.OrganizationPath, a.OccurredAt });
        e.HasIndex(a => new { a.MemberId, a.OccurredAt });
    }
}
