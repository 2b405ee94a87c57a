var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();
app.MapGet("/", () => "EBranch admin");
app.Run();

namespace EBranch.Admin
{
    public sealed class AdminEntry;
}
