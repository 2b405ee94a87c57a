var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();
app.MapGet("/", () => "EBranch gateway");
app.Run();

namespace EBranch.Gateway
{
    public sealed class GatewayEntry;
}
