using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace EBranch.Core.Identity;

public static class IdentityServiceCollectionExtensions
{
    public static IServiceCollection AddMemberIdentity(this IServiceCollection services)
    {
        services.AddOptions<IdentityOptions>().BindConfiguration(IdentityOptions.Section);
        return services
            .AddSingleton<SessionService>()
            .AddSingleton<LoginService>()
            .AddSingleton<DailyVisits>()
            .AddScoped<BindingService>();
    }
}
