using System.Globalization;
using AntDesign;
using EBranch.Admin.Auth;
using EBranch.Admin.Components;
using EBranch.Admin.Dashboard;
using EBranch.Admin.Dues;
using EBranch.Admin.Members;
using EBranch.Core.Data;
using EBranch.Core.Hosting;

var zhCn = CultureInfo.GetCultureInfo("zh-CN");
CultureInfo.DefaultThreadCurrentCulture = zhCn;
CultureInfo.DefaultThreadCurrentUICulture = zhCn;
LocaleProvider.SetLocale("zh-CN");

var builder = WebApplication.CreateBuilder(args);
builder.Configuration.AddExtraConfigFiles();
// Without this, a build output run outside Development serves 500 for every _content/* asset.
builder.WebHost.UseStaticWebAssets();

builder.Services.AddEBranchCore(builder.Configuration).AddEBranchDomain();
builder.Services.AddEBranchProblemDetails();
builder.Services.AddConsoleAuthentication(builder.Configuration, builder.Environment);
builder.Services.AddScoped<DashboardService>();
builder.Services.AddRazorComponents().AddInteractiveServerComponents();
builder.Services.AddAntDesign();
builder.Services.AddHealthChecks();

var app = builder.Build();

await app.Services.GetRequiredService<DatabaseInitializer>().InitializeAsync();

app.UseEBranchSecurityHeaders();
app.UseEBranchProblemDetails();
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();

app.MapStaticAssets();
app.MapHealthChecks("/health/live").AllowAnonymous();
app.MapConsoleAccountEndpoints();
app.MapMemberEndpoints();
app.MapDuesEndpoints();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

app.Run();

namespace EBranch.Admin
{
    /// <summary>Marker for <c>WebApplicationFactory</c>.</summary>
    public sealed class AdminEntry;
}
