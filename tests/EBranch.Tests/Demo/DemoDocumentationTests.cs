using EBranch.Core.Demo;

namespace EBranch.Tests.Demo;

public sealed class DemoDocumentationTests
{
    private static string Readme()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "EBranch.sln")))
        {
            dir = dir.Parent;
        }
        return File.ReadAllText(Path.Combine(dir!.FullName, "README.md"));
    }

    [Fact]
    public void Readme_DocumentsEveryDemoIdentity_Exactly()
    {
        var readme = Readme();
        Assert.Contains(DemoIdentities.Password, readme);
        foreach (var user in new[] { DemoIdentities.DistrictAdmin, DemoIdentities.TownshipAdmin, DemoIdentities.BranchSecretary, DemoIdentities.ServiceClerk, DemoIdentities.ReadOnly })
        {
            Assert.Contains($"`{user}`", readme);
        }
        foreach (var member in DemoIdentities.Members)
        {
            Assert.Contains($"| {member.Name} | {member.IdNumber} | {member.Phone} |", readme);
        }
    }
}
