using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EBranch.Gateway.Hosting;
using EBranch.Tests.Gateway;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace EBranch.Tests.Security;

/// <summary>
/// Hostile input generated from the gateway's own OpenAPI document: for every operation with a JSON body or
/// query/path parameters, a few hundred malformed, oversized, mistyped and injection-laden requests, sent as a
/// bound member (the most privileged mini-program caller). Every answer is a 4xx ProblemDetails with a catalogued
/// <c>code</c> and a zh-CN title (or a 2xx where the input is in fact acceptable), never a 5xx, and nothing is written.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class HostileInputTests(GatewayFixture gateway, ITestOutputHelper output)
{
    private const string Raw = "__raw__";

    /// <summary>A well-formed ID number (valid check digit) of nobody on the roster, so names and codes get past format checks.</summary>
    private static readonly string NotOnRoster = "11010119800229001" + Core.Security.ChineseId.CheckDigit("11010119800229001");

    /// <summary>Strings that try to escape their field: traversal, markup, SQL, shell, format strings, odd Unicode.</summary>
    private static readonly string[] Payloads =
    [
        "../../etc/passwd", "..\\..\\windows\\win.ini", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "....//....//etc/passwd", "/etc/passwd", "file:///etc/passwd",
        "../../../../../../../../etc/passwd%00.png", "..%c0%af..%c0%afetc/passwd",
        "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "javascript:alert(1)", "<svg/onload=alert(1)>", "{{7*7}}", "${7*7}", "<%= 7*7 %>", "#{7*7}",
        "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>",
        "' OR 1=1 --", "\" OR \"\"=\"", "'; DROP TABLE members; --", "1; SELECT pg_sleep(5)", "' UNION SELECT null,null --", "%' OR '%'='", "admin'--",
        "1' AND SLEEP(5)#", "'); DELETE FROM we_chat_users; --", "\\'; --", "' OR ''='", "1 OR 1=1", "'||(SELECT version())||'",
        "{\"$gt\":\"\"}", "*)(uid=*))(|(uid=*", "; cat /etc/passwd", "| id", "`id`", "$(id)", "&& whoami", "http://169.254.169.254/latest/meta-data/",
        "%s%s%s%n", "{0}{1}", "\0", "\u0000abc", "\r\nX-Injected: 1", "\n", "\t", " ", "", "   ", "\u202e\u0644\u0627", "😀😀😀", "𠀀𠀁", "\ufeff",
        new string('测', 1000), "null", "undefined", "NaN", "true", "0", "-1", "1e400", "9223372036854775808", "-9223372036854775809", "2147483648",
        "0x7fffffff", "١٢٣", "ＡＢＣ", new string('A', 4096), "%", "%%", "%ZZ", "\\", "//", "?", "#", ";", "&", "=", "+", "*", "'", "\"", "<", ">",
        "11010119900101123X", "110101199001011230", "00000000-0000-0000-0000-000000000000", "not-a-guid", "ZZZZZZZZ-ZZZZ", "202613", "-202601",
    ];

    private static readonly string[] NumberLiterals =
    [
        "9223372036854775808", "-9223372036854775809", "9223372036854775807", "-9223372036854775808", "2147483648", "-2147483649", "1e400", "-1e400",
        "1.5", "-1", "0", "1e2", "\"12\"", "\"abc\"", "NaN", "Infinity", "01", "+1", "0x10", "1_000", "[1]", "{}", "true", "null",
    ];

    private sealed record Case(string Operation, string Name, HttpMethod Method, string Url, byte[]? Body, string? ContentType)
    {
        /// <summary>Refused by Kestrel before any middleware runs (request line over 8 KB, NUL in the path): an empty 4xx is all it can say.</summary>
        public bool RefusedByServer
            => new Uri(new Uri("http://127.0.0.1/"), Url).AbsoluteUri.Length > 8000 || Url.Split('?')[0] is var path && (path.Contains("%00", StringComparison.Ordinal) || path.Contains('\0', StringComparison.Ordinal));

        public bool Oversize => Body?.Length > 1024 * 1024;
    }

    /// <summary>Operations that count a member's attempts per hour (代缴 lookups: 10): their cases are spread over several members so the input, not the limiter, is what is tested.</summary>
    private static readonly string[] RateLimited = ["POST /api/v1/dues/on-behalf/lookup", "POST /api/v1/dues/orders"];

    private const int CasesPerLimitedMember = 10;

    private sealed record Outcome(Case Case, int Status, string? MediaType, string Text);

    [Fact]
    public async Task EveryOperation_RejectsHostileInput_WithACataloguedZhCnProblem_AndWritesNothing()
    {
        var document = JsonNode.Parse(await gateway.Client.GetStringAsync("/openapi/v1.json"))!;
        var cases = Generate(document).ToList();
        var assigned = new Dictionary<Case, int>(ReferenceEqualityComparer.Instance);
        var limitedIndex = 0;
        foreach (var c in cases)
        {
            assigned[c] = RateLimited.Contains(c.Operation) ? 1 + limitedIndex++ / CasesPerLimitedMember : 0;
        }
        var callers = new HttpClient[assigned.Values.Max() + 1];
        await Parallel.ForAsync(0, callers.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 },
            async (i, _) => callers[i] = (await BoundMemberAsync()).Client);
        var before = await CountRowsAsync();

        var started = System.Diagnostics.Stopwatch.StartNew();
        var outcomes = new ConcurrentBag<Outcome>();
        async Task<Outcome> SendAsync(Case c, CancellationToken ct)
        {
            using var request = new HttpRequestMessage(c.Method, c.Url);
            if (c.Body is not null)
            {
                request.Content = new ByteArrayContent(c.Body);
                if (c.ContentType is not null)
                {
                    request.Content.Headers.TryAddWithoutValidation("Content-Type", c.ContentType);
                }
            }
            try
            {
                using var response = await callers[assigned[c]].SendAsync(request, ct);
                return new Outcome(c, (int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync(ct));
            }
            catch (HttpRequestException ex)
            {
                return new Outcome(c, -1, null, ex.Message);
            }
        }
        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (c, ct) => outcomes.Add(await SendAsync(c, ct)));
        // Kestrel may close the connection while a client is still sending an oversize body it has refused: once more, alone.
        var retried = 0;
        foreach (var reset in outcomes.Where(o => o.Status < 0).ToList())
        {
            retried++;
            outcomes = new ConcurrentBag<Outcome>(outcomes.Where(o => !ReferenceEquals(o, reset)).Append(await SendAsync(reset.Case, CancellationToken.None)));
        }
        var after = await CountRowsAsync();

        var catalog = GatewayErrors.Catalog.Select(e => e.Code).ToHashSet();
        var failures = outcomes.Select(o => Check(o, catalog) is { } why ? $"{o.Case.Operation} [{o.Case.Name}] → {o.Status}: {why} {Truncate(o.Text)}" : null)
            .OfType<string>().Order(StringComparer.Ordinal).ToList();

        output.WriteLine($"Hostile input: {cases.Count} cases over {cases.Select(c => c.Operation).Distinct().Count()} operations in {started.Elapsed.TotalSeconds:F1} s, "
            + $"{callers.Length} bound members, {retried} retried after a reset, "
            + $"{outcomes.Count(o => o.Case.RefusedByServer && o.MediaType is null)} refused by Kestrel before the app, {outcomes.Count(o => o.Status is >= 200 and < 300)} accepted (2xx)");
        foreach (var group in outcomes.GroupBy(o => o.Case.Operation).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var statuses = string.Join(", ", group.GroupBy(o => o.Status).OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Count()}"));
            output.WriteLine($"  {group.Key}: {group.Count()} cases ({statuses})");
        }
        Assert.True(failures.Count == 0, $"{failures.Count} hostile cases answered wrongly:\n" + string.Join('\n', failures.Take(60)));
        Assert.All(cases.GroupBy(c => c.Operation), g => Assert.True(g.Count() >= 200, $"{g.Key}: only {g.Count()} cases"));
        Assert.Equal(before, after);
    }

    private static string? Check(Outcome o, HashSet<string> catalog)
    {
        if (o.Status < 0)
        {
            return o.Case.Oversize ? null : "connection failed";
        }
        if (o.Status >= 500)
        {
            return "server error";
        }
        if (o.Status is >= 200 and < 300)
        {
            return null;
        }
        if (o.Status < 400)
        {
            return "unexpected status";
        }
        if (o.Case.RefusedByServer && o.MediaType is null && o.Text.Length == 0 && o.Status is 400 or 414 or 431)
        {
            return null;
        }
        if (o.MediaType != "application/problem+json")
        {
            return $"not a ProblemDetails ({o.MediaType ?? "no content type"})";
        }
        JsonElement problem;
        try
        {
            problem = JsonDocument.Parse(o.Text).RootElement.Clone();
        }
        catch (JsonException)
        {
            return "unparseable ProblemDetails";
        }
        var code = problem.TryGetProperty("code", out var c) ? c.GetString() : null;
        if (code is null || !catalog.Contains(code))
        {
            return $"code '{code}' not in GatewayErrors.Catalog";
        }
        var title = problem.TryGetProperty("title", out var t) ? t.GetString() : null;
        return GatewayAuthorizationMatrixTests.HasChinese(title) ? null : $"title '{title}' is not zh-CN";
    }

    // ---- generation ----

    private static IEnumerable<Case> Generate(JsonNode document)
    {
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, node) in item!.AsObject())
            {
                var operation = node!.AsObject();
                var parameters = operation["parameters"]?.AsArray().Select(p => p!.AsObject()).ToList() ?? [];
                var bodySchema = operation["requestBody"]?["content"]?["application/json"]?["schema"] is { } s ? Resolve(document, s) : null;
                if (parameters.Count == 0 && bodySchema is null)
                {
                    continue;
                }
                var name = $"{method.ToUpperInvariant()} {path}";
                var httpMethod = new HttpMethod(method.ToUpperInvariant());
                var values = parameters.ToDictionary(p => p["name"]!.GetValue<string>(), p => SampleParameter(p));
                string Url(IReadOnlyDictionary<string, string> v)
                {
                    var url = path;
                    var query = new List<string>();
                    foreach (var p in parameters)
                    {
                        var key = p["name"]!.GetValue<string>();
                        var value = Uri.EscapeDataString(v[key]);
                        if (p["in"]!.GetValue<string>() == "path")
                        {
                            url = url.Replace("{" + key + "}", value, StringComparison.Ordinal);
                        }
                        else
                        {
                            query.Add($"{key}={value}");
                        }
                    }
                    return query.Count == 0 ? url : url + "?" + string.Join('&', query);
                }
                var baseBody = bodySchema is null ? null : Sample(document, bodySchema, "");
                byte[]? Json(JsonNode? body) => body is null ? null : Encoding.UTF8.GetBytes(body.ToJsonString());
                Case Make(string caseName, string? url = null, byte[]? body = null, string? contentType = "application/json")
                    => new(name, caseName, httpMethod, url ?? Url(values), body ?? Json(baseBody), body is null && baseBody is null ? null : contentType);

                // Parameters: every hostile string, escaped and double-escaped; numbers out of range for integer ones.
                foreach (var p in parameters)
                {
                    var key = p["name"]!.GetValue<string>();
                    var isInteger = p["schema"]?["type"]?.ToString() == "integer";
                    var candidates = Payloads.Where(v => v.Length <= 4096).Concat(isInteger ? NumberLiterals : []).ToList();
                    foreach (var (value, i) in candidates.Select((v, i) => (v, i)))
                    {
                        yield return Make($"{key} #{i}", Url(With(values, key, value)));
                        yield return Make($"{key} #{i} double-escaped", Url(With(values, key, Uri.EscapeDataString(value))));
                        var unescaped = Url(values).Replace(Uri.EscapeDataString(values[key]), value, StringComparison.Ordinal);
                        if (p["in"]!.GetValue<string>() == "path" && Uri.TryCreate(new Uri("http://127.0.0.1/"), unescaped, out _))
                        {
                            yield return Make($"{key} #{i} unescaped", unescaped);
                        }
                    }
                    yield return Make($"{key} 7 KB", Url(With(values, key, new string('x', 7 * 1024))));
                }

                if (baseBody is null)
                {
                    continue;
                }

                // Body: every property, recursively.
                foreach (var (propertyPath, schema) in Properties(document, bodySchema!, []))
                {
                    var label = string.Join('.', propertyPath);
                    foreach (var (variant, value) in WrongTypes(schema))
                    {
                        yield return Make($"{label} {variant}", body: Mutate(baseBody, propertyPath, value));
                    }
                    yield return Make($"{label} missing", body: Mutate(baseBody, propertyPath, null, remove: true));
                    yield return Make($"{label} null", body: Mutate(baseBody, propertyPath, null));
                    var type = TypeOf(schema);
                    if (type == "string")
                    {
                        foreach (var (value, i) in Payloads.Select((v, i) => (v, i)))
                        {
                            yield return Make($"{label} payload #{i}", body: Mutate(baseBody, propertyPath, JsonValue.Create(value)));
                        }
                        yield return Make($"{label} 100 KB", body: Mutate(baseBody, propertyPath, JsonValue.Create(new string('测', 100 * 1024 / 3))));
                        yield return Make($"{label} 1 MB", body: Mutate(baseBody, propertyPath, JsonValue.Create(new string('a', 1024 * 1024))));
                        yield return Make($"{label} lone surrogate", body: RawMutate(baseBody, propertyPath, "\"\\ud800x\""));
                        yield return Make($"{label} invalid UTF-8", body: BytesMutate(baseBody, propertyPath, [0x22, 0xC3, 0x28, 0xFF, 0xFE, 0x22]));
                    }
                    if (type is "integer" or "number")
                    {
                        foreach (var literal in NumberLiterals)
                        {
                            yield return Make($"{label} {literal}", body: RawMutate(baseBody, propertyPath, literal));
                        }
                    }
                    if (type == "array")
                    {
                        var items = new StringBuilder("[");
                        for (var i = 0; i < 100_000; i++)
                        {
                            items.Append(i == 0 ? "202601" : ",202601");
                        }
                        yield return Make($"{label} 10^5 elements", body: RawMutate(baseBody, propertyPath, items.Append(']').ToString()));
                        yield return Make($"{label} 10^5 strings", body: RawMutate(baseBody, propertyPath, "[" + string.Join(',', Enumerable.Repeat("\"x\"", 100_000)) + "]"));
                        foreach (var literal in new[] { "[]", "[null]", "[\"x\"]", "[1e400]", "[2147483648]", "[-1]", "[0]", "[[202601]]", "[{}]", "[202601,202601]", "[999999]", "[209912]", "[197001]", "[202600]" })
                        {
                            yield return Make($"{label} {literal}", body: RawMutate(baseBody, propertyPath, literal));
                        }
                    }
                }

                // Body as a whole.
                foreach (var (value, i) in Payloads.Where(v => v.Length > 0).Select((v, i) => (v, i)))
                {
                    var extra = baseBody.DeepClone().AsObject();
                    extra[value] = value;
                    yield return Make($"extra property #{i}", body: Json(extra));
                }
                var withHugeExtra = baseBody.DeepClone().AsObject();
                withHugeExtra["extra"] = new JsonArray(Enumerable.Range(0, 1000).Select(n => (JsonNode?)JsonValue.Create(n)).ToArray());
                yield return Make("extra property array", body: Json(withHugeExtra));
                yield return Make("deep objects", body: Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"a\":", 10_000)) + "1" + new string('}', 10_000)));
                yield return Make("deep arrays", body: Encoding.UTF8.GetBytes(new string('[', 100_000) + new string(']', 100_000)));
                yield return Make("deep 65", body: Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"a\":", 65)) + "1" + new string('}', 65)));
                foreach (var (variant, text) in new[]
                {
                    ("empty", ""), ("whitespace", "   "), ("null", "null"), ("array", "[]"), ("string", "\"x\""), ("number", "123"), ("true", "true"),
                    ("truncated", Json(baseBody) is { } full ? Encoding.UTF8.GetString(full)[..^1] : "{"), ("trailing garbage", baseBody.ToJsonString() + "}}"),
                    ("two documents", baseBody.ToJsonString() + baseBody.ToJsonString()), ("comment", "/* x */" + baseBody.ToJsonString()),
                    ("trailing comma", baseBody.ToJsonString()[..^1] + ",}"), ("single quotes", baseBody.ToJsonString().Replace('"', '\'')),
                    ("duplicate keys", "{" + baseBody.ToJsonString()[1..^1] + "," + baseBody.ToJsonString()[1..^1] + "}"), ("bare word", "hello"), ("nul", "\0"),
                })
                {
                    yield return Make($"body {variant}", body: Encoding.UTF8.GetBytes(text));
                }
                yield return Make("body invalid UTF-8", body: [0x7B, 0xFF, 0xFE, 0xC3, 0x28, 0x7D]);
                yield return Make("body UTF-16", body: Encoding.Unicode.GetBytes(baseBody.ToJsonString()));
                yield return Make("body with BOM", body: [0xEF, 0xBB, 0xBF, .. Json(baseBody)!]);
                var oversize = new byte[1024 * 1024 + 10];
                Array.Fill(oversize, (byte)' ');
                oversize[0] = (byte)'{';
                oversize[^1] = (byte)'}';
                yield return Make("oversize body (> 1 MB)", body: oversize);
                yield return Make("oversize JSON string (2 MB)", body: Mutate(baseBody, [baseBody.AsObject().First().Key], JsonValue.Create(new string('b', 2 * 1024 * 1024))));
                foreach (var contentType in new[]
                {
                    "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "text/html", "application/octet-stream",
                    "application/json; charset=iso-8859-1", "application/json; charset=utf-16", "application/jsonx", "*/*", "application/problem+json", "invalid",
                })
                {
                    yield return Make($"content type {contentType}", contentType: contentType);
                }
                yield return Make("no content type", contentType: null);
                yield return Make("form body", body: Encoding.UTF8.GetBytes("code=x&name=y"), contentType: "application/x-www-form-urlencoded");
                yield return Make("no body", body: [], contentType: null);
            }
        }
    }

    private static Dictionary<string, string> With(Dictionary<string, string> values, string key, string value) => new(values) { [key] = value };

    private static string SampleParameter(JsonObject parameter) => parameter["name"]!.GetValue<string>() switch
    {
        "page" => "1", "pageSize" => "20", "scope" => "branch", "period" => "week", "outTradeNo" => "EB20260101000000000001", "regionCode" => "330100000000",
        _ => "党支部",
    };

    private static JsonNode Resolve(JsonNode document, JsonNode schema)
    {
        if (schema["$ref"]?.GetValue<string>() is { } reference)
        {
            return document["components"]!["schemas"]![reference["#/components/schemas/".Length..]]!;
        }
        if (schema["oneOf"] is JsonArray oneOf)
        {
            return Resolve(document, oneOf.First(o => o!["type"]?.ToString() != "null")!);
        }
        return schema;
    }

    private static string? TypeOf(JsonNode schema) => schema["type"] switch
    {
        JsonValue v => v.GetValue<string>(),
        JsonArray a => a.Select(t => t!.GetValue<string>()).FirstOrDefault(t => t != "null"),
        _ => null,
    };

    /// <summary>A minimal valid value: plausible but never one that succeeds for the hostile member (nothing to pay, already bound, codes unknown).</summary>
    private static JsonNode? Sample(JsonNode document, JsonNode schema, string name)
    {
        schema = Resolve(document, schema);
        return TypeOf(schema) switch
        {
            "object" => new JsonObject(schema["properties"]!.AsObject().Select(p => KeyValuePair.Create(p.Key, Sample(document, p.Value!, p.Key)))),
            "array" => new JsonArray(Sample(document, schema["items"]!, name)),
            "integer" or "number" => name == "months" ? 202601 : 0,
            "boolean" => false,
            _ when schema["format"]?.ToString() == "uuid" => null,
            _ => name switch { "idNumber" => NotOnRoster, "name" => "测试", _ => "hostile-test-code" },
        };
    }

    private static IEnumerable<(string[] Path, JsonNode Schema)> Properties(JsonNode document, JsonNode schema, string[] prefix)
    {
        schema = Resolve(document, schema);
        foreach (var (key, value) in schema["properties"]?.AsObject() ?? [])
        {
            var path = prefix.Append(key).ToArray();
            var resolved = Resolve(document, value!);
            yield return (path, resolved);
            if (TypeOf(resolved) == "object")
            {
                foreach (var nested in Properties(document, resolved, path))
                {
                    yield return nested;
                }
            }
        }
    }

    private static IEnumerable<(string, JsonNode)> WrongTypes(JsonNode schema)
    {
        var type = TypeOf(schema);
        if (type != "integer" && type != "number")
        {
            yield return ("as number", JsonValue.Create(123));
            yield return ("as negative number", JsonValue.Create(-1));
            yield return ("as float", JsonValue.Create(1.5));
        }
        if (type != "string")
        {
            yield return ("as string", JsonValue.Create("x"));
        }
        if (type != "boolean")
        {
            yield return ("as boolean", JsonValue.Create(true));
        }
        if (type != "array")
        {
            yield return ("as array", new JsonArray(1, 2));
        }
        if (type != "object")
        {
            yield return ("as object", new JsonObject { ["a"] = 1 });
        }
    }

    private static byte[] Mutate(JsonNode body, string[] path, JsonNode? value, bool remove = false)
    {
        var copy = body.DeepClone();
        var parent = copy;
        foreach (var key in path[..^1])
        {
            parent = parent![key] ??= new JsonObject();
        }
        if (remove)
        {
            parent!.AsObject().Remove(path[^1]);
        }
        else
        {
            parent![path[^1]] = value;
        }
        return Encoding.UTF8.GetBytes(copy.ToJsonString());
    }

    private static byte[] RawMutate(JsonNode body, string[] path, string literal)
        => Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Mutate(body, path, JsonValue.Create(Raw))).Replace($"\"{Raw}\"", literal, StringComparison.Ordinal));

    private static byte[] BytesMutate(JsonNode body, string[] path, byte[] replacement)
    {
        var text = Encoding.UTF8.GetString(Mutate(body, path, JsonValue.Create(Raw)));
        var at = text.IndexOf($"\"{Raw}\"", StringComparison.Ordinal);
        return [.. Encoding.UTF8.GetBytes(text[..at]), .. replacement, .. Encoding.UTF8.GetBytes(text[(at + Raw.Length + 2)..])];
    }

    // ---- setup and bookkeeping ----

    /// <summary>A bound member with no dues to pay who has already checked in today: no hostile request can legitimately write anything.</summary>
    private async Task<(HttpClient Client, Guid MemberId)> BoundMemberAsync()
    {
        var name = "恶意输入" + Guid.NewGuid().ToString("N")[..4];
        var (memberId, idNumber) = await gateway.AddMemberAsync(name);
        var (client, _, _) = await gateway.LoginNewUserAsync();
        (await client.PostAsJsonAsync("/api/v1/binding/id-number", new { name, idNumber })).EnsureSuccessStatusCode();
        (await client.PostAsync("/api/v1/checkins", null)).EnsureSuccessStatusCode();
        return (client, memberId);
    }

    private async Task<string> CountRowsAsync()
    {
        await using var db = gateway.SystemDb();
        return string.Join(", ",
            $"members={await db.Members.IgnoreQueryFilters().CountAsync()}", $"we_chat_users={await db.WeChatUsers.IgnoreQueryFilters().CountAsync()}",
            $"binding_requests={await db.BindingRequests.IgnoreQueryFilters().CountAsync()}", $"check_ins={await db.CheckIns.IgnoreQueryFilters().CountAsync()}",
            $"point_entries={await db.PointEntries.IgnoreQueryFilters().CountAsync()}", $"pay_orders={await db.PayOrders.IgnoreQueryFilters().CountAsync()}",
            $"dues_bills={await db.DuesBills.IgnoreQueryFilters().CountAsync()}", $"activity_records={await db.ActivityRecords.IgnoreQueryFilters().CountAsync()}",
            $"we_chat_sessions={await db.WeChatSessions.IgnoreQueryFilters().CountAsync()}");
    }

    private static string Truncate(string text) => text.Length > 200 ? text[..200] + "…" : text;
}
