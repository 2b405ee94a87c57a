using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EBranch.Core.Dues;

internal sealed class DuesStandardMapping : IEntityTypeConfiguration<DuesStandard>
{
    public void Configure(EntityTypeBuilder<DuesStandard> e)
    {
        e.Property(x => x.Note).HasMaxLength(200);
        e.Property(x => x.ReductionApprovedBy).HasMaxLength(64);
        e.HasIndex(x => new { x.MemberId, x.EffectiveFrom });
    }
}

internal sealed class DuesReductionMapping : IEntityTypeConfiguration<DuesReduction>
{
    public void Configure(EntityTypeBuilder<DuesReduction> e)
    {
        e.Property(x => x.Reason).HasMaxLength(200);
        e.Property(x => x.RequestedBy).HasMaxLength(64);
        e.Property(x => x.DecidedBy).HasMaxLength(64);
        e.Property(x => x.OrganizationPath).HasMaxLength(400);
        e.HasIndex(x => new { x.MemberId, x.Status });
    }
}

internal sealed class DuesBillMapping : IEntityTypeConfiguration<DuesBill>
{
    public void Configure(EntityTypeBuilder<DuesBill> e)
    {
        e.Property(x => x.OrganizationPath).HasMaxLength(400);
        e.HasIndex(x => new { x.MemberId, x.Month }).IsUnique();
        e.HasIndex(x => new { x.Month, x.OrganizationPath });
    }
}

internal sealed class PayOrderMapping : IEntityTypeConfiguration<PayOrder>
{
    public void Configure(EntityTypeBuilder<PayOrder> e)
    {
        e.Property(x => x.OutTradeNo).HasMaxLength(32);
        e.Property(x => x.PayerOpenId).HasMaxLength(64);
        e.Property(x => x.PrepayId).HasMaxLength(64);
        e.Property(x => x.TransactionId).HasMaxLength(64);
        e.Property(x => x.Description).HasMaxLength(127);
        e.Property(x => x.OrganizationPath).HasMaxLength(400);
        e.Property(x => x.Version).IsConcurrencyToken();
        e.HasIndex(x => x.OutTradeNo).IsUnique();
        e.HasIndex(x => new { x.Status, x.CreatedAt });
        e.HasIndex(x => new { x.MemberId, x.Status });
        e.HasIndex(x => x.PaidAt);
        e.HasMany(x => x.Items).WithOne().HasForeignKey(i => i.OrderId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class PayOrderItemMapping : IEntityTypeConfiguration<PayOrderItem>
{
    public void Configure(EntityTypeBuilder<PayOrderItem> e)
    {
        e.HasIndex(x => x.BillId);
    }
}

internal sealed class PayNotificationRecordMapping : IEntityTypeConfiguration<PayNotificationRecord>
{
    public void Configure(EntityTypeBuilder<PayNotificationRecord> e)
    {
        e.Property(x => x.Kind).HasMaxLength(16);
        e.Property(x => x.NotificationId).HasMaxLength(64);
        e.Property(x => x.EventType).HasMaxLength(64);
        e.Property(x => x.OutTradeNo).HasMaxLength(64);
        e.Property(x => x.Serial).HasMaxLength(64);
        e.Property(x => x.Timestamp).HasMaxLength(32);
        e.Property(x => x.Nonce).HasMaxLength(64);
        e.Property(x => x.Signature).HasMaxLength(700);
        e.Property(x => x.Outcome).HasMaxLength(16);
        e.Property(x => x.Detail).HasMaxLength(500);
        e.HasIndex(x => x.OutTradeNo);
        e.HasIndex(x => x.ReceivedAt);
    }
}

internal sealed class DuesRefundMapping : IEntityTypeConfiguration<DuesRefund>
{
    public void Configure(EntityTypeBuilder<DuesRefund> e)
    {
        e.Property(x => x.OutRefundNo).HasMaxLength(64);
        e.Property(x => x.Reason).HasMaxLength(80);
        e.Property(x => x.RequestedBy).HasMaxLength(64);
        e.Property(x => x.DecidedBy).HasMaxLength(64);
        e.Property(x => x.DecisionNote).HasMaxLength(200);
        e.Property(x => x.RefundId).HasMaxLength(64);
        e.Property(x => x.OrganizationPath).HasMaxLength(400);
        e.HasIndex(x => x.OutRefundNo).IsUnique();
        e.HasIndex(x => x.OrderId);
        e.HasOne(x => x.Order).WithMany().HasForeignKey(x => x.OrderId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class DuesIssueMapping : IEntityTypeConfiguration<DuesIssue>
{
    public void Configure(EntityTypeBuilder<DuesIssue> e)
    {
        e.Property(x => x.OutTradeNo).HasMaxLength(64);
        e.Property(x => x.OutRefundNo).HasMaxLength(64);
        e.Property(x => x.OurState).HasMaxLength(32);
        e.Property(x => x.TheirState).HasMaxLength(32);
        e.Property(x => x.Detail).HasMaxLength(500);
        e.Property(x => x.ResolvedBy).HasMaxLength(64);
        e.Property(x => x.Resolution).HasMaxLength(200);
        e.Property(x => x.OrganizationPath).HasMaxLength(400);
        e.HasIndex(x => new { x.ResolvedAt, x.CreatedAt });
        e.HasIndex(x => x.BillDate);
    }
}

internal sealed class DuesReminderSentMapping : IEntityTypeConfiguration<DuesReminderSent>
{
    public void Configure(EntityTypeBuilder<DuesReminderSent> e)
    {
        e.HasIndex(x => new { x.MemberId, x.Month }).IsUnique();
    }
}

internal sealed class BranchDuesSettingsMapping : IEntityTypeConfiguration<BranchDuesSettings>
{
    public void Configure(EntityTypeBuilder<BranchDuesSettings> e)
    {
        e.Property(x => x.Collector).HasMaxLength(32);
        e.HasIndex(x => x.OrganizationId).IsUnique();
    }
}
