using EBranch.WeChat.Emulator;
using EBranch.WeChat.Emulator.Api;
using EBranch.WeChat.Emulator.Core;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

var builder = WebApplication.CreateBuilder(args);
// Resolved lazily so that settings added by a test host (WebApplicationFactory) are seen.
builder.Services.AddSingleton(sp => sp.GetRequiredService<IConfiguration>().GetSection("Emulator").Get<EmulatorSettings>() ?? new EmulatorSettings());
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton(sp => new EmulatorClock(sp.GetRequiredService<TimeProvider>()));
builder.Services.AddSingleton(sp => new EmulatorKeys(sp.GetRequiredService<EmulatorSettings>().KeyDir));
builder.Services.AddSingleton(sp =>
{
    var settings = sp.GetRequiredService<EmulatorSettings>();
    var state = new EmulatorState { SigningMode = settings.SigningMode };
    state.RiskyWords.UnionWith(settings.RiskyWords);
    return state;
});
builder.Services.AddSingleton<PaySignature>();
builder.Services.AddSingleton<PayNotifier>();
builder.Services.AddSingleton<PaymentDesk>();
builder.Services.AddSingleton<BillBook>();
builder.Services.AddSingleton<PushSender>();
builder.Services.AddSingleton<EmulatorConfig>();
builder.Services.AddHttpClient("notify");
builder.Services.AddHttpClient("push");

var app = builder.Build();
app.Lifetime.ApplicationStarted.Register(() =>
{
    var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://localhost";
    app.Services.GetRequiredService<EmulatorConfig>().Write(address);
});
app.Use(FaultInjection.Apply);
app.Use(PayApi.RequireMerchantSignature);
app.MapGet("/", () => Results.Redirect("/_emulator"));
app.MapMiniProgramApi();
app.MapPayApi();
app.MapControlApi();
app.Run();

namespace EBranch.WeChat.Emulator
{
    /// <summary>Marker for WebApplicationFactory.</summary>
    public sealed class EmulatorEntry;
}
