using System.Collections.Concurrent;
using System.Text.Json;

// The machine's own limit for the benchmarks: bare Kestrel, no routing, no middleware.
//   GET  /bytes/{n}   n fixed bytes (the size of the scenario's response), application/json
//   POST /capture     stores the request (WeChat Pay notification: raw body + Wechatpay-* headers), answers 204
//   GET  /captured    what was captured, as JSON;  GET /captured/count  how many;  DELETE /captured  clears
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();
var payloads = new ConcurrentDictionary<int, byte[]>();
var captured = new ConcurrentQueue<Captured>();

app.Run(async context =>
{
    var request = context.Request;
    var response = context.Response;
    var path = request.Path.Value ?? "";
    if (HttpMethods.IsGet(request.Method) && path.StartsWith("/bytes/", StringComparison.Ordinal) && int.TryParse(path.AsSpan(7), out var size)
        && size is >= 0 and <= 16 * 1024 * 1024)
    {
        var bytes = payloads.GetOrAdd(size, n => Enumerable.Repeat((byte)'x', n).ToArray());
        response.ContentType = "application/json";
        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes);
        return;
    }
    if (HttpMethods.IsPost(request.Method) && path == "/capture")
    {
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync();
        string H(string name) => request.Headers[name].ToString();
        captured.Enqueue(new Captured(H("Wechatpay-Timestamp"), H("Wechatpay-Nonce"), H("Wechatpay-Signature"), H("Wechatpay-Serial"), body));
        response.StatusCode = StatusCodes.Status204NoContent;
        return;
    }
    if (path == "/captured/count")
    {
        await response.WriteAsync(captured.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return;
    }
    if (path == "/captured")
    {
        if (HttpMethods.IsDelete(request.Method))
        {
            captured.Clear();
            response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }
        response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(response.Body, captured.ToArray(), CapturedJson.Default.CapturedArray);
        return;
    }
    response.StatusCode = StatusCodes.Status404NotFound;
});

app.Run();

internal sealed record Captured(string Timestamp, string Nonce, string Signature, string Serial, string Body);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
[System.Text.Json.Serialization.JsonSerializable(typeof(Captured[]))]
internal sealed partial class CapturedJson : System.Text.Json.Serialization.JsonSerializerContext;
