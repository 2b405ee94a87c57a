using System.Reflection;
using System.Text.Json;
using EBranch.Core.Accounts;
using EBranch.Core.Activities;
using EBranch.Core.Auditing;
using EBranch.Core.CheckIns;
using EBranch.Core.Dues;
using EBranch.Core.Identity;
using EBranch.Core.Members;
using EBranch.Core.Points;
using EBranch.Core.Regions;
using EBranch.Core.WeChatUsers;
using EBranch.Core.Common;
using EBranch.Core.Organizations;
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

    // The existing areas' sets (new areas expose theirs from their own folder with extension members, see docs/ARCHITECTURE.md).
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
        // Each area's IEntityTypeConfiguration<T> classes (next to its entities), then the data scope of every scoped entity.
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(EBranchDbContext).Assembly);
        // The scope root: an organization is visible when it is in the caller's subtree (or is the caller's own).
        modelBuilder.Entity<Organization>()
            .HasQueryFilter(o => ScopeAll || (ScopeSubtree && o.Path.StartsWith(ScopePath)) || o.Id == ScopeOrganizationId);
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
            if (entry.Entity is IMemberData { DataOfMember: { } id } data)
            {
                members.Add(id);
                if (data.IsMemberProfile)
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

    private static Guid? OwningOrganizationId(Entity entity) => (entity as IOwnedByOrganization)?.OwningOrganizationId;

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
