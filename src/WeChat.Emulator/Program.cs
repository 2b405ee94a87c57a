var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();
app.MapGet("/", () => "WeChat emulator");
app.Run();

namespace EBranch.WeChat.Emulator
{
    /// <summary>Marker for WebApplicationFactory.</summary>
    public sealed class EmulatorEntry;
}
