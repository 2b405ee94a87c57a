using EBranch.Core.Accounts;
using EBranch.Core.Common;
using EBranch.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace EBranch.Core.Points;

public sealed class PointRuleInput
{
    public string Name { get; set; } = "";
    public decimal Points { get; set; }

    /// <summary>Cap per period; null = no cap.</summary>
    public decimal? Cap { get; set; }
    public PointPeriod Period { get; set; } = PointPeriod.Day;
    public bool IsEnabled { get; set; } = true;

    /// <summary>When the new version takes effect (default: now). Never earlier than now: history is not rewritten.</summary>
    public DateTimeOffset? EffectiveFrom { get; set; }
}

/// <summary>
/// The district edits points rules. An edit never changes a version already in force: it ends the current
/// version at the new one's start and adds the new version, so credits made before keep the rule they were
/// made under.
/// </summary>
public sealed class PointRuleService(ScopedDb scopedDb, PointsEngine engine, TimeProvider time)
{
    /// <summary>Every version, newest first per action.</summary>
    public async Task<IReadOnlyList<PointRule>> ListAsync(CancellationToken cancellationToken = default)
    {
        var caller = await scopedDb.CallerAsync(cancellationToken);
        caller.Demand(Permission.ViewOrganizations);
        return await engine.GetRulesAsync(cancellationToken);
    }

    public async Task<PointRule> ChangeAsync(string action, PointRuleInput input, CancellationToken cancellationToken = default)
    {
        await using var db = await scopedDb.OpenAsync(cancellationToken);
        if (db.Caller.Scope.Kind != DataScopeKind.All || !db.Caller.Can(Permission.ManageOrganizations))
        {
            throw AppException.Forbidden("积分规则仅由区委组织部调整");
        }
        var now = time.GetUtcNow();
        var from = input.EffectiveFrom ?? now;
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(input.Name) || input.Name.Trim().Length > 64)
        {
            errors[nameof(input.Name)] = ["请填写规则名称（不超过64字）"];
        }
        if (PointActions.IsPenalty(action))
        {
            if (input.Points is > 0 or < -1000 || input.Points * 10 != Math.Floor(input.Points * 10))
            {
                errors[nameof(input.Points)] = ["扣分规则的分值须在-1000到0之间，最多一位小数"];
            }
        }
        else if (input.Points is < 0 or > 1000 || input.Points * 10 != Math.Floor(input.Points * 10))
        {
            errors[nameof(input.Points)] = ["分值须在0-1000之间，最多一位小数"];
        }
        if (input.Cap is { } cap && (cap < 0 || cap * 10 != Math.Floor(cap * 10)))
        {
            errors[nameof(input.Cap)] = ["上限须为非负数，最多一位小数"];
        }
        if (from < now.AddMinutes(-1))
        {
            errors[nameof(input.EffectiveFrom)] = ["生效时间不能早于现在（已发生的积分不会被改写）"];
        }
        if (errors.Count > 0)
        {
            throw AppException.Validation(errors);
        }

        var current = await db.PointRules.Where(r => r.Action == action && (r.ActiveTo == null || r.ActiveTo > from))
            .OrderByDescending(r => r.ActiveFrom).ToListAsync(cancellationToken);
        if (current.Count == 0 && !await db.PointRules.AnyAsync(r => r.Action == action, cancellationToken))
        {
            throw AppException.NotFound("积分规则");
        }
        foreach (var version in current)
        {
            if (version.ActiveFrom >= from)
            {
                db.PointRules.Remove(version); // a future version not yet in force is replaced
            }
            else
            {
                version.ActiveTo = from;
            }
        }
        var rule = new PointRule
        {
            Action = action, Name = input.Name.Trim(), PointsTenths = (int)(input.Points * 10), CapTenths = input.Cap is { } c ? (int)(c * 10) : null,
            Period = input.Period, IsEnabled = input.IsEnabled, ActiveFrom = from,
        };
        db.PointRules.Add(rule);
        await db.SaveChangesAsync(cancellationToken);
        await engine.InvalidateRulesAsync(cancellationToken);
        return rule;
    }
}
