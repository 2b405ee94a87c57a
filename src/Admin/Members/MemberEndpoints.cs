using EBranch.Admin.Auth;
using EBranch.Core.Accounts;
using EBranch.Core.Members;

namespace EBranch.Admin.Members;

public static class MemberEndpoints
{
    /// <summary>Downloads that a Blazor circuit cannot serve itself.</summary>
    public static IEndpointRouteBuilder MapMemberEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/members/import/template", () => TypedResults.File(MemberImportService.Template(),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "党员导入模板.xlsx"))
            .RequireAuthorization(RequirePermissionAttribute.PolicyFor(Permission.ManageMembers));
        return endpoints;
    }
}
