using EBranch.Core.Accounts;
using EBranch.Core.Common;
using EBranch.Core.Demo;
using EBranch.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace EBranch.Tests.Accounts;

[Collection(DistrictCollection.Name)]
public sealed class SignInTests(DistrictFixture district)
{
    [Fact]
    public async Task SignIn_Succeeds_WithTheDemoPassword()
    {
        await using var scope = district.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<ConsoleUserService>();
        var result = await users.SignInAsync(DemoIdentities.TownshipAdmin, DemoIdentities.Password);
        Assert.True(result.Succeeded);
        Assert.Equal(ConsoleRole.TownshipCommittee, result.User!.Role);
    }

    [Fact]
    public async Task SignIn_LocksTheAccount_AfterRepeatedFailures_EvenForTheRightPassword()
    {
        await using var scope = district.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<ConsoleUserService>();
        for (var i = 1; i < ConsoleUserService.MaxFailedLogins; i++)
        {
            Assert.Equal(ErrorCodes.LoginFailed, (await users.SignInAsync("clerk05", "wrong-password")).ErrorCode);
        }
        Assert.Equal(ErrorCodes.AccountLocked, (await users.SignInAsync("clerk05", "wrong-password")).ErrorCode);
        var locked = await users.SignInAsync("clerk05", DemoIdentities.Password);
        Assert.False(locked.Succeeded);
        Assert.Equal(ErrorCodes.AccountLocked, locked.ErrorCode);
    }

    [Fact]
    public async Task SignIn_GivesTheSameAnswer_ForAnUnknownUser()
    {
        await using var scope = district.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<ConsoleUserService>();
        var unknown = await users.SignInAsync("nobody", "whatever1");
        var wrong = await users.SignInAsync("clerk06", "whatever1");
        Assert.Equal(unknown.ErrorCode, wrong.ErrorCode);
        Assert.Equal(unknown.Message, wrong.Message);
    }

    [Fact]
    public async Task TownshipAdmin_CannotGrantTheDistrictRole_OrCreateUsersOutsideTheirTownship()
    {
        await using var scope = await district.As(DemoIdentities.TownshipAdmin);
        var users = scope.ServiceProvider.GetRequiredService<ConsoleUserService>();
        var caller = await scope.ServiceProvider.GetRequiredService<ICallerProvider>().GetCallerAsync();
        var error = await Assert.ThrowsAsync<AppException>(() => users.SaveAsync(null, new ConsoleUserInput
        {
            UserName = "escalate", DisplayName = "越权", Role = ConsoleRole.OrganizationDepartment, Scope = DataScopeKind.All,
            OrganizationId = caller.Scope.OrganizationId, Password = "abc12345",
        }));
        Assert.Contains(nameof(ConsoleUserInput.Role), error.Errors!.Keys);
        Assert.Contains(nameof(ConsoleUserInput.Scope), error.Errors.Keys);
    }
}
