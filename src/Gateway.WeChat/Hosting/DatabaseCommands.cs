using EBranch.Core.Data;

namespace EBranch.Gateway.Hosting;

/// <summary>
/// Explicit database commands, run instead of the web host:
/// <c>db migrate</c> applies migrations; <c>db seed [--scale N]</c> migrates and loads the demo district into
/// an empty database (e.g. PostgreSQL for benchmarks).
/// </summary>
public static class DatabaseCommands
{
    public static async Task<bool> TryRunAsync(string[] args, IServiceProvider services)
    {
        if (args.Length < 2 || args[0] != "db")
        {
            return false;
        }
        var initializer = services.GetRequiredService<DatabaseInitializer>();
        switch (args[1])
        {
            case "migrate":
                await initializer.MigrateAsync();
                Console.WriteLine("数据库迁移完成 (migrations applied)");
                break;
            case "seed":
                var scaleIndex = Array.IndexOf(args, "--scale");
                var scale = scaleIndex > 0 && scaleIndex + 1 < args.Length && int.TryParse(args[scaleIndex + 1], out var s) ? s : 1;
                await initializer.MigrateAsync();
                var loaded = await initializer.SeedDemoIfEmptyAsync(scale);
                Console.WriteLine(loaded ? $"演示数据已载入 (demo district loaded at scale {scale})" : "数据库非空，未载入演示数据 (database not empty, nothing loaded)");
                break;
            default:
                Console.Error.WriteLine("用法: db migrate | db seed [--scale N]");
                Environment.ExitCode = 2;
                break;
        }
        return true;
    }
}
