using System.Globalization;
using EBranch.Core.Accounts;
using EBranch.Core.Data;
using EBranch.Core.Organizations;
using Microsoft.EntityFrameworkCore;
using MiniExcelLibs;

namespace EBranch.Core.Members;

/// <summary>
/// Imports members from an Excel sheet with a header row (see <see cref="Columns"/>). Every row is checked
/// with the same rules as the edit form; good rows are imported together, each bad row is reported with
/// its row number, column and reason, and nothing of a bad row is written. Re-importing the same file
/// imports nothing twice (an ID number already on the roster is reported, not duplicated).
/// </summary>
public sealed class MemberImportService(ScopedDb scopedDb, MemberService members)
{
    public const int MaxRows = 5_000;

    public static readonly string[] Columns = ["姓名", "性别", "民族", "身份证号", "手机号", "学历", "党员状态", "入党日期", "转正日期", "所在党组织", "流动党员", "职务"];

    /// <summary>An empty sheet with the header row and one example row.</summary>
    public static byte[] Template()
    {
        var row = new Dictionary<string, object?>
        {
            ["姓名"] = "张三", ["性别"] = "男", ["民族"] = "汉族", ["身份证号"] = "330199198001010017", ["手机号"] = "13900000000",
            ["学历"] = "本科", ["党员状态"] = "正式党员", ["入党日期"] = "2005-07-01", ["转正日期"] = "2006-07-01",
            ["所在党组织"] = "（填写党支部全称）", ["流动党员"] = "否", ["职务"] = "",
        };
        using var stream = new MemoryStream();
        stream.SaveAs(new[] { row });
        return stream.ToArray();
    }

    public async Task<ImportReport> ImportAsync(Stream xlsx, CancellationToken cancellationToken = default)
    {
        await using var db = await scopedDb.OpenAsync(cancellationToken);
        db.Caller.Demand(Permission.ManageMembers);

        List<IDictionary<string, object?>> rows;
        try
        {
            rows = xlsx.Query(useHeaderRow: true).Cast<IDictionary<string, object?>>().Take(MaxRows + 1).ToList();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new ImportReport(0, 0, [new ImportError(0, "文件", "无法读取文件，请上传由模板填写的 .xlsx 文件")]);
        }
        if (rows.Count > MaxRows)
        {
            return new ImportReport(rows.Count, 0, [new ImportError(0, "文件", $"单次最多导入 {MaxRows} 行，请拆分后再导入")]);
        }
        var missing = Columns.Where(c => rows.Count > 0 && !rows[0].ContainsKey(c) && c is "姓名" or "身份证号" or "所在党组织" or "入党日期").ToList();
        if (rows.Count > 0 && missing.Count > 0)
        {
            return new ImportReport(rows.Count, 0, [new ImportError(1, string.Join("、", missing), "表头缺少必填列，请使用导入模板")]);
        }

        var organizations = await db.Organizations.AsNoTracking()
            .Where(o => o.Kind != OrganizationKind.PartyGroup)
            .Select(o => new { o.Id, o.Name })
            .ToListAsync(cancellationToken);
        var byName = organizations.ToLookup(o => o.Name);

        var errors = new List<ImportError>();
        var digests = new HashSet<string>(StringComparer.Ordinal);
        var imported = 0;
        for (var i = 0; i < rows.Count; i++)
        {
            var rowNumber = i + 2; // the header is row 1
            var row = rows[i];
            if (row.Values.All(v => string.IsNullOrWhiteSpace(Text(v))))
            {
                continue;
            }
            var rowErrors = new List<ImportError>();
            var input = new MemberInput
            {
                Name = Text(Get(row, "姓名")),
                Ethnicity = Text(Get(row, "民族")) is { Length: > 0 } e ? e : "汉族",
                IdNumber = Text(Get(row, "身份证号")),
                Phone = Text(Get(row, "手机号")) is { Length: > 0 } p ? p : null,
                Posts = Text(Get(row, "职务")) is { Length: > 0 } posts ? posts : null,
            };
            switch (Text(Get(row, "性别")))
            {
                case "男": input.Gender = Gender.Male; break;
                case "女": input.Gender = Gender.Female; break;
                default: rowErrors.Add(new(rowNumber, "性别", "性别应为“男”或“女”")); break;
            }
            switch (Text(Get(row, "党员状态")))
            {
                case "正式党员" or "正式": input.Status = MemberStatus.Full; break;
                case "预备党员" or "预备": input.Status = MemberStatus.Probationary; break;
                default: rowErrors.Add(new(rowNumber, "党员状态", "党员状态应为“正式党员”或“预备党员”")); break;
            }
            var education = Text(Get(row, "学历"));
            if (education.Length > 0)
            {
                if (MemberLabels.TryParseEducation(education, out var parsed))
                {
                    input.Education = parsed;
                }
                else
                {
                    rowErrors.Add(new(rowNumber, "学历", $"无法识别的学历“{education}”"));
                }
            }
            input.AdmittedOn = ParseDate(Get(row, "入党日期"), "入党日期", rowNumber, rowErrors, required: true);
            input.FullMemberOn = ParseDate(Get(row, "转正日期"), "转正日期", rowNumber, rowErrors, required: false);
            input.IsMigrant = Text(Get(row, "流动党员")) is "是" or "Y" or "y" or "1";

            var orgName = Text(Get(row, "所在党组织"));
            var matches = byName[orgName].ToList();
            if (orgName.Length == 0)
            {
                rowErrors.Add(new(rowNumber, "所在党组织", "请填写所在党组织"));
            }
            else if (matches.Count == 0)
            {
                rowErrors.Add(new(rowNumber, "所在党组织", $"“{orgName}”不存在或不在您的管理范围内"));
            }
            else if (matches.Count > 1)
            {
                rowErrors.Add(new(rowNumber, "所在党组织", $"“{orgName}”有重名，请填写全称"));
            }
            else
            {
                input.OrganizationId = matches[0].Id;
            }

            var member = new Member { Name = "" };
            var fieldErrors = await members.ApplyAsync(db, member, input, isNew: true, cancellationToken, digests);
            foreach (var (field, messages) in fieldErrors)
            {
                var column = ColumnFor(field);
                if (rowErrors.Any(e => e.Column == column))
                {
                    continue;
                }
                rowErrors.AddRange(messages.Select(m => new ImportError(rowNumber, column, m)));
            }
            if (rowErrors.Count > 0)
            {
                errors.AddRange(rowErrors);
                continue;
            }
            db.Members.Add(member);
            imported++;
        }
        await db.SaveChangesAsync(cancellationToken);
        return new ImportReport(rows.Count, imported, errors);
    }

    private static object? Get(IDictionary<string, object?> row, string column) => row.TryGetValue(column, out var value) ? value : null;

    private static string Text(object? value) => value switch
    {
        null => "",
        double d when d == Math.Floor(d) && Math.Abs(d) < 1e15 => ((long)d).ToString(CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture).Trim(),
        _ => value.ToString()?.Trim() ?? "",
    };

    private static DateOnly? ParseDate(object? value, string column, int row, List<ImportError> errors, bool required)
    {
        switch (value)
        {
            case DateTime dt:
                return DateOnly.FromDateTime(dt);
            case double oa when oa is > 1 and < 100_000:
                return DateOnly.FromDateTime(DateTime.FromOADate(oa));
        }
        var text = Text(value);
        if (text.Length == 0)
        {
            if (required)
            {
                errors.Add(new(row, column, $"请填写{column}"));
            }
            return null;
        }
        string[] formats = ["yyyy-MM-dd", "yyyy/M/d", "yyyy-M-d", "yyyy.M.d", "yyyyMMdd", "yyyy年M月d日"];
        if (DateOnly.TryParseExact(text, formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }
        errors.Add(new(row, column, $"{column}“{text}”格式不正确，应为 2005-07-01"));
        return null;
    }

    private static string ColumnFor(string field) => field switch
    {
        nameof(MemberInput.Name) => "姓名",
        nameof(MemberInput.Gender) => "性别",
        nameof(MemberInput.Ethnicity) => "民族",
        nameof(MemberInput.IdNumber) => "身份证号",
        nameof(MemberInput.BirthDate) => "身份证号",
        nameof(MemberInput.Phone) => "手机号",
        nameof(MemberInput.AdmittedOn) => "入党日期",
        nameof(MemberInput.FullMemberOn) => "转正日期",
        nameof(MemberInput.OrganizationId) => "所在党组织",
        nameof(MemberInput.Posts) => "职务",
        _ => field,
    };
}
