using Microsoft.Extensions.Configuration;

namespace EBranch.Core.Hosting;

public static class ConfigurationFiles
{
    /// <summary>
    /// Adds the JSON files listed in <c>ExtraConfigFiles</c> (separated by <c>;</c>), e.g. the WeChat settings
    /// the emulator writes for the local run. Missing files are an error: a host must not start half-configured.
    /// </summary>
    public static IConfigurationManager AddExtraConfigFiles(this IConfigurationManager configuration)
    {
        var files = configuration["ExtraConfigFiles"];
        foreach (var file in (files ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            configuration.AddJsonFile(Path.GetFullPath(file), optional: false, reloadOnChange: false);
        }
        return configuration;
    }
}
