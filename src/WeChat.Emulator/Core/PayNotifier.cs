using System.Text;

namespace EBranch.WeChat.Emulator.Core;

/// <summary>
/// Delivers TRANSACTION.* / REFUND.* notifications: AES-GCM-encrypted resource, platform-signed, retried on WeChat's
/// schedule (scaled by <see cref="EmulatorSettings.TimeFactor"/>) until the product answers 2xx.
/// </summary>
public sealed class PayNotifier(
    IHttpClientFactory httpClientFactory,
    EmulatorState state,
    PaySignature signature,
    EmulatorClock clock,
    EmulatorSettings settings,
    ILogger<PayNotifier> logger)
{
    public static readonly TimeSpan[] RetrySchedule =
    [
        TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(3),
        TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(30),
        TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(60), TimeSpan.FromHours(3), TimeSpan.FromHours(3),
        TimeSpan.FromHours(3), TimeSpan.FromHours(6), TimeSpan.FromHours(6),
    ];

    public void Send(string url, string eventType, string summary, string originalType, string reference, object resource)
    {
        var (nonce, ciphertext) = signature.Encrypt(Encoding.UTF8.GetString(EmulatorJson.Bytes(resource)), originalType);
        var id = Guid.NewGuid().ToString();
        var body = EmulatorJson.Bytes(new
        {
            id,
            create_time = EmulatorClock.Rfc3339(clock.Now),
            resource_type = "encrypt-resource",
            event_type = eventType,
            summary,
            resource = new { original_type = originalType, algorithm = "AEAD_AES_256_GCM", ciphertext, associated_data = originalType, nonce },
        });
        var (copies, holdBack) = state.Locked(() => (state.Faults.DuplicateNotifications ? 2 : 1, state.Faults.OutOfOrderNotifications));
        for (var copy = 0; copy < copies; copy++)
        {
            var record = new NotificationRecord { Id = id, EventType = eventType, Url = url, Reference = reference };
            state.Locked(() => state.Notifications.Add(record));
            // Out of order: hold this one back so that notifications sent after it arrive first.
            var initialDelay = holdBack ? TimeSpan.FromSeconds(1) : TimeSpan.Zero;
            _ = Task.Run(() => DeliverAsync(record, body, initialDelay));
        }
    }

    /// <summary>One deliberately unverifiable notification (WECHATPAY/SIGNTEST/ signature); returns the status the product answered.</summary>
    public async Task<int> ProbeAsync(string url)
    {
        var body = EmulatorJson.Bytes(new { id = Guid.NewGuid().ToString(), event_type = "TRANSACTION.SUCCESS", resource_type = "encrypt-resource", summary = "签名探测" });
        var headers = signature.SignHeaders(body);
        headers["Wechatpay-Signature"] = PaySignature.SignTestPrefix + headers["Wechatpay-Signature"];
        var record = new NotificationRecord { Id = "signtest-probe", EventType = "SIGNTEST", Url = url, Reference = "probe" };
        state.Locked(() => state.Notifications.Add(record));
        return await PostAsync(record, body, headers, "signtest");
    }

    private async Task DeliverAsync(NotificationRecord record, byte[] body, TimeSpan initialDelay)
    {
        await Task.Delay(initialDelay);
        for (var attempt = 0; attempt <= RetrySchedule.Length; attempt++)
        {
            if (attempt > 0)
            {
                await Task.Delay(RetrySchedule[attempt - 1] * settings.TimeFactor);
            }
            var fault = state.Locked(() =>
            {
                if (state.Faults.CorruptCount <= 0)
                {
                    return null;
                }
                state.Faults.CorruptCount--;
                return state.Faults.Corrupt;
            });
            var (sentBody, headers) = Corrupt(fault, body);
            var status = await PostAsync(record, sentBody, headers, fault);
            if (status is >= 200 and < 300)
            {
                state.Locked(() => record.Acknowledged = true);
                return;
            }
        }
        state.Locked(() => record.GaveUp = true);
    }

    private (byte[] Body, Dictionary<string, string> Headers) Corrupt(string? fault, byte[] body)
    {
        switch (fault)
        {
            case "tamper":
                var headers = signature.SignHeaders(body);
                var tampered = (byte[])body.Clone();
                tampered[^2] = tampered[^2] == (byte)' ' ? (byte)'\t' : (byte)' ';
                return (tampered, headers);
            case "wrong-serial":
                var mismatched = signature.SignHeaders(body);
                mismatched["Wechatpay-Serial"] = mismatched["Wechatpay-Serial"].StartsWith("PUB_KEY_ID_", StringComparison.Ordinal)
                    ? "PUB_KEY_ID_0000000000000000000000000000" : "0000000000000000000000000000000000000000";
                return (body, mismatched);
            case "stale-timestamp":
                return (body, signature.SignHeaders(body, clock.Now.AddMinutes(-6)));
            case "signtest":
                var probe = signature.SignHeaders(body);
                probe["Wechatpay-Signature"] = PaySignature.SignTestPrefix + probe["Wechatpay-Signature"];
                return (body, probe);
            default:
                return (body, signature.SignHeaders(body));
        }
    }

    private async Task<int> PostAsync(NotificationRecord record, byte[] body, Dictionary<string, string> headers, string? fault)
    {
        int status;
        string? error = null;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, record.Url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new("application/json");
            foreach (var (name, value) in headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
            request.Headers.TryAddWithoutValidation("Request-ID", Guid.NewGuid().ToString("N"));
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            using var response = await httpClientFactory.CreateClient("notify").SendAsync(request, timeout.Token);
            status = (int)response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            status = 0;
            error = e.Message;
            logger.LogInformation("Notification {Id} to {Url} failed: {Error}", record.Id, record.Url, e.Message);
        }
        state.Locked(() => record.Attempts.Add(new NotificationAttempt(clock.Now, status, fault, error)));
        return status;
    }
}
