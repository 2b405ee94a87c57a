using EBranch.Core.Common;
using EBranch.Core.Data;
using EBranch.Core.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EBranch.Core.Accounts;

public sealed record SignInResult(bool Succeeded, string? ErrorCode, string? Message, ConsoleUser? User)
{
    public static SignInResult Fail(string code, string message) => new(false, code, message, null);
}

public sealed record ConsoleUserListItem(Guid Id, string UserName, string DisplayName, ConsoleRole Role, DataScopeKind Scope,
    Guid OrganizationId, string OrganizationName, bool IsDisabled, bool IsLocked, DateTimeOffset? LastLoginAt);

public sealed class ConsoleUserInput
{
    public string UserName { get; set; } = "";
    public string DisplayName { get; set; } = "";
    public ConsoleRole Role { get; set; } = ConsoleRole.ReadOnly;
    public DataScopeKind Scope { get; set; } = DataScopeKind.Subtree;
    public Guid? OrganizationId { get; set; }
    public bool IsDisabled { get; set; }

    /// <summary>Required on create; on edit, null keeps the password.</summary>
    public string? Password { get; set; }
}

/// <summary>Console sign-in (with lockout) and the management of console users within the caller's subtree.</summary>
public sealed class ConsoleUserService(EBranchDbFactory factory, ScopedDb scopedDb, PasswordHasher passwords, TimeProvider time)
{
    public const int MaxFailedLogins = 5;
    public static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(15);

    public async Task<SignInResult> SignInAsync(string userName, string password, CancellationToken cancellationToken = default)
    {
        const string wrong = "用户名或密码错误";
        if (string.IsNullOrWhiteSpace(userName) || string.IsNullOrEmpty(password) || userName.Length > 64 || password.Length > 128)
        {
            return SignInResult.Fail(ErrorCodes.LoginFailed, wrong);
        }
        await using var db = factory.CreateForSystem();
        var user = await db.ConsoleUsers.Include(u => u.Organization).FirstOrDefaultAsync(u => u.UserName == userName.Trim(), cancellationToken);
        var now = time.GetUtcNow();
        if (user is null)
        {
            passwords.Hash(password); // same cost as a real check, so timing does not reveal user names
            return SignInResult.Fail(ErrorCodes.LoginFailed, wrong);
        }
        if (user.LockedUntil is { } until && until > now)
        {
            return SignInResult.Fail(ErrorCodes.AccountLocked, $"密码错误次数过多，账号已锁定，请于 {TimeZoneInfo.ConvertTime(until, DistrictTime.Zone):HH:mm} 后再试");
        }
        if (!passwords.Verify(password, user.PasswordHash))
        {
            user.FailedLogins++;
            if (user.FailedLogins >= MaxFailedLogins)
            {
                user.LockedUntil = now + LockoutDuration;
                user.FailedLogins = 0;
                await db.SaveChangesAsync(cancellationToken);
                return SignInResult.Fail(ErrorCodes.AccountLocked, $"密码连续错误 {MaxFailedLogins} 次，账号已锁定 {LockoutDuration.TotalMinutes:0} 分钟");
            }
            await db.SaveChangesAsync(cancellationToken);
            return SignInResult.Fail(ErrorCodes.LoginFailed, wrong);
        }
        if (user.IsDisabled)
        {
            return SignInResult.Fail(ErrorCodes.Forbidden, "该账号已停用，请联系上级管理员");
        }
        user.FailedLogins = 0;
        user.LockedUntil = null;
        user.LastLoginAt = now;
        await db.SaveChangesAsync(cancellationToken);
        return new SignInResult(true, null, null, user);
    }

    /// <summary>The caller a signed-in console user acts as (scope from their stored organization and scope kind).</summary>
    public async Task<Caller?> LoadCallerAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        await using var db = factory.CreateForSystem();
        var user = await db.ConsoleUsers.AsNoTracking()
            .Where(u => u.Id == userId && !u.IsDisabled)
            .Select(u => new { u.Id, u.UserName, u.Role, u.Scope, u.OrganizationId, u.Organization!.Path })
            .FirstOrDefaultAsync(cancellationToken);
        return user is null ? null : new Caller(user.UserName, new DataScope(user.Scope, user.OrganizationId, user.Path), user.Id, user.Role, AuditWrites: true);
    }

    public async Task<PagedResult<ConsoleUserListItem>> ListAsync(string? keyword, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        await using var db = await scopedDb.OpenAsync(cancellationToken);
        db.Caller.Demand(Permission.ManageUsers);
        (page, pageSize) = Paging.Normalize(page, pageSize);
        var query = db.ConsoleUsers.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(keyword))
        {
            var k = keyword.Trim();
            query = query.Where(u => u.UserName.Contains(k) || u.DisplayName.Contains(k));
        }
        var now = time.GetUtcNow();
        var total = await query.CountAsync(cancellationToken);
        var items = await query.OrderBy(u => u.Organization!.Path).ThenBy(u => u.UserName)
            .Skip((page - 1) * pageSize).Take(pageSize)
            .Select(u => new { u.Id, u.UserName, u.DisplayName, u.Role, u.Scope, u.OrganizationId, OrganizationName = u.Organization!.Name, u.IsDisabled, u.LockedUntil, u.LastLoginAt })
            .ToListAsync(cancellationToken);
        return new PagedResult<ConsoleUserListItem>(
            items.Select(u => new ConsoleUserListItem(u.Id, u.UserName, u.DisplayName, u.Role, u.Scope, u.OrganizationId, u.OrganizationName,
                u.IsDisabled, u.LockedUntil > now, u.LastLoginAt)).ToList(), total, page, pageSize);
    }

    public async Task<ConsoleUserInput> GetAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var db = await scopedDb.OpenAsync(cancellationToken);
        db.Caller.Demand(Permission.ManageUsers);
        var user = await db.ConsoleUsers.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, cancellationToken) ?? throw AppException.NotFound("用户");
        return new ConsoleUserInput
        {
            UserName = user.UserName, DisplayName = user.DisplayName, Role = user.Role, Scope = user.Scope,
            OrganizationId = user.OrganizationId, IsDisabled = user.IsDisabled,
        };
    }

    public async Task<Guid> SaveAsync(Guid? id, ConsoleUserInput input, CancellationToken cancellationToken = default)
    {
        await using var db = await scopedDb.OpenAsync(cancellationToken);
        var caller = db.Caller;
        caller.Demand(Permission.ManageUsers);
        var errors = new Dictionary<string, string[]>();
        var userName = input.UserName?.Trim() ?? "";
        if (userName.Length is < 3 or > 32 || !userName.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-'))
        {
            errors[nameof(input.UserName)] = ["用户名为3-32位字母、数字或 _ . -"];
        }
        if (string.IsNullOrWhiteSpace(input.DisplayName) || input.DisplayName.Trim().Length > 32)
        {
            errors[nameof(input.DisplayName)] = ["请填写姓名（不超过32字）"];
        }
        if (caller.Role is { } role && !RolePermissions.CanGrant(role, input.Role))
        {
            errors[nameof(input.Role)] = ["不能授予高于自己的角色"];
        }
        if (caller.Scope.Kind != DataScopeKind.All && input.Scope == DataScopeKind.All)
        {
            errors[nameof(input.Scope)] = ["不能授予全部数据范围"];
        }
        if (id is null && !IsStrongPassword(input.Password))
        {
            errors[nameof(input.Password)] = ["密码至少8位，且须包含字母和数字"];
        }
        else if (id is not null && !string.IsNullOrEmpty(input.Password) && !IsStrongPassword(input.Password))
        {
            errors[nameof(input.Password)] = ["密码至少8位，且须包含字母和数字"];
        }
        var organization = input.OrganizationId is { } orgId ? await db.Organizations.FirstOrDefaultAsync(o => o.Id == orgId, cancellationToken) : null;
        if (organization is null)
        {
            errors[nameof(input.OrganizationId)] = ["请选择您管理范围内的党组织"];
        }
        if (await db.ConsoleUsers.IgnoreQueryFilters().AnyAsync(u => u.UserName == userName && u.Id != id, cancellationToken))
        {
            errors[nameof(input.UserName)] = ["该用户名已被使用"];
        }
        if (errors.Count > 0)
        {
            throw AppException.Validation(errors);
        }

        ConsoleUser user;
        if (id is { } existingId)
        {
            user = await db.ConsoleUsers.FirstOrDefaultAsync(u => u.Id == existingId, cancellationToken) ?? throw AppException.NotFound("用户");
            if (caller.Role is { } callerRole && !RolePermissions.CanGrant(callerRole, user.Role))
            {
                throw AppException.Forbidden("不能修改高于自己角色的用户");
            }
        }
        else
        {
            user = new ConsoleUser { UserName = userName, DisplayName = "" };
            db.ConsoleUsers.Add(user);
        }
        user.UserName = userName;
        user.DisplayName = input.DisplayName.Trim();
        user.Role = input.Role;
        user.Scope = input.Scope;
        user.OrganizationId = organization!.Id;
        user.IsDisabled = input.IsDisabled;
        if (!string.IsNullOrEmpty(input.Password))
        {
            user.PasswordHash = passwords.Hash(input.Password);
            user.LockedUntil = null;
            user.FailedLogins = 0;
        }
        await db.SaveChangesAsync(cancellationToken);
        return user.Id;
    }

    private static bool IsStrongPassword(string? password)
        => password is { Length: >= 8 and <= 128 } && password.Any(char.IsAsciiLetter) && password.Any(char.IsAsciiDigit);
}

public static class AccountServiceCollectionExtensions
{
    public static IServiceCollection AddAccounts(this IServiceCollection services) => services.AddScoped<ConsoleUserService>();
}
