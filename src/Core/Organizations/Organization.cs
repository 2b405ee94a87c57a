using EBranch.Core.Data;
using EBranch.Core.Common;
using EBranch.Core.Regions;

namespace EBranch.Core.Organizations;

public enum OrganizationKind
{
    PartyCommittee = 1,
    GeneralBranch = 2,
    Branch = 3,
    PartyGroup = 4,
}

/// <summary>
/// A node of the party tree (党委 &gt; 党总支 &gt; 党支部 &gt; 党小组). <see cref="Path"/> is the materialized path
/// of ids from the root down to this node, so "this organization and everything under it" is one
/// indexed prefix predicate.
/// </summary>
public sealed class Organization : Entity, IOwnedByOrganization
{
    Guid? IOwnedByOrganization.OwningOrganizationId => Id;

    public required string Name { get; set; }
    public OrganizationKind Kind { get; set; }
    public Guid? ParentId { get; set; }
    public Organization? Parent { get; set; }

    /// <summary>"/{rootId}/.../{id}/" with ids in 32-digit hex.</summary>
    public string Path { get; set; } = "";
    public int Depth { get; set; }
    public Guid? RegionId { get; set; }
    public Region? Region { get; set; }
    public int SortOrder { get; set; }

    public static string Segment(Guid id) => id.ToString("N");

    /// <summary>Places this organization under <paramref name="parent"/> (or at the root), computing path and depth.</summary>
    public void PlaceUnder(Organization? parent)
    {
        ParentId = parent?.Id;
        Path = (parent?.Path ?? "/") + Segment(Id) + "/";
        Depth = parent is null ? 0 : parent.Depth + 1;
    }

    public static string KindLabel(OrganizationKind kind) => kind switch
    {
        OrganizationKind.PartyCommittee => "党委",
        OrganizationKind.GeneralBranch => "党总支",
        OrganizationKind.Branch => "党支部",
        OrganizationKind.PartyGroup => "党小组",
        _ => kind.ToString(),
    };
}
