using System.Net;
using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using EBranch.Core.Common;
using EBranch.Core.Identity;
using EBranch.Tests.Gateway;

namespace EBranch.Tests.Contract;

/// <summary>
/// miniprogram-contract/openapi.json is the gateway's live OpenAPI document, normalized (keys in ordinal
/// order, two-space indent, LF). Any API change shows up as a change to that file; with
/// <c>EBRANCH_UPDATE_CONTRACT=1</c> (scripts/update-contract.sh) the test writes the file instead of comparing.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class OpenApiContractTests(GatewayFixture gateway)
{
    private const string ProblemRef = "#/components/schemas/ProblemDetails";

    /// <summary>Codes the console uses (sign-in); the gateway never answers them.</summary>
    private static readonly string[] ConsoleOnlyCodes = [ErrorCodes.LoginFailed, ErrorCodes.AccountLocked];

    [Fact]
    public async Task CommittedContract_IsTheLiveDocument()
    {
        var live = Normalize(JsonNode.Parse(await gateway.Client.GetStringAsync("/openapi/v1.json"))!);
        var path = Path.Combine(RepositoryRoot(), "miniprogram-contract", "openapi.json");
        if (Environment.GetEnvironmentVariable("EBRANCH_UPDATE_CONTRACT") == "1")
        {
            await File.WriteAllTextAsync(path, live);
            return;
        }
        var committed = File.Exists(path) ? (await File.ReadAllTextAsync(path)).ReplaceLineEndings("\n") : "";
        if (committed == live)
        {
            return;
        }
        var (liveLines, committedLines) = (live.Split('\n'), committed.Split('\n'));
        var line = Enumerable.Range(0, Math.Max(liveLines.Length, committedLines.Length))
            .First(i => i >= liveLines.Length || i >= committedLines.Length || liveLines[i] != committedLines[i]);
        Assert.Fail($"""
            miniprogram-contract/openapi.json differs from the gateway's live /openapi/v1.json (first at line {line + 1}):
              committed: {(line < committedLines.Length ? committedLines[line].Trim() : "<end of file>")}
              live:      {(line < liveLines.Length ? liveLines[line].Trim() : "<end of file>")}
            If the API change is intended, run `scripts/update-contract.sh` and commit openapi.json and src/schema.d.ts.
            """);
    }

    [Fact]
    public async Task EveryOperation_HasAnIdSummarySchemasAndDocumentedErrors()
    {
        var document = JsonNode.Parse(await gateway.Client.GetStringAsync("/openapi/v1.json"))!;
        var documentedCodes = Strings(document["components"]!["schemas"]!["ProblemDetails"]!["properties"]!["code"]!["enum"]).ToHashSet();
        Assert.Equal("bearer", document["components"]!["securitySchemes"]!["bearer"]!["scheme"]!.GetValue<string>());

        var ids = new List<string>();
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, node) in item!.AsObject())
            {
                var operation = node!.AsObject();
                var name = $"{method.ToUpperInvariant()} {path}";
                var id = operation["operationId"]?.GetValue<string>();
                Assert.False(string.IsNullOrWhiteSpace(id), $"{name}: operationId missing (.WithName)");
                Assert.False(string.IsNullOrWhiteSpace(operation["summary"]?.GetValue<string>()), $"{name}: summary missing (.WithSummary)");
                ids.Add(id!);

                if (operation["requestBody"] is { } body)
                {
                    Assert.True(body["content"]?["application/json"]?["schema"] is not null, $"{name}: request body without a JSON schema");
                }
                var responses = operation["responses"]!.AsObject();
                Assert.Contains(responses, r => r.Key.StartsWith('2'));
                foreach (var (status, response) in responses)
                {
                    if (status is "200" or "201")
                    {
                        Assert.True(response!["content"]?["application/json"]?["schema"] is not null, $"{name} {status}: response without a JSON schema");
                    }
                    else if (status[0] is '4' or '5')
                    {
                        var schema = response!["content"]?["application/problem+json"]?["schema"];
                        Assert.True(schema?["allOf"]?[0]?["$ref"]?.GetValue<string>() == ProblemRef, $"{name} {status}: error response is not a ProblemDetails (.ProducesErrors)");
                        var codes = ErrorCodesOf(response);
                        Assert.NotEmpty(codes);
                        Assert.All(codes, c => Assert.Contains(c, documentedCodes));
                    }
                }

                var secured = operation["security"] is JsonArray { Count: > 0 };
                Assert.True(secured == responses.ContainsKey("401"), $"{name}: an operation answers 401 exactly when it needs the bearer token");
                if (secured)
                {
                    Assert.Contains("unauthorized", ErrorCodesOf(responses["401"]!));
                }
            }
        }
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Contains("checkIn", ids);
        Assert.Equal(HttpStatusCode.OK, (await gateway.Client.GetAsync("/docs")).StatusCode);
    }

    [Fact]
    public async Task ProblemDetailsCode_ListsEveryErrorCodeTheGatewayMayAnswer()
    {
        var document = JsonNode.Parse(await gateway.Client.GetStringAsync("/openapi/v1.json"))!;
        var problem = document["components"]!["schemas"]!["ProblemDetails"]!;
        var codes = Strings(problem["properties"]!["code"]!["enum"]);
        var constants = new[] { typeof(ErrorCodes), typeof(IdentityErrors) }
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static)).Where(f => f.IsLiteral)
            .Select(f => (string)f.GetRawConstantValue()!).Except(ConsoleOnlyCodes);
        Assert.All(constants, c => Assert.Contains(c, codes));
        Assert.Contains("code", Strings(problem["required"]));

        // What the document promises is what a member-only endpoint answers to a logged-in villager.
        var (villager, _, _) = await gateway.LoginNewUserAsync();
        var response = await villager.PostAsync("/api/v1/checkins", null);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var code = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["code"]!.GetValue<string>();
        Assert.Contains(code, ErrorCodesOf(document["paths"]!["/api/v1/checkins"]!["post"]!["responses"]!["403"]!));
    }

    /// <summary>The codes an error response documents (the narrowing half of its allOf).</summary>
    private static List<string> ErrorCodesOf(JsonNode response)
        => Strings(response["content"]!["application/problem+json"]!["schema"]!["allOf"]![1]!["properties"]!["code"]!["enum"]);

    private static List<string> Strings(JsonNode? array) => array!.AsArray().Select(c => c!.GetValue<string>()).ToList();

    /// <summary>Keys in ordinal order at every level, two-space indent, readable Chinese, LF, final newline.</summary>
    public static string Normalize(JsonNode node)
    {
        var options = new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        return Sorted(node)!.ToJsonString(options).ReplaceLineEndings("\n") + "\n";
    }

    private static JsonNode? Sorted(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Sorted(p.Value)))),
        JsonArray a => new JsonArray(a.Select(Sorted).ToArray()),
        null => null,
        _ => node.DeepClone(),
    };

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, "miniprogram-contract")) && File.Exists(Path.Combine(dir.FullName, "EBranch.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("repository root (with miniprogram-contract/) not found above " + AppContext.BaseDirectory);
    }
}
