using System.Reflection;
using System.Text.Json;
using EBranch.Core.Accounts;
using EBranch.Core.Activities;
using EBranch.Core.CheckIns;
using EBranch.Core.Dues;
using EBranch.Core.Identity;
using EBranch.Core.Points;
using EBranch.Core.Auditing;
using EBranch.Core.Common;
using EBranch.Core.Members;
using EBranch.Core.Organizations;
using EBranch.Core.Regions;
using EBranch.Core.WeChatUsers;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace EBranch.Core.Data;

/// <summary>
/// The product's database. Every context is opened for a <see cref="Caller"/>: its data scope becomes the
/// query filters below (the one place "an administrator sees only their subtree" is enforced), its name
/// fills the audit fields, and console callers' writes are added to the audit log in the same transaction.
/// Provider-specific subclasses exist only to carry their own migrations.
/// </summary>
public abstract class EBranchDbContext : DbContext
{
    private readonly TimeProvider _time;

    protected EBranchDbContext(DbContextOptions options, Caller caller, TimeProvider time) : base(options)
    {
        Caller = caller;
        _time = time;
        var scope = caller.Scope;
        ScopeAll = scope.Kind == DataScopeKind.All;
        ScopeSubtree = scope.Kind == DataScopeKind.Subtree;
        ScopeOrganizationId = scope.OrganizationId;
        ScopePath = scope.OrganizationPath;
    }

    public Caller Caller { get; }

    /// <summary>
    /// Called after each successful save with the members whose own data it changed (profile, check-ins, points,
    /// activity, honours), so caches of member views can be dropped (<see cref="IMemberChangeListener"/>).
    /// </summary>
    internal Func<MemberChanges, ValueTask>? MembersChanged { get; set; }

    // Read by the query filters (EF parameterizes them per context instance).
    private bool ScopeAll { get; }
    private bool ScopeSubtree { get; }
    private Guid ScopeOrganizationId { get; }
    private string ScopePath { get; }

    public DbSet<Region> Regions => Set<Region>();
    public DbSet<Organization> Organizations => Set<Organization>();
    public DbSet<Member> Members => Set<Member>();
    public DbSet<WeChatUser> WeChatUsers => Set<WeChatUser>();
    public DbSet<ConsoleUser> ConsoleUsers => Set<ConsoleUser>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<WeChatSession> WeChatSessions => Set<WeChatSession>();
    public DbSet<BindingRequest> BindingRequests => Set<BindingRequest>();
    public DbSet<ActivityRecord> ActivityRecords => Set<ActivityRecord>();
    public DbSet<PointRule> PointRules => Set<PointRule>();
    public DbSet<PointEntry> PointEntries => Set<PointEntry>();
    public DbSet<CheckIn> CheckIns => Set<CheckIn>();
    public DbSet<Honour> Honours => Set<Honour>();
    public DbSet<DuesStandard> DuesStandards => Set<DuesStandard>();
    public DbSet<DuesBill> DuesBills => Set<DuesBill>();
    public DbSet<DuesReduction> DuesReductions => Set<DuesReduction>();
    public DbSet<PayOrder> PayOrders => Set<PayOrder>();
    public DbSet<PayOrderItem> PayOrderItems => Set<PayOrderItem>();
    public DbSet<PayNotificationRecord> PayNotifications => Set<PayNotificationRecord>();
    public DbSet<DuesRefund> DuesRefunds => Set<DuesRefund>();
    public DbSet<DuesIssue> DuesIssues => Set<DuesIssue>();
    public DbSet<BranchDuesSettings> BranchDuesSettings => Set<BranchDuesSettings>();
    public DbSet<DuesReminderSent> DuesRemindersSent => Set<DuesReminderSent>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Region>(e =>
        {
            e.Property(r => r.Code).HasMaxLength(12);
            e.Property(r => r.Name).HasMaxLength(64);
            e.HasIndex(r => r.Code).IsUnique();
            e.HasIndex(r => r.ParentId);
            e.HasOne(r => r.Parent).WithMany().HasForeignKey(r => r.ParentId).OnDelete(DeleteBehavior.Restrict);
        });

        modelBuilder.Entity<Organization>(e =>
        {
            e.Property(o => o.Name).HasMaxLength(128);
            e.Property(o => o.Path).HasMaxLength(400);
            e.HasIndex(o => o.Path).IsUnique();
            e.HasIndex(o => o.ParentId);
            e.HasOne(o => o.Parent).WithMany().HasForeignKey(o => o.ParentId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne(o => o.Region).WithMany().HasForeignKey(o => o.RegionId).OnDelete(DeleteBehavior.Restrict);
            e.HasQueryFilter(o => ScopeAll || (ScopeSubtree && o.Path.StartsWith(ScopePath)) || o.Id == ScopeOrganizationId);
        });

        modelBuilder.Entity<Member>(e =>
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
        });

        modelBuilder.Entity<WeChatUser>(e =>
        {
            e.Property(u => u.OpenId).HasMaxLength(64);
            e.Property(u => u.UnionId).HasMaxLength(64);
            e.HasIndex(u => u.OpenId).IsUnique();
            e.HasIndex(u => u.MemberId).IsUnique();
            e.HasOne(u => u.Member).WithMany().HasForeignKey(u => u.MemberId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne(u => u.Region).WithMany().HasForeignKey(u => u.RegionId).OnDelete(DeleteBehavior.Restrict);
        });

        modelBuilder.Entity<ConsoleUser>(e =>
        {
            e.Property(u => u.UserName).HasMaxLength(64);
            e.Property(u => u.DisplayName).HasMaxLength(64);
            e.Property(u => u.PasswordHash).HasMaxLength(200);
            e.HasIndex(u => u.UserName).IsUnique();
            e.HasOne(u => u.Organization).WithMany().HasForeignKey(u => u.OrganizationId).OnDelete(DeleteBehavior.Restrict);
        });

        modelBuilder.Entity<AuditEntry>(e =>
        {
            e.Property(a => a.Actor).HasMaxLength(64);
            e.Property(a => a.EntityType).HasMaxLength(64);
            e.Property(a => a.Action).HasMaxLength(16);
            e.Property(a => a.OrganizationPath).HasMaxLength(400);
            e.HasIndex(a => a.At);
            e.HasIndex(a => a.OrganizationPath);
        });

        modelBuilder.Entity<WeChatSession>(e =>
        {
            e.Property(s => s.TokenHash).HasMaxLength(64);
            e.HasIndex(s => s.TokenHash).IsUnique();
            e.HasIndex(s => s.WeChatUserId);
            e.HasOne(s => s.WeChatUser).WithMany().HasForeignKey(s => s.WeChatUserId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<BindingRequest>(e =>
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
        });

        modelBuilder.Entity<ActivityRecord>(e =>
        {
            e.Property(a => a.Type).HasMaxLength(64);
            e.Property(a => a.OrganizationPath).HasMaxLength(400);
            e.Property(a => a.SubjectType).HasMaxLength(64);
            e.Property(a => a.SubjectId).HasMaxLength(64);
            e.Property(a => a.Details).HasMaxLength(2000);
            e.HasIndex(a => new { a.OrganizationPath, a.OccurredAt });
            e.HasIndex(a => new { a.MemberId, a.OccurredAt });
        });

        modelBuilder.Entity<PointRule>(e =>
        {
            e.Property(r => r.Action).HasMaxLength(64);
            e.Property(r => r.Name).HasMaxLength(64);
            e.HasIndex(r => new { r.Action, r.ActiveFrom }).IsUnique();
        });

        modelBuilder.Entity<PointEntry>(e =>
        {
            e.Property(p => p.Action).HasMaxLength(64);
            e.Property(p => p.SourceKey).HasMaxLength(128);
            e.Property(p => p.OrganizationPath).HasMaxLength(400);
            e.Property(p => p.Note).HasMaxLength(200);
            e.HasIndex(p => new { p.MemberId, p.Action, p.SourceKey }).IsUnique();
            e.HasIndex(p => new { p.MemberId, p.Action, p.OccurredAt });
            e.HasIndex(p => new { p.OrganizationPath, p.OccurredAt });
        });

        modelBuilder.Entity<CheckIn>(e =>
        {
            e.HasIndex(c => new { c.MemberId, c.Day }).IsUnique();
        });

        modelBuilder.Entity<DuesStandard>(e =>
        {
            e.Property(x => x.Note).HasMaxLength(200);
            e.Property(x => x.ReductionApprovedBy).HasMaxLength(64);
            e.HasIndex(x => new { x.MemberId, x.EffectiveFrom });
        });

        modelBuilder.Entity<DuesReduction>(e =>
        {
            e.Property(x => x.Reason).HasMaxLength(200);
            e.Property(x => x.RequestedBy).HasMaxLength(64);
            e.Property(x => x.DecidedBy).HasMaxLength(64);
            e.Property(x => x.OrganizationPath).HasMaxLength(400);
            e.HasIndex(x => new { x.MemberId, x.Status });
        });

        modelBuilder.Entity<DuesBill>(e =>
        {
            e.Property(x => x.OrganizationPath).HasMaxLength(400);
            e.HasIndex(x => new { x.MemberId, x.Month }).IsUnique();
            e.HasIndex(x => new { x.Month, x.OrganizationPath });
        });

        modelBuilder.Entity<PayOrder>(e =>
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
        });

        modelBuilder.Entity<PayOrderItem>(e => e.HasIndex(x => x.BillId));

        modelBuilder.Entity<PayNotificationRecord>(e =>
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
        });

        modelBuilder.Entity<DuesRefund>(e =>
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
        });

        modelBuilder.Entity<DuesIssue>(e =>
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
        });

        modelBuilder.Entity<DuesReminderSent>(e => e.HasIndex(x => new { x.MemberId, x.Month }).IsUnique());

        modelBuilder.Entity<BranchDuesSettings>(e =>
        {
            e.Property(x => x.Collector).HasMaxLength(32);
            e.HasIndex(x => x.OrganizationId).IsUnique();
        });

        modelBuilder.Entity<Honour>(e =>
        {
            e.Property(h => h.Title).HasMaxLength(100);
            e.Property(h => h.AwardedBy).HasMaxLength(100);
            e.HasIndex(h => h.MemberId);
        });

        // Each area's IEntityTypeConfiguration<T> classes (next to its entities), then the data scope of every scoped entity.
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(EBranchDbContext).Assembly);
        ApplyScopeFilters(modelBuilder);
    }

    /// <summary>Gives every <see cref="IScopedByPath"/> and <see cref="IScopedByOrganization"/> entity the caller's data scope.</summary>
    private void ApplyScopeFilters(ModelBuilder modelBuilder)
    {
        foreach (var type in modelBuilder.Model.GetEntityTypes().Select(t => t.ClrType).ToList())
        {
            var apply = typeof(IScopedByPath).IsAssignableFrom(type) ? nameof(ScopeByPath)
                : typeof(IScopedByOrganization).IsAssignableFrom(type) ? nameof(ScopeByOrganization)
                : null;
            if (apply is not null)
            {
                typeof(EBranchDbContext).GetMethod(apply, BindingFlags.NonPublic | BindingFlags.Instance)!
                    .MakeGenericMethod(type).Invoke(this, [modelBuilder]);
            }
        }
    }

    private void ScopeByPath<T>(ModelBuilder modelBuilder) where T : class, IScopedByPath
        => modelBuilder.Entity<T>().HasQueryFilter(x => ScopeAll || (ScopeSubtree ? x.OrganizationPath.StartsWith(ScopePath) : x.OrganizationPath == ScopePath));

    private void ScopeByOrganization<T>(ModelBuilder modelBuilder) where T : class, IScopedByOrganization
        => modelBuilder.Entity<T>().HasQueryFilter(x => ScopeAll || (ScopeSubtree && x.Organization!.Path.StartsWith(ScopePath)) || x.Organization!.Id == ScopeOrganizationId);

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
        => SaveWithAuditAsync(acceptAllChangesOnSuccess, cancellationToken);

    /// <summary>
    /// Saves a few rows all or nothing in one round trip. On PostgreSQL EF's single batch goes without BEGIN/COMMIT: Npgsql
    /// sends it with one Sync, which PostgreSQL runs as one implicit transaction. Elsewhere (SQLite), or inside an explicit
    /// transaction, an ordinary save. For hot paths that write a handful of rows (a check-in and its record and points).
    /// </summary>
    public async Task<int> SaveBatchAsync(CancellationToken cancellationToken = default)
    {
        if (this is not PostgresEBranchDbContext || Database.CurrentTransaction is not null)
        {
            return await SaveChangesAsync(cancellationToken);
        }
        var before = Database.AutoTransactionBehavior;
        Database.AutoTransactionBehavior = AutoTransactionBehavior.Never;
        try
        {
            return await SaveChangesAsync(cancellationToken);
        }
        finally
        {
            Database.AutoTransactionBehavior = before;
        }
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
        => throw new NotSupportedException("Use SaveChangesAsync: it fills audit fields and the audit log.");

    private async Task<int> SaveWithAuditAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var entries = ChangeTracker.Entries<Entity>()
            .Where(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted)
            .ToList();
        foreach (var entry in entries)
        {
            if (entry.State == EntityState.Added)
            {
                entry.Entity.CreatedAt = now;
                entry.Entity.CreatedBy = Caller.Name;
            }
            if (entry.State is EntityState.Added or EntityState.Modified)
            {
                entry.Entity.UpdatedAt = now;
                entry.Entity.UpdatedBy = Caller.Name;
            }
        }
        if (Caller.AuditWrites && entries.Count > 0)
        {
            await AddAuditEntriesAsync(entries, now, cancellationToken);
        }
        var changedMembers = MembersChanged is null ? null : ChangedMembers();
        var saved = await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        if (changedMembers is { Members.Count: > 0 })
        {
            await MembersChanged!(changedMembers);
        }
        return saved;
    }

    private MemberChanges ChangedMembers()
    {
        var members = new HashSet<Guid>();
        var profiles = new HashSet<Guid>();
        foreach (var entry in ChangeTracker.Entries())
        {
            if (entry.State is EntityState.Unchanged or EntityState.Detached)
            {
                continue;
            }
            Guid? member = entry.Entity switch
            {
                Member m => m.Id,
                CheckIn c => c.MemberId,
                PointEntry p => p.MemberId,
                ActivityRecord a => a.MemberId,
                Honour h => h.MemberId,
                _ => null,
            };
            if (member is { } id)
            {
                members.Add(id);
                if (entry.Entity is Member)
                {
                    profiles.Add(id);
                }
            }
        }
        return new MemberChanges(members, profiles);
    }

    private async Task AddAuditEntriesAsync(List<EntityEntry<Entity>> entries, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var organizationIds = entries.Select(e => OwningOrganizationId(e.Entity)).OfType<Guid>().Distinct().ToList();
        var paths = await Organizations.IgnoreQueryFilters()
            .Where(o => organizationIds.Contains(o.Id))
            .Select(o => new { o.Id, o.Path })
            .ToDictionaryAsync(o => o.Id, o => o.Path, cancellationToken);
        foreach (var local in ChangeTracker.Entries<Organization>())
        {
            paths[local.Entity.Id] = local.Entity.Path;
        }

        foreach (var entry in entries)
        {
            var organizationId = OwningOrganizationId(entry.Entity);
            var path = entry.Entity is Organization org ? org.Path
                : organizationId is { } id && paths.TryGetValue(id, out var p) ? p : "/";
            AuditEntries.Add(new AuditEntry
            {
                At = now,
                Actor = Caller.Name,
                ActorUserId = Caller.UserId,
                OrganizationPath = path,
                EntityType = entry.Metadata.ClrType.Name,
                EntityId = entry.Entity.Id,
                Action = entry.State switch
                {
                    EntityState.Added => "create",
                    EntityState.Deleted => "delete",
                    _ => "update",
                },
                Before = entry.State == EntityState.Added ? null : Snapshot(entry, original: true),
                After = entry.State == EntityState.Deleted ? null : Snapshot(entry, original: false),
            });
        }
    }

    private static Guid? OwningOrganizationId(Entity entity) => entity switch
    {
        Organization o => o.Id,
        Member m => m.OrganizationId,
        ConsoleUser u => u.OrganizationId,
        BindingRequest b => b.OrganizationId,
        _ => null,
    };

    private static readonly HashSet<string> NotAudited =
        [nameof(Entity.CreatedAt), nameof(Entity.CreatedBy), nameof(Entity.UpdatedAt), nameof(Entity.UpdatedBy), nameof(ConsoleUser.PasswordHash)];

    private static string Snapshot(EntityEntry entry, bool original)
    {
        var values = new SortedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (var property in entry.Properties)
        {
            var name = property.Metadata.Name;
            if (NotAudited.Contains(name) || (entry.State == EntityState.Modified && !property.IsModified))
            {
                continue;
            }
            var sensitive = property.Metadata.PropertyInfo?.GetCustomAttribute<SensitiveAttribute>() is not null;
            var value = original ? property.OriginalValue : property.CurrentValue;
            values[name] = sensitive ? (value is null ? null : "******") : value;
        }
        return JsonSerializer.Serialize(values, AuditJson);
    }

    private static readonly JsonSerializerOptions AuditJson = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
