using EBranch.Admin.Auth;
using EBranch.Core.Dues;
using Microsoft.AspNetCore.Components.Authorization;

namespace EBranch.Admin.Dues;

public static class DuesEndpoints
{
    /// <summary>Downloads that a Blazor circuit cannot serve itself.</summary>
    public static IEndpointRouteBuilder MapDuesEndpoints(this IEndpointRouteBuilder endpoints)
    {
        // The report service is scoped to the caller: outside the user's subtree the organization is "not found" (404).
        // Without org/month: the user's own organization and the current month.
        endpoints.MapGet("/dues/export", async (Guid? org, int? month, HttpContext http, AuthenticationStateProvider authentication, DuesReportService reports,
                EBranch.Core.Data.ScopedDb scopedDb, CancellationToken cancellationToken) =>
            {
                // Outside a circuit the console's caller provider reads the user from the request.
                if (authentication is IHostEnvironmentAuthenticationStateProvider host)
                {
                    host.SetAuthenticationState(Task.FromResult(new AuthenticationState(http.User)));
                }
                var reportMonth = month ?? reports.CurrentMonth();
                if (!DuesMonth.IsValid(reportMonth))
                {
                    return Results.BadRequest();
                }
                var organization = org ?? (await scopedDb.CallerAsync(cancellationToken)).Scope.OrganizationId;
                var bytes = await reports.ExportAsync(organization, reportMonth, cancellationToken);
                return TypedResults.File(bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", $"党费收缴_{reportMonth}.xlsx");
            })
            .RequireAuthorization(RequirePermissionAttribute.PolicyFor(EBranch.Core.Accounts.Permission.ViewMembers));
        return endpoints;
    }
}
