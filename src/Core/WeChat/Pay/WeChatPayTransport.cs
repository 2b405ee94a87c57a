using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace EBranch.Core.WeChat.Pay;

/// <summary>A raw WeChat Pay answer: status, signature headers and the body bytes exactly as received.</summary>
public sealed record WeChatPayResponse(HttpStatusCode Status, WeChatPayHeaders Headers, byte[] Body)
{
    public bool IsSuccess => (int)Status is >= 200 and < 300;

    /// <summary>Throws <see cref="WeChatPayException"/> from the <c>{code, message, detail}</c> body of a failed answer.</summary>
    public void ThrowOnError()
    {
        if (IsSuccess)
        {
            return;
        }
        string code = Status.ToString(), message = Encoding.UTF8.GetString(Body);
        WeChatPayErrorDetail? detail = null;
        try
        {
            using var json = JsonDocument.Parse(Body);
            var root = json.RootElement;
            code = root.TryGetProperty("code", out var c) ? c.GetString() ?? code : code;
            message = root.TryGetProperty("message", out var m) ? m.GetString() ?? message : message;
            if (root.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.Object)
            {
                detail = d.Deserialize<WeChatPayErrorDetail>(WeChatJson.Options);
            }
        }
        catch (JsonException)
        {
            // Not JSON (e.g. a proxy page): keep the status name and raw text.
        }
        throw new WeChatPayException(Status, code, message, detail);
    }
}

/// <summary>
/// Signs and sends WeChat Pay requests. Retries 5xx answers, timeouts and connection failures with the SAME body
/// (re-signed with a fresh timestamp and nonce), never a 4xx.
/// </summary>
public sealed class WeChatPayTransport(IHttpClientFactory httpClientFactory, IOptions<WeChatPayOptions> options, WeChatPaySigner signer)
{
    public const string HttpClientName = "WeChat.Pay";
    private readonly WeChatPayOptions _options = options.Value;

    public Task<WeChatPayResponse> SendAsync(HttpMethod method, string pathAndQuery, string? body, CancellationToken cancellationToken = default) =>
        SendAsync(method, new Uri(new Uri(_options.BaseUrl), pathAndQuery), body, cancellationToken);

    public async Task<WeChatPayResponse> SendAsync(HttpMethod method, Uri url, string? body, CancellationToken cancellationToken = default)
    {
        var http = httpClientFactory.CreateClient(HttpClientName);
        for (var attempt = 1; ; attempt++)
        {
            var last = attempt >= _options.MaxAttempts;
            using var request = new HttpRequestMessage(method, url);
            request.Headers.TryAddWithoutValidation("Authorization", signer.BuildAuthorization(method.Method, url.PathAndQuery, body ?? ""));
            request.Headers.TryAddWithoutValidation("Accept", "application/json");
            request.Headers.TryAddWithoutValidation("User-Agent", "EBranch-WeChatPay/1.0");
            if (body is not null)
            {
                request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            }
            using var attemptTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attemptTimeout.CancelAfter(_options.Timeout);
            try
            {
                using var response = await http.SendAsync(request, attemptTimeout.Token);
                var bytes = await response.Content.ReadAsByteArrayAsync(attemptTimeout.Token);
                if ((int)response.StatusCode < 500 || last)
                {
                    return new WeChatPayResponse(response.StatusCode, WeChatPayHeaders.From(response.Headers), bytes);
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                if (last)
                {
                    throw new TimeoutException($"WeChat Pay {method} {url.AbsolutePath} timed out after {attempt} attempts.");
                }
            }
            catch (HttpRequestException) when (!last)
            {
                // Connection failure: retry below.
            }
            await Task.Delay(_options.RetryDelay * attempt, cancellationToken);
        }
    }
}
