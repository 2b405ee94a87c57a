namespace EBranch.WeChat.Emulator;

/// <summary>Configuration section <c>Emulator</c>. Every secret has a fixed development default.</summary>
public sealed class EmulatorSettings
{
    public string AppId { get; set; } = "wx00e0emulator0001";
    public string AppSecret { get; set; } = "emulator-app-secret-0000000000001";
    public string OriginalId { get; set; } = "gh_e0emulator01";
    public string MchId { get; set; } = "1900000109";
    /// <summary>32 ASCII characters.</summary>
    public string ApiV3Key { get; set; } = "EmulatorApiV3Key0123456789abcdef";
    public string PushToken { get; set; } = "EmulatorPushToken";
    /// <summary>43 characters (base64 of 32 bytes without the trailing '=').</summary>
    public string PushEncodingAESKey { get; set; } = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFA";
    /// <summary>Folder to load keys from (and save generated ones to); empty = generate fresh keys in memory.</summary>
    public string? KeyDir { get; set; }
    /// <summary>Folder to write the product's configuration (JSON + PEM files) into on start.</summary>
    public string? OutputDir { get; set; }
    /// <summary>"public-key" (Wechatpay-Serial = PUB_KEY_ID_…) or "certificate" (platform certificate serial).</summary>
    public string SigningMode { get; set; } = "public-key";
    /// <summary>Scales the notification retry schedule (15s, 15s, 30s, 3m, …); 0.001 turns 15 s into 15 ms.</summary>
    public double TimeFactor { get; set; } = 1.0;
    public int TokenLifetimeSeconds { get; set; } = 7200;
    /// <summary>When false, the bill for a day is only ready after 09:00 (UTC+8) the next day, as on WeChat.</summary>
    public bool BillsReadyImmediately { get; set; }
    /// <summary>Refunds complete (and notify) on their own right after they are accepted.</summary>
    public bool AutoCompleteRefunds { get; set; } = true;
    public bool RequireHttpsNotifyUrl { get; set; }
    public List<string> RiskyWords { get; set; } = ["赌博", "risky"];
    public List<string> ReviewWords { get; set; } = ["review-me"];
}
