using Microsoft.Extensions.Configuration;

namespace EBranch.Core.Hosting;

/// <summary>
/// Whether this host runs the scheduled jobs (dues bills, order sync and expiry, reconciliation, reminders, the points
/// absence penalty): <c>Jobs:Enabled</c>, default true; the console's appsettings turn it off, so jobs run in the
/// gateways. With PostgreSQL, Quartz is clustered on the database, so each firing runs on one instance.
/// </summary>
public static class Jobs
{
    public static bool Enabled(IConfiguration configuration) => configuration.GetValue("Jobs:Enabled", true);
}
