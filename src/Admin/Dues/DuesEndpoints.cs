using EBranch.Core.Dues;
using Microsoft.AspNetCore.Components.Authorization;

namespace EBranch.Admin.Dues;

public static class DuesEndpoints
{
    /// <summary>Downloads that a Blazor circuit cannot serve itself.</summary>
    public static IEndpointRouteBuilder MapDuesEndpoints(this IEndpointRouteBuilder endpoints)
    {
        // The report service is scoped to the caller: outside the user's subtree the organization is "not found" (404).
        endpoints.MapGet("/dues/export", async (Guid org, int month, HttpContext http, AuthenticationStateProvider authentication, DuesReportService reports,
                CancellationToken cancellationToken) =>
            {
                // Outside a circuit the console's caller provider reads the user from the request.
                if (authentication is IHostEnvironmentAuthenticationStateProvider host)
                {
                    host.SetAuthenticationState(Task.FromResult(new AuthenticationState(http.User)));
                }
                if (!DuesMonth.IsValid(month))
                {
                    return Results.BadRequest();
                }
                var bytes = await reports.ExportAsync(org, month, cancellationToken);
                return TypedResults.File(bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", $"党费收缴_{month}.xlsx");
            })
            .RequireAuthorization();
        return endpoints;
    }
}
