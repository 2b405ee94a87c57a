using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EBranch.Core.Accounts;

internal sealed class ConsoleUserMapping : IEntityTypeConfiguration<ConsoleUser>
{
    public void Configure(EntityTypeBuilder<ConsoleUser> e)
    {
        e.Property(u => u.UserName).HasMaxLength(64);
        e.Property(u => u.DisplayName).HasMaxLength(64);
        e.Property(u => u.PasswordHash).HasMaxLength(200);
        e.HasIndex(u => u.UserName).IsUnique();
        e.HasOne(u => u.Organization).WithMany().HasForeignKey(u => u.OrganizationId).OnDelete(DeleteBehavior.Restrict);
    }
}
