using EBranch.Core.Accounts;
using EBranch.Core.Data;
using EBranch.Core.Hosting;
using EBranch.Gateway.Api;
using EBranch.Gateway.Hosting;
using Scalar.AspNetCore;

var builder = WebApplication.CreateBuilder(args);
builder.Configuration.AddExtraConfigFiles();

builder.Services.AddEBranchCore(builder.Configuration);
builder.Services.AddEBranchDomain();
builder.Services.AddEBranchProblemDetails();
builder.Services.AddScoped<ICallerProvider, GatewayCallerProvider>();
builder.Services.AddSingleton<CachedJsonResponses>();
builder.Services.AddAnonymousLimits(builder.Configuration);
builder.Services.AddAuthentication(SessionAuthenticationHandler.SchemeName)
    .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, SessionAuthenticationHandler>(SessionAuthenticationHandler.SchemeName, null);
builder.Services.AddAuthorizationBuilder()
    .AddPolicy(SessionAuthenticationHandler.MemberPolicy, p => p.RequireClaim(SessionAuthenticationHandler.MemberClaim));
builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
builder.Services.AddOpenApi("v1", options => options.AddDocumentTransformer<GatewayDocumentTransformer>().AddOperationTransformer<GatewayOperationTransformer>()
    .AddSchemaTransformer<GatewaySchemaTransformer>());
builder.Services.ConfigureHttpJsonOptions(options => options.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));
builder.Services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(o => o.Limits.MaxRequestBodySize = 1024 * 1024);

var app = builder.Build();

if (await DatabaseCommands.TryRunAsync(args, app.Services))
{
    return;
}
await app.Services.GetRequiredService<DatabaseInitializer>().InitializeAsync();

app.UseForwardedHeadersFromKnownProxies();
app.UseEBranchProblemDetails();
app.UseEBranchSecurityHeaders();

app.MapOpenApi("/openapi/{documentName}.json");
app.MapScalarApiReference("/docs", options => options.WithTitle("e支部 小程序接口"));
app.UseAuthentication();
app.UseAuthorization();

app.MapEBranchHealth();
app.MapRegionsApi();
app.MapIdentityApi();
app.MapMemberApi();
app.MapDuesApi();

app.Run();

namespace EBranch.Gateway
{
    /// <summary>Marker for WebApplicationFactory.</summary>
    public sealed class GatewayEntry;
}
