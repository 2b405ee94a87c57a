using EBranch.Core.Accounts;
using EBranch.Core.Activities;
using EBranch.Core.Auditing;
using EBranch.Core.CheckIns;
using EBranch.Core.Dues;
using EBranch.Core.Identity;
using EBranch.Core.PersonalSpace;
using EBranch.Core.Points;
using EBranch.Core.Data;
using EBranch.Core.Members;
using EBranch.Core.Organizations;
using EBranch.Core.Regions;
using EBranch.Core.Infrastructure;
using EBranch.Core.Security;
using EBranch.Core.WeChat;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Quartz;
using StackExchange.Redis;
using ZiggyCreatures.Caching.Fusion;
using ZiggyCreatures.Caching.Fusion.Backplane.StackExchangeRedis;
using ZiggyCreatures.Caching.Fusion.Serialization.SystemTextJson;

namespace EBranch.Core.Hosting;

public static class CoreServiceCollectionExtensions
{
    /// <summary>
    /// Everything both hosts share: the database (SQLite or PostgreSQL), PII protection, cache, locks and
    /// rate-limit counters (Redis when <c>ConnectionStrings:Redis</c> is set, in-process otherwise) and Quartz
    /// (in-memory, or clustered on PostgreSQL). Each business area adds itself with its own <c>Add&lt;Area&gt;()</c>.
    /// </summary>
    public static IServiceCollection AddEBranchCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);

        var postgres = configuration.GetConnectionString("Postgres");
        var redis = configuration.GetConnectionString("Redis");

        services.AddOptions<DatabaseOptions>()
            .Bind(configuration.GetSection("Database"))
            .Configure(o =>
            {
                if (!string.IsNullOrWhiteSpace(postgres))
                {
                    o.Provider = DatabaseProvider.Postgres;
                    o.ConnectionString = postgres;
                }
                else
                {
                    o.Provider = DatabaseProvider.Sqlite;
                    o.ConnectionString = configuration.GetConnectionString("Sqlite") ?? o.ConnectionString;
                }
            });
        services.AddSingleton<EBranchDbFactory>();
        services.AddScoped<ScopedDb>();
        services.AddSingleton<DatabaseInitializer>();

        services.AddOptions<SecurityOptions>()
            .Bind(configuration.GetSection(SecurityOptions.Section))
            .Validate(o => IsKey(o.PiiKey), "Security:PiiKey 必须配置为 32 字节随机数的 Base64（Security:PiiKey must be Base64 of 32 bytes）")
            .ValidateOnStart();
        services.AddSingleton<PiiProtector>();
        services.AddSingleton<PasswordHasher>();

        var cache = services.AddFusionCache()
            .WithDefaultEntryOptions(o =>
            {
                o.Duration = TimeSpan.FromMinutes(5);
                o.IsFailSafeEnabled = true;
                o.DistributedCacheSoftTimeout = TimeSpan.FromMilliseconds(100);
                o.AllowBackgroundDistributedCacheOperations = true;
            })
            .WithSerializer(new FusionCacheSystemTextJsonSerializer());

        if (!string.IsNullOrWhiteSpace(redis))
        {
            var redisOptions = ConfigurationOptions.Parse(redis);
            redisOptions.AbortOnConnectFail = false;
            // While Redis is unreachable, commands fail at once (and callers fall back) instead of queueing
            // until a timeout: the cache serves from memory/the database, locks and counters go in process.
            redisOptions.BacklogPolicy = BacklogPolicy.FailFast;
            var prefix = configuration["Redis:KeyPrefix"] ?? "";
            if (prefix.Length > 0)
            {
                redisOptions.ChannelPrefix = RedisChannel.Literal(prefix);
            }
            services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(redisOptions));
            services.AddSingleton(sp => new RedisKeyspace(sp.GetRequiredService<IConnectionMultiplexer>(), prefix));
            services.AddSingleton<IDistributedLock, RedisDistributedLock>();
            services.AddSingleton<IRateLimitCounter, RedisRateLimitCounter>();
            services.AddSingleton<WeChat.MiniProgram.IAccessTokenStore, WeChat.MiniProgram.RedisAccessTokenStore>();
            cache.WithDistributedCache(sp => new RedisCache(new RedisCacheOptions
                {
                    ConnectionMultiplexerFactory = () => Task.FromResult(sp.GetRequiredService<IConnectionMultiplexer>()),
                    InstanceName = prefix,
                }))
                .WithBackplane(sp => new RedisBackplane(new RedisBackplaneOptions
                {
                    ConnectionMultiplexerFactory = () => Task.FromResult(sp.GetRequiredService<IConnectionMultiplexer>()),
                }));
        }
        else
        {
            services.AddSingleton<IDistributedLock, InProcessDistributedLock>();
            services.AddSingleton<IRateLimitCounter, InProcessRateLimitCounter>();
        }

        services.AddWeChat(configuration);

        services.AddQuartz(q =>
        {
            if (Jobs.Enabled(configuration))
            {
                q.AddDuesJobs(configuration);
                q.AddPointsJobs();
            }
            if (!string.IsNullOrWhiteSpace(postgres))
            {
                q.UsePersistentStore(store =>
                {
                    store.UsePostgres(postgres);
                    store.UseClustering();
                    store.UseSystemTextJsonSerializer();
                    store.ProvisionSchema();
                });
            }
        });
        // A host that runs no jobs is no Quartz node either. On PostgreSQL the job store is shared: a started scheduler would
        // fire the other hosts' jobs, with this host's configuration (the console's has no reminder template, for one).
        if (Jobs.Enabled(configuration))
        {
            services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        }
        return services;
    }

    private static bool IsKey(string value)
    {
        Span<byte> buffer = stackalloc byte[64];
        return Convert.TryFromBase64String(value, buffer, out var written) && written == 32;
    }

    public static bool UsesRedis(this IConfiguration configuration) => !string.IsNullOrWhiteSpace(configuration.GetConnectionString("Redis"));

    internal static T Get<T>(this IServiceProvider services) where T : class => services.GetRequiredService<IOptions<T>>().Value;
}

public static class DomainServiceCollectionExtensions
{
    /// <summary>All business areas of the product (each area's own <c>Add&lt;Area&gt;()</c>).</summary>
    public static IServiceCollection AddEBranchDomain(this IServiceCollection services) => services
        .AddRegions()
        .AddOrganizations()
        .AddMembers()
        .AddAccounts()
        .AddAuditing()
        .AddActivities()
        .AddPoints()
        .AddCheckIns()
        .AddMemberIdentity()
        .AddPersonalSpace()
        .AddDues();
}
