using System.Text.Json;
using EBranch.Core.Data;
using EBranch.Core.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EBranch.Core.Activities;

public sealed record ActivityItem(Guid Id, string Type, string Label, Guid? MemberId, Guid? OrganizationId, string? SubjectType, string? SubjectId, DateTimeOffset OccurredAt, string? Details);

/// <summary>
/// The one way an action is recorded: added to the caller's context so it commits (or not) together with
/// the action itself.
/// </summary>
public sealed class ActivityRecorder(TimeProvider time)
{
    public ActivityRecord Record(EBranchDbContext db, string type, Guid? memberId, Guid? organizationId, string organizationPath,
        string? subjectType = null, string? subjectId = null, object? details = null, Guid? weChatUserId = null)
    {
        var record = new ActivityRecord
        {
            Type = type,
            MemberId = memberId,
            WeChatUserId = weChatUserId,
            OrganizationId = organizationId,
            OrganizationPath = organizationPath,
            SubjectType = subjectType,
            SubjectId = subjectId,
            OccurredAt = time.GetUtcNow(),
            Details = details is null ? null : JsonSerializer.Serialize(details),
        };
        db.ActivityRecords.Add(record);
        return record;
    }

    /// <summary>Records of an organization subtree in [from, to), newest first.</summary>
    public static async Task<PagedResult<ActivityItem>> QueryAsync(EBranchDbContext db, string organizationPath, DateTimeOffset from, DateTimeOffset to,
        string? type, int page, int pageSize, CancellationToken cancellationToken)
    {
        (page, pageSize) = Paging.Normalize(page, pageSize);
        var query = db.ActivityRecords.AsNoTracking()
            .Where(a => a.OrganizationPath.StartsWith(organizationPath) && a.OccurredAt >= from && a.OccurredAt < to);
        if (!string.IsNullOrEmpty(type))
        {
            query = query.Where(a => a.Type == type);
        }
        var total = await query.CountAsync(cancellationToken);
        var rows = await query.OrderByDescending(a => a.OccurredAt).ThenByDescending(a => a.Id)
            .Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(cancellationToken);
        return new PagedResult<ActivityItem>(rows.Select(ToItem).ToList(), total, page, pageSize);
    }

    public static ActivityItem ToItem(ActivityRecord a)
        => new(a.Id, a.Type, ActivityTypes.Label(a.Type), a.MemberId, a.OrganizationId, a.SubjectType, a.SubjectId, a.OccurredAt, a.Details);
}

public static class ActivityServiceCollectionExtensions
{
    public static IServiceCollection AddActivities(this IServiceCollection services) => services.AddSingleton<ActivityRecorder>();
}
