using EBranch.Core.Accounts;
using EBranch.Core.Common;
using EBranch.Core.Data;
using EBranch.Core.Organizations;
using EBranch.Core.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EBranch.Core.Members;

/// <summary>
/// The member roster as a console user sees it. Every query runs through the caller's scoped context,
/// so a member outside their subtree is simply "not found".
/// </summary>
public sealed class MemberService(ScopedDb scopedDb, PiiProtector pii, TimeProvider time)
{
    public async Task<PagedResult<MemberListItem>> SearchAsync(MemberSearch search, CancellationToken cancellationToken = default)
    {
        await using var db = await scopedDb.OpenAsync(cancellationToken);
        db.Caller.Demand(Permission.ViewMembers);
        var (page, pageSize) = Paging.Normalize(search.Page, search.PageSize);
        var query = db.Members.AsNoTracking();

        if (search.OrganizationId is { } orgId)
        {
            var path = await db.Organizations.Where(o => o.Id == orgId).Select(o => o.Path).FirstOrDefaultAsync(cancellationToken)
                ?? throw AppException.NotFound("组织");
            query = query.Where(m => m.Organization!.Path.StartsWith(path));
        }
        if (!string.IsNullOrWhiteSpace(search.Keyword))
        {
            var keyword = search.Keyword.Trim();
            if (ChineseId.IsValid(keyword))
            {
                var digest = pii.Digest(ChineseId.Normalize(keyword));
                query = query.Where(m => m.IdNumberDigest == digest);
            }
            else if (ChineseId.IsValidPhone(keyword))
            {
                var digest = pii.Digest(ChineseId.NormalizePhone(keyword));
                query = query.Where(m => m.PhoneDigest == digest);
            }
            else
            {
                query = query.Where(m => m.Name.Contains(keyword));
            }
        }
        if (search.Status is { } status)
        {
            query = query.Where(m => m.Status == status);
        }
        if (search.IsMigrant is { } migrant)
        {
            query = query.Where(m => m.IsMigrant == migrant);
        }

        var total = await query.CountAsync(cancellationToken);
        var rows = await query
            .OrderBy(m => m.Organization!.Path).ThenBy(m => m.Name).ThenBy(m => m.Id)
            .Skip((page - 1) * pageSize).Take(pageSize)
            .Select(m => new
            {
                m.Id, m.Name, m.Gender, m.BirthDate, m.IdNumberCipher, m.PhoneCipher, m.Status, m.Standing, m.AdmittedOn,
                m.OrganizationId, OrganizationName = m.Organization!.Name, m.IsMigrant, m.IsLostContact, m.Posts,
            })
            .ToListAsync(cancellationToken);
        var today = DistrictTime.Today(time);
        var items = rows.Select(m => new MemberListItem(
            m.Id, m.Name, m.Gender, DistrictTime.YearsBetween(m.BirthDate, today),
            ChineseId.Mask(pii.Unprotect(m.IdNumberCipher)),
            m.PhoneCipher is null ? null : ChineseId.MaskPhone(pii.Unprotect(m.PhoneCipher)),
            m.Status, m.Standing, m.AdmittedOn, m.OrganizationId, m.OrganizationName, m.IsMigrant, m.IsLostContact, m.Posts)).ToList();
        return new PagedResult<MemberListItem>(items, total, page, pageSize);
    }

    public async Task<MemberDetails> GetAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var db = await scopedDb.OpenAsync(cancellationToken);
        db.Caller.Demand(Permission.ViewMembers);
        var member = await db.Members.AsNoTracking().Include(m => m.Organization).FirstOrDefaultAsync(m => m.Id == id, cancellationToken)
            ?? throw AppException.NotFound("党员");
        var values = new MemberInput
        {
            Name = member.Name, Gender = member.Gender, Ethnicity = member.Ethnicity, BirthDate = member.BirthDate,
            Education = member.Education, Status = member.Status, Standing = member.Standing, AdmittedOn = member.AdmittedOn,
            FullMemberOn = member.FullMemberOn, IsMigrant = member.IsMigrant, IsLostContact = member.IsLostContact,
            OrganizationId = member.OrganizationId, PartyGroupId = member.PartyGroupId, Posts = member.Posts,
        };
        var today = DistrictTime.Today(time);
        return new MemberDetails(member.Id, values,
            ChineseId.Mask(pii.Unprotect(member.IdNumberCipher)),
            member.PhoneCipher is null ? null : ChineseId.MaskPhone(pii.Unprotect(member.PhoneCipher)),
            member.Organization!.Name,
            member.FullMemberOn is { } full ? DistrictTime.YearsBetween(full, today) : 0);
    }

    public async Task<Guid> CreateAsync(MemberInput input, CancellationToken cancellationToken = default)
    {
        await using var db = await scopedDb.OpenAsync(cancellationToken);
        db.Caller.Demand(Permission.ManageMembers);
        var member = new Member { Name = "" };
        var errors = await ApplyAsync(db, member, input, isNew: true, cancellationToken);
        if (errors.Count > 0)
        {
            throw AppException.Validation(errors);
        }
        db.Members.Add(member);
        await SaveAsync(db, cancellationToken);
        return member.Id;
    }

    public async Task UpdateAsync(Guid id, MemberInput input, CancellationToken cancellationToken = default)
    {
        await using var db = await scopedDb.OpenAsync(cancellationToken);
        db.Caller.Demand(Permission.ManageMembers);
        var member = await db.Members.FirstOrDefaultAsync(m => m.Id == id, cancellationToken) ?? throw AppException.NotFound("党员");
        var errors = await ApplyAsync(db, member, input, isNew: false, cancellationToken);
        if (errors.Count > 0)
        {
            throw AppException.Validation(errors);
        }
        await SaveAsync(db, cancellationToken);
    }

    private static async Task SaveAsync(EBranchDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // The unique digest index lost a race with another write of the same ID number.
            throw AppException.Conflict(ErrorCodes.Duplicate, "该身份证号已登记为党员");
        }
    }

    /// <summary>Validates <paramref name="input"/> and copies it onto <paramref name="member"/>. Returns field → zh-CN messages.</summary>
    internal async Task<Dictionary<string, string[]>> ApplyAsync(EBranchDbContext db, Member member, MemberInput input, bool isNew,
        CancellationToken cancellationToken, ISet<string>? digestsInBatch = null)
    {
        var errors = new Dictionary<string, List<string>>();
        void Fail(string field, string message) => (errors.TryGetValue(field, out var list) ? list : errors[field] = []).Add(message);
        var today = DistrictTime.Today(time);

        var name = input.Name?.Trim() ?? "";
        if (name.Length == 0)
        {
            Fail(nameof(input.Name), "请填写姓名");
        }
        else if (name.Length > 32)
        {
            Fail(nameof(input.Name), "姓名不能超过32个字");
        }

        string? idNumber = null;
        if (isNew || !string.IsNullOrWhiteSpace(input.IdNumber))
        {
            idNumber = ChineseId.Normalize(input.IdNumber ?? "");
            if (!ChineseId.TryParse(idNumber, out var idBirth, out var idMale))
            {
                Fail(nameof(input.IdNumber), idNumber.Length == 0 ? "请填写身份证号" : "身份证号格式或校验位不正确");
                idNumber = null;
            }
            else
            {
                if (input.BirthDate is { } birth && birth != idBirth)
                {
                    Fail(nameof(input.BirthDate), "出生日期与身份证号不一致");
                }
                input.BirthDate ??= idBirth;
                if ((input.Gender == Gender.Male) != idMale)
                {
                    Fail(nameof(input.Gender), "性别与身份证号不一致");
                }
                var digest = pii.Digest(idNumber);
                var taken = await db.Members.IgnoreQueryFilters().AnyAsync(m => m.IdNumberDigest == digest && m.Id != member.Id, cancellationToken);
                if (taken || (digestsInBatch is not null && !digestsInBatch.Add(digest)))
                {
                    Fail(nameof(input.IdNumber), "该身份证号已登记为党员");
                }
            }
        }

        string? phone = null;
        var clearPhone = input.Phone is not null && input.Phone.Trim().Length == 0;
        if (!string.IsNullOrWhiteSpace(input.Phone))
        {
            if (!ChineseId.IsValidPhone(input.Phone))
            {
                Fail(nameof(input.Phone), "手机号格式不正确");
            }
            else
            {
                phone = ChineseId.NormalizePhone(input.Phone);
            }
        }

        if (input.BirthDate is null)
        {
            Fail(nameof(input.BirthDate), "请填写出生日期");
        }
        if (input.AdmittedOn is not { } admitted)
        {
            Fail(nameof(input.AdmittedOn), "请填写入党日期");
        }
        else
        {
            if (admitted > today)
            {
                Fail(nameof(input.AdmittedOn), "入党日期不能晚于今天");
            }
            if (input.BirthDate is { } b && admitted < b.AddYears(18))
            {
                Fail(nameof(input.AdmittedOn), "入党时须年满十八岁");
            }
            if (input.Status == MemberStatus.Full)
            {
                if (input.FullMemberOn is not { } full)
                {
                    Fail(nameof(input.FullMemberOn), "正式党员须填写转正日期");
                }
                else if (full <= admitted || full > today)
                {
                    Fail(nameof(input.FullMemberOn), "转正日期须晚于入党日期且不晚于今天");
                }
            }
            else if (input.FullMemberOn is not null)
            {
                Fail(nameof(input.FullMemberOn), "预备党员不应填写转正日期");
            }
        }
        if (string.IsNullOrWhiteSpace(input.Ethnicity) || input.Ethnicity.Trim().Length > 16)
        {
            Fail(nameof(input.Ethnicity), "请填写民族");
        }
        if (input.Posts is { Length: > 100 })
        {
            Fail(nameof(input.Posts), "职务不能超过100个字");
        }

        Organization? organization = null;
        if (input.OrganizationId is not { } orgId)
        {
            Fail(nameof(input.OrganizationId), "请选择所在党组织");
        }
        else
        {
            // The scoped query filter makes organizations outside the caller's subtree invisible here.
            organization = await db.Organizations.FirstOrDefaultAsync(o => o.Id == orgId, cancellationToken);
            if (organization is null)
            {
                Fail(nameof(input.OrganizationId), "所选党组织不存在或不在您的管理范围内");
            }
            else if (organization.Kind == OrganizationKind.PartyGroup)
            {
                Fail(nameof(input.OrganizationId), "党员应隶属于党支部，党小组请在“所在党小组”中选择");
            }
        }
        if (input.PartyGroupId is { } groupId && organization is not null
            && !await db.Organizations.AnyAsync(o => o.Id == groupId && o.ParentId == organization.Id && o.Kind == OrganizationKind.PartyGroup, cancellationToken))
        {
            Fail(nameof(input.PartyGroupId), "所选党小组不属于该党支部");
        }

        if (errors.Count > 0)
        {
            return errors.ToDictionary(e => e.Key, e => e.Value.ToArray());
        }

        member.Name = name;
        member.Gender = input.Gender;
        member.Ethnicity = input.Ethnicity.Trim();
        member.BirthDate = input.BirthDate!.Value;
        if (idNumber is not null)
        {
            member.IdNumberCipher = pii.Protect(idNumber);
            member.IdNumberDigest = pii.Digest(idNumber);
        }
        if (phone is not null)
        {
            member.PhoneCipher = pii.Protect(phone);
            member.PhoneDigest = pii.Digest(phone);
        }
        else if (clearPhone)
        {
            member.PhoneCipher = null;
            member.PhoneDigest = null;
        }
        member.Education = input.Education;
        member.Status = input.Status;
        member.Standing = input.Standing;
        member.AdmittedOn = input.AdmittedOn!.Value;
        member.FullMemberOn = input.Status == MemberStatus.Full ? input.FullMemberOn : null;
        member.IsMigrant = input.IsMigrant;
        member.IsLostContact = input.IsLostContact;
        member.OrganizationId = organization!.Id;
        member.PartyGroupId = input.PartyGroupId;
        member.Posts = string.IsNullOrWhiteSpace(input.Posts) ? null : input.Posts.Trim();
        return [];
    }
}

public static class MemberServiceCollectionExtensions
{
    public static IServiceCollection AddMembers(this IServiceCollection services)
        => services.AddScoped<MemberService>().AddScoped<MemberImportService>()
            .AddSingleton<MemberCacheInvalidator>().AddSingleton<IMemberChangeListener>(sp => sp.GetRequiredService<MemberCacheInvalidator>());
}
