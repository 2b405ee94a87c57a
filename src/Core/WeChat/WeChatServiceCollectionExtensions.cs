using EBranch.Core.Infrastructure;
using EBranch.Core.WeChat.MiniProgram;
using EBranch.Core.WeChat.Pay;
using EBranch.Core.WeChat.Push;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace EBranch.Core.WeChat;

public static class WeChatServiceCollectionExtensions
{
    /// <summary>
    /// Registers the mini-program, message-push and WeChat Pay clients from <c>WeChat:MiniProgram</c> and <c>WeChat:Pay</c>,
    /// validated on start. Register a Redis <see cref="IDistributedLock"/> / <see cref="IAccessTokenStore"/> before this
    /// call to share the access token across instances; otherwise in-process ones are used.
    /// </summary>
    public static IServiceCollection AddWeChat(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MiniProgramOptions>().Bind(configuration.GetSection(MiniProgramOptions.Section)).ValidateOnStart();
        services.AddOptions<WeChatPayOptions>().Bind(configuration.GetSection(WeChatPayOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MiniProgramOptions>, MiniProgramOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WeChatPayOptions>, WeChatPayOptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IDistributedLock, InProcessDistributedLock>();
        services.TryAddSingleton<IAccessTokenStore, InMemoryAccessTokenStore>();

        services.AddHttpClient(MiniProgramClient.HttpClientName, (sp, http) =>
            http.Timeout = sp.GetRequiredService<IOptions<MiniProgramOptions>>().Value.Timeout);
        // Per-attempt timeouts and retries live in WeChatPayTransport.
        services.AddHttpClient(WeChatPayTransport.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan);

        services.TryAddSingleton<IAccessTokenProvider, AccessTokenProvider>();
        services.TryAddSingleton<MiniProgramClient>();
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<MiniProgramOptions>>().Value;
            return new PushMessageCrypto(options.PushToken ?? "", options.PushEncodingAESKey, options.AppId);
        });

        services.TryAddSingleton<WeChatPaySigner>();
        services.TryAddSingleton<WeChatPayTransport>();
        services.TryAddSingleton<PlatformCertificateStore>();
        services.TryAddSingleton<WeChatPayVerifier>();
        services.TryAddSingleton<WeChatPayClient>();
        services.TryAddSingleton<WeChatPayNotificationHandler>();
        return services;
    }
}
