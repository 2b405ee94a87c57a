using EBranch.Core.Data;
namespace EBranch.Core.Auditing;

/// <summary>One console write: who changed what, when, and the values before and after (sensitive values masked).</summary>
public sealed class AuditEntry : IScopedByPath
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public DateTimeOffset At { get; set; }
    public required string Actor { get; set; }
    public Guid? ActorUserId { get; set; }

    /// <summary>Path of the organization the changed record belongs to (scopes who may read the entry).</summary>
    public string OrganizationPath { get; set; } = "/";
    public required string EntityType { get; set; }
    public Guid EntityId { get; set; }
    public required string Action { get; set; }
    public string? Before { get; set; }
    public string? After { get; set; }
}
