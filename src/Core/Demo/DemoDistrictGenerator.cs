using EBranch.Core.Accounts;
using EBranch.Core.Data;
using EBranch.Core.Dues;
using EBranch.Core.Members;
using EBranch.Core.Organizations;
using EBranch.Core.Regions;
using EBranch.Core.Security;

namespace EBranch.Core.Demo;

public sealed record DemoSummary(int Regions, int Organizations, int Members, int ConsoleUsers)
{
    public override string ToString() => $"{Regions} regions, {Organizations} organizations, {Members} members, {ConsoleUsers} console users";
}

/// <summary>
/// Builds a realistic, deterministic district modelled on the real one: at scale 1, 13 townships, 108 villages
/// and communities, 424 organizations and 17,000 members; scale N multiplies all of it. Same scale, same data
/// (names, ID numbers, phones, tree), apart from the generated ids.
/// </summary>
public sealed class DemoDistrictGenerator(EBranchDbFactory factory, PiiProtector pii, PasswordHasher passwords, TimeProvider time)
{
    public const string CountyCode = "330199";
    private const int OrganizationsPerScale = 424;
    private const int MembersPerScale = 17_000;

    private static readonly (string Name, int Code)[] Townships =
    [
        ("青石镇", 101), ("城东街道", 1), ("城西街道", 2), ("南湖街道", 3), ("北山街道", 4), ("柳溪镇", 102), ("梅岭镇", 103),
        ("桃源镇", 104), ("白沙镇", 105), ("龙潭镇", 106), ("枫桥镇", 107), ("石门乡", 201), ("云岭乡", 202),
    ];

    private static readonly int[] VillagesPerTownship = [9, 8, 8, 8, 8, 9, 9, 8, 9, 8, 8, 8, 8];

    private const string PlaceFirst = "上下东西南北前后大小新老高长黄白青石马杨桥溪塘湾岭山坑岙沙田";
    private const string PlaceSecond = "庄桥塘湾坑岙溪山岭洋垟家店坝畈湖头口源里埠墩林园";
    private const string Surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢傅钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常汤";
    private const string MaleGiven = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林欢阳建国志文东海峰晨斌新春荣德福贵生兴金良忠";
    private const string FemaleGiven = "芳娟敏静丽艳娜秀英华慧巧美玲霞燕红梅琳萍洁雪婷颖琴云莲桂珍凤兰玉春月霞晶佳倩丹";
    private static readonly string[] Ethnicities = ["畲族", "回族", "满族", "壮族", "苗族", "土家族"];
    private static readonly string[] UnitKinds = ["机关党支部", "中心学校党支部", "卫生院党支部", "退休党员党支部", "非公企业联合党支部", "社会组织党支部"];
    private static readonly string[] Companies = ["众诚机械", "绿源农业", "华联超市", "兴达建材", "天宇电子", "恒通物流", "山海茶业", "瑞丰纺织", "金桥食品", "明德教育"];
    private static readonly string[] DistrictOrgans = ["区委办公室", "区政府办公室", "区委组织部", "区委宣传部", "区发改局", "区教育局", "区财政局", "区人社局", "区民政局", "区农业农村局",
        "区卫健局", "区市场监管局", "区住建局", "区交通运输局", "区应急管理局", "区司法局", "区文广旅体局", "区统计局", "区医保局", "区退役军人事务局"];

    public async Task<DemoSummary> LoadAsync(int scale, CancellationToken cancellationToken = default)
    {
        scale = Math.Max(1, scale);
        var random = new Random(20181101 + scale);
        var today = Common.DistrictTime.Today(time);

        var regions = new List<Region>();
        var organizations = new List<Organization>();
        var memberHolders = new List<(Organization Org, int Weight, bool Village)>();

        var district = new Region { Code = CountyCode + "000000", Name = DemoIdentities.DistrictName, Level = RegionLevel.District };
        regions.Add(district);
        var root = NewOrg("中共云溪区委", OrganizationKind.PartyCommittee, null, district, 0);
        organizations.Add(root);
        var organs = NewOrg("中共云溪区直属机关工作委员会", OrganizationKind.PartyCommittee, root, district, 0);
        organizations.Add(organs);
        for (var i = 0; i < DistrictOrgans.Length * scale; i++)
        {
            var name = DistrictOrgans[i % DistrictOrgans.Length] + (i >= DistrictOrgans.Length ? $"第{i / DistrictOrgans.Length + 1}" : "") + "机关党支部";
            var branch = NewOrg(name, OrganizationKind.Branch, organs, district, i);
            organizations.Add(branch);
            memberHolders.Add((branch, random.Next(10, 45), false));
        }

        var usedTownshipCodes = new HashSet<int>();
        var townshipOrgs = new List<Organization>();
        var firstVillageBranches = new List<Organization>();
        for (var t = 0; t < Townships.Length * scale; t++)
        {
            var (baseName, baseCode) = Townships[t % Townships.Length];
            var round = t / Townships.Length;
            var code = baseCode + round * 10;
            while (!usedTownshipCodes.Add(code))
            {
                code++;
            }
            var name = round == 0 ? baseName : baseName.Insert(baseName.Length - (baseName.EndsWith("街道") ? 2 : 1), ChineseOrdinal(round + 1));
            var township = new Region { Code = $"{CountyCode}{code:000}000", Name = name, Level = RegionLevel.Township, ParentId = district.Id, SortOrder = t };
            regions.Add(township);
            var committee = NewOrg($"中共{name}委员会", OrganizationKind.PartyCommittee, root, township, t + 1);
            organizations.Add(committee);
            townshipOrgs.Add(committee);

            var isStreet = code < 100;
            var villageNames = new HashSet<string>();
            var villageCount = VillagesPerTownship[t % VillagesPerTownship.Length];
            for (var v = 0; v < villageCount; v++)
            {
                string villageName;
                do
                {
                    villageName = $"{PlaceFirst[random.Next(PlaceFirst.Length)]}{PlaceSecond[random.Next(PlaceSecond.Length)]}{(isStreet ? "社区" : "村")}";
                }
                while (!villageNames.Add(villageName));
                var village = new Region
                {
                    Code = $"{CountyCode}{code:000}{(isStreet ? 1 : 2) * 100 + v + 1:000}",
                    Name = villageName, Level = RegionLevel.Village, ParentId = township.Id, SortOrder = v,
                };
                regions.Add(village);
                // Every fifth village is big enough for a general branch with three branches under it.
                if (v % 5 == 2)
                {
                    var general = NewOrg($"中共{name}{villageName}总支部委员会", OrganizationKind.GeneralBranch, committee, village, v);
                    organizations.Add(general);
                    for (var b = 0; b < 3; b++)
                    {
                        var branch = NewOrg($"{villageName}第{ChineseOrdinal(b + 1)}党支部", OrganizationKind.Branch, general, village, b);
                        organizations.Add(branch);
                        memberHolders.Add((branch, random.Next(25, 50), true));
                    }
                }
                else
                {
                    var branch = NewOrg($"中共{name}{villageName}支部委员会", OrganizationKind.Branch, committee, village, v);
                    organizations.Add(branch);
                    memberHolders.Add((branch, random.Next(20, 70), true));
                    if (v == 0)
                    {
                        firstVillageBranches.Add(branch);
                    }
                }
            }
            for (var u = 0; u < UnitKinds.Length; u++)
            {
                var unitName = UnitKinds[u] == "非公企业联合党支部" ? Companies[(t + u) % Companies.Length] + "有限公司党支部" : name + UnitKinds[u];
                var branch = NewOrg(unitName, OrganizationKind.Branch, committee, township, villageCount + u);
                organizations.Add(branch);
                memberHolders.Add((branch, random.Next(8, 35), false));
            }
        }

        // Party groups in the biggest branches until the district has its real number of organizations.
        var groupsByBranch = new Dictionary<Guid, List<Organization>>();
        var target = OrganizationsPerScale * scale;
        foreach (var holder in memberHolders.OrderByDescending(h => h.Weight).ThenBy(h => h.Org.Path, StringComparer.Ordinal))
        {
            for (var g = 0; g < 2 && organizations.Count < target; g++)
            {
                var group = NewOrg($"第{ChineseOrdinal(g + 1)}党小组", OrganizationKind.PartyGroup, holder.Org, null, g);
                group.RegionId = holder.Org.RegionId;
                organizations.Add(group);
                (groupsByBranch.TryGetValue(holder.Org.Id, out var list) ? list : groupsByBranch[holder.Org.Id] = []).Add(group);
            }
        }

        var members = BuildMembers(random, scale, memberHolders, groupsByBranch, firstVillageBranches[0], today);
        var users = BuildConsoleUsers(root, townshipOrgs, firstVillageBranches);

        await InsertAsync(regions, cancellationToken);
        await InsertAsync(organizations, cancellationToken);
        await InsertAsync(users, cancellationToken);
        await InsertAsync(members, cancellationToken);
        await InsertAsync(DemoHonours(members.Take(DemoIdentities.Members.Count).ToList()), cancellationToken);
        var standards = BuildDuesStandards(random, members, memberHolders.ToDictionary(h => h.Org.Id, h => (h.Village, Retired: h.Org.Name.Contains("退休"))), today);
        await InsertAsync(standards, cancellationToken);
        await InsertAsync(BuildDuesBills(random, members, standards, organizations.ToDictionary(o => o.Id, o => o.Path), today), cancellationToken);
        return new DemoSummary(regions.Count, organizations.Count, members.Count, users.Count);
    }

    private List<Member> BuildMembers(Random random, int scale, List<(Organization Org, int Weight, bool Village)> holders,
        Dictionary<Guid, List<Organization>> groups, Organization demoBranch, DateOnly today)
    {
        var total = MembersPerScale * scale;
        var weightSum = holders.Sum(h => h.Weight);
        var usedIds = new HashSet<string>(StringComparer.Ordinal);
        var members = new List<Member>(total);

        foreach (var demo in DemoIdentities.Members)
        {
            usedIds.Add(demo.IdNumber);
            members.Add(NewMember(demo.Name, demo.Gender, "汉族", demo.BirthDate, demo.IdNumber, demo.Phone, demo.AdmittedOn, demo.Status,
                demoBranch, null, Education.SeniorHigh));
        }

        var remaining = total - members.Count;
        for (var h = 0; h < holders.Count; h++)
        {
            var (org, weight, village) = holders[h];
            var count = h == holders.Count - 1 ? remaining : Math.Min(remaining, (int)Math.Round((double)weight * (total - DemoIdentities.Members.Count) / weightSum));
            remaining -= count;
            groups.TryGetValue(org.Id, out var orgGroups);
            for (var i = 0; i < count; i++)
            {
                var male = random.NextDouble() < 0.72;
                var birth = new DateOnly(random.Next(1936, 2004), random.Next(1, 13), random.Next(1, 29));
                var idNumber = NewIdNumber(random, birth, male, usedIds);
                var phone = random.NextDouble() < 0.92 ? $"1{random.Next(3, 10)}{random.Next(0, 1_000_000_000):000000000}" : null;
                var earliestAdmission = birth.AddYears(18);
                var admissionSpan = Math.Max(1, today.DayNumber - earliestAdmission.DayNumber);
                var admitted = DateOnly.FromDayNumber(earliestAdmission.DayNumber + (int)(Math.Pow(random.NextDouble(), 0.7) * admissionSpan));
                var status = today.DayNumber - admitted.DayNumber < 365 ? MemberStatus.Probationary : MemberStatus.Full;
                var age = today.Year - birth.Year;
                var education = village
                    ? (Education)Math.Clamp(random.Next(1, 5) + (age < 45 ? 2 : 0), 1, 6)
                    : (Education)Math.Clamp(random.Next(4, 8) - (age > 70 ? 2 : 0), 1, 8);
                var member = NewMember(
                    RandomName(random, male), male ? Gender.Male : Gender.Female,
                    random.NextDouble() < 0.96 ? "汉族" : Ethnicities[random.Next(Ethnicities.Length)],
                    birth, idNumber, phone, admitted, status, org,
                    orgGroups is { Count: > 0 } ? orgGroups[i % orgGroups.Count] : null, education);
                member.IsMigrant = village && random.NextDouble() < 0.08;
                member.IsLostContact = random.NextDouble() < 0.003;
                member.Posts = i switch
                {
                    0 => "书记",
                    1 when count >= 7 => "组织委员",
                    2 when count >= 7 => "宣传委员",
                    3 when count >= 7 => "纪检委员",
                    _ => null,
                };
                members.Add(member);
            }
        }
        return members;
    }

    private Member NewMember(string name, Gender gender, string ethnicity, DateOnly birth, string idNumber, string? phone, DateOnly admitted,
        MemberStatus status, Organization branch, Organization? group, Education education) => new()
    {
        Name = name,
        Gender = gender,
        Ethnicity = ethnicity,
        BirthDate = birth,
        IdNumberCipher = pii.Protect(idNumber),
        IdNumberDigest = pii.Digest(idNumber),
        PhoneCipher = phone is null ? null : pii.Protect(phone),
        PhoneDigest = phone is null ? null : pii.Digest(phone),
        Education = education,
        Status = status,
        AdmittedOn = admitted,
        FullMemberOn = status == MemberStatus.Full ? admitted.AddYears(1) : null,
        OrganizationId = branch.Id,
        PartyGroupId = group?.Id,
    };

    private List<ConsoleUser> BuildConsoleUsers(Organization root, List<Organization> townships, List<Organization> firstVillageBranches)
    {
        var hash = passwords.Hash(DemoIdentities.Password);
        var users = new List<ConsoleUser>
        {
            new() { UserName = DemoIdentities.DistrictAdmin, DisplayName = "区委组织部管理员", Role = ConsoleRole.OrganizationDepartment, Scope = DataScopeKind.All, OrganizationId = root.Id, PasswordHash = hash },
            new() { UserName = DemoIdentities.ReadOnly, DisplayName = "区级只读用户", Role = ConsoleRole.ReadOnly, Scope = DataScopeKind.All, OrganizationId = root.Id, PasswordHash = hash },
        };
        for (var t = 0; t < townships.Count; t++)
        {
            var n = $"{t + 1:00}";
            users.Add(new() { UserName = "town" + n, DisplayName = townships[t].Name.Replace("中共", "").Replace("委员会", "") + "党委管理员", Role = ConsoleRole.TownshipCommittee, Scope = DataScopeKind.Subtree, OrganizationId = townships[t].Id, PasswordHash = hash });
            users.Add(new() { UserName = "clerk" + n, DisplayName = townships[t].Name.Replace("中共", "").Replace("委员会", "") + "便民服务专员", Role = ConsoleRole.ServiceClerk, Scope = DataScopeKind.Subtree, OrganizationId = townships[t].Id, PasswordHash = hash });
            if (t < firstVillageBranches.Count)
            {
                users.Add(new() { UserName = $"branch{n}01", DisplayName = firstVillageBranches[t].Name.Replace("中共", "") + "书记", Role = ConsoleRole.BranchSecretary, Scope = DataScopeKind.Subtree, OrganizationId = firstVillageBranches[t].Id, PasswordHash = hash });
            }
        }
        return users;
    }

    /// <summary>Each member's dues standard from January 2024, by branch type and age, as a branch would have declared it.</summary>
    private static List<DuesStandard> BuildDuesStandards(Random random, List<Member> members, Dictionary<Guid, (bool Village, bool Retired)> branches, DateOnly today)
    {
        var standards = new List<DuesStandard>(members.Count);
        foreach (var member in members)
        {
            var (village, retiredBranch) = branches.GetValueOrDefault(member.OrganizationId, (true, false));
            var age = today.Year - member.BirthDate.Year;
            var (category, baseFen) = (village, retiredBranch || age >= 60, age < 23) switch
            {
                (_, _, true) => (DuesCategory.Minimal, (long?)null),
                (true, _, _) => (DuesCategory.Farmer, null),
                (false, true, _) => (DuesCategory.Retired, random.Next(2_800, 7_500) * 100L),
                _ => (random.NextDouble() < 0.08 ? DuesCategory.SelfEmployed : DuesCategory.Employed, random.Next(2_500, 15_000) * 100L),
            };
            var amount = DuesCalculator.Compute(category, baseFen, 20 + random.Next(0, 5) * 20);
            standards.Add(new DuesStandard
            {
                MemberId = member.Id, Category = category, BaseFen = baseFen, RateBasisPoints = amount.RateBasisPoints, AmountFen = amount.AmountFen,
                EffectiveFrom = Math.Max(202401, DuesMonth.Of(member.AdmittedOn)),
            });
        }
        return standards;
    }

    /// <summary>Bills for the last three months; most older ones collected (offline by the branch), the current month partly.</summary>
    private static List<DuesBill> BuildDuesBills(Random random, List<Member> members, List<DuesStandard> standards, Dictionary<Guid, string> paths, DateOnly today)
    {
        var current = DuesMonth.Of(today);
        var byMember = standards.ToDictionary(s => s.MemberId);
        var bills = new List<DuesBill>(members.Count * 3);
        double[] paidShare = [0.93, 0.88, 0.35];
        foreach (var member in members)
        {
            // A few members stop paying altogether: they show up in the 2-, 4- and 6-month arrears warnings.
            var lapsed = random.NextDouble() < 0.02;
            for (var i = 0; i < 3; i++)
            {
                var month = DuesMonth.Add(current, i - 2);
                if (DuesMonth.Of(member.AdmittedOn) > month)
                {
                    continue;
                }
                var paid = !lapsed && random.NextDouble() < paidShare[i] && DemoIdentities.Members.All(d => d.Name != member.Name || i < 1);
                bills.Add(new DuesBill
                {
                    MemberId = member.Id, Month = month, AmountFen = byMember[member.Id].MonthlyFen, OrganizationId = member.OrganizationId,
                    OrganizationPath = paths[member.OrganizationId], Status = paid ? BillStatus.Paid : BillStatus.Unpaid,
                    PaidAt = paid ? new DateTimeOffset(DuesMonth.Add(month, 0) / 100, month % 100, 10, 2, 0, 0, TimeSpan.Zero) : null,
                });
            }
        }
        return bills;
    }

    private static List<Honour> DemoHonours(List<Member> demoMembers) =>
    [
        new() { MemberId = demoMembers[0].Id, Title = "优秀共产党员", AwardedOn = new DateOnly(2021, 6, 30), AwardedBy = "中共云溪区委" },
        new() { MemberId = demoMembers[0].Id, Title = "优秀党务工作者", AwardedOn = new DateOnly(2024, 6, 28), AwardedBy = "中共青石镇委员会" },
        new() { MemberId = demoMembers[1].Id, Title = "优秀共产党员", AwardedOn = new DateOnly(2023, 6, 30), AwardedBy = "中共青石镇委员会" },
    ];

    private async Task InsertAsync<T>(List<T> rows, CancellationToken cancellationToken) where T : class
    {
        const int chunk = 2_000;
        for (var i = 0; i < rows.Count; i += chunk)
        {
            await using var db = factory.CreateForSystem();
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            db.Set<T>().AddRange(rows.Skip(i).Take(chunk));
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    private static Organization NewOrg(string name, OrganizationKind kind, Organization? parent, Region? region, int sort)
    {
        var org = new Organization { Name = name, Kind = kind, RegionId = region?.Id, SortOrder = sort };
        org.PlaceUnder(parent);
        return org;
    }

    private static string NewIdNumber(Random random, DateOnly birth, bool male, HashSet<string> used)
    {
        while (true)
        {
            var sequence = random.Next(0, 500) * 2 + (male ? 1 : 0);
            var first17 = $"{CountyCode}{birth:yyyyMMdd}{sequence:000}";
            var id = first17 + ChineseId.CheckDigit(first17);
            if (used.Add(id))
            {
                return id;
            }
        }
    }

    private static string RandomName(Random random, bool male)
    {
        var given = male ? MaleGiven : FemaleGiven;
        var surname = Surnames[random.Next(Surnames.Length)];
        return random.NextDouble() < 0.7
            ? $"{surname}{given[random.Next(given.Length)]}{given[random.Next(given.Length)]}"
            : $"{surname}{given[random.Next(given.Length)]}";
    }

    private static string ChineseOrdinal(int n) => n switch
    {
        1 => "一", 2 => "二", 3 => "三", 4 => "四", 5 => "五", 6 => "六", 7 => "七", 8 => "八", 9 => "九", 10 => "十",
        _ => n.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
