using EBranch.Core.Accounts;
using EBranch.Core.Common;
using EBranch.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EBranch.Core.Auditing;

public sealed record AuditQuery(string? Actor = null, string? EntityType = null, DateTimeOffset? From = null, DateTimeOffset? To = null, int Page = 1, int PageSize = 20);

/// <summary>Reads the audit log of console writes, limited like everything else to the caller's subtree.</summary>
public sealed class AuditLogService(ScopedDb scopedDb)
{
    public async Task<PagedResult<AuditEntry>> SearchAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        await using var db = await scopedDb.OpenAsync(cancellationToken);
        db.Caller.Demand(Permission.ViewAuditLog);
        var (page, pageSize) = Paging.Normalize(query.Page, query.PageSize);
        var entries = db.AuditEntries.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(query.Actor))
        {
            entries = entries.Where(a => a.Actor == query.Actor.Trim());
        }
        if (!string.IsNullOrWhiteSpace(query.EntityType))
        {
            entries = entries.Where(a => a.EntityType == query.EntityType);
        }
        if (query.From is { } from)
        {
            entries = entries.Where(a => a.At >= from);
        }
        if (query.To is { } to)
        {
            entries = entries.Where(a => a.At < to);
        }
        var total = await entries.CountAsync(cancellationToken);
        var items = await entries.OrderByDescending(a => a.At).ThenByDescending(a => a.Id)
            .Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(cancellationToken);
        return new PagedResult<AuditEntry>(items, total, page, pageSize);
    }

    public static string EntityLabel(string entityType) => entityType switch
    {
        "Member" => "党员",
        "Organization" => "党组织",
        "ConsoleUser" => "后台用户",
        "Region" => "行政区划",
        _ => entityType,
    };

    public static string ActionLabel(string action) => action switch
    {
        "create" => "新增",
        "update" => "修改",
        "delete" => "删除",
        _ => action,
    };
}

public static class AuditingServiceCollectionExtensions
{
    public static IServiceCollection AddAuditing(this IServiceCollection services) => services.AddScoped<AuditLogService>();
}
