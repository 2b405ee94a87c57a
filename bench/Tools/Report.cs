using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

/// <summary>
/// The benchmark table. Each scenario is a small JSON file (DIR/scenarios/*.json) written by bench/run that names its
/// measured result, the limit measured in the same run, the targets, the correctness check and the gateway's peak RSS.
/// </summary>
internal static class Report
{
    public static void Print(string dir)
    {
        var rows = new JsonArray();
        var lines = new List<string[]>
        {
            new[] { "scenario", "req/s", "p50 ms", "p99 ms", "limit req/s", "ratio", "target", "errors", "RSS MB", "correct", "verdict" },
        };
        foreach (var file in Directory.GetFiles(Path.Combine(dir, "scenarios"), "*.json").Order(StringComparer.Ordinal))
        {
            var spec = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
            var result = Load(dir, spec["result"]?.GetValue<string>());
            var limit = Load(dir, spec["limit"]?.GetValue<string>());
            var check = Load(dir, spec["check"]?.GetValue<string>());
            double? Num(JsonObject? o, string name) => o?[name] is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;
            var rps = Num(result, "rps");
            var limitRps = Num(limit, "rps");
            var ratio = rps is { } r && limitRps is > 0 ? r / limitRps.Value : (double?)null;
            var p99 = Num(result, "p99_ms");
            var errors = (long)(Num(result, "errors") ?? (result is null ? 1 : 0));
            var rss = Num(spec, "rss_mb");
            var minRatio = Num(spec, "min_ratio");
            var maxP99 = Num(spec, "max_p99_ms");
            var minRps = Num(spec, "min_rps");
            var maxRss = Num(spec, "max_rss_mb") ?? 400;
            var correct = check?["ok"]?.GetValue<bool>() ?? result is not null;
            var misses = new List<string>();
            if (result is null) misses.Add("no result");
            if (minRatio is { } m && (ratio ?? 0) < m) misses.Add("ratio");
            if (maxP99 is { } mp && (p99 ?? double.MaxValue) > mp) misses.Add("p99");
            if (minRps is { } mr && (rps ?? 0) < mr) misses.Add("req/s");
            if (rss is { } rm && rm > maxRss) misses.Add("RSS");
            if (errors > 0) misses.Add("errors");
            if (!correct) misses.Add("correctness");
            var target = string.Join(" ", new[]
            {
                minRatio is { } a ? $"≥{a:P0}" : null, maxP99 is { } b ? $"p99≤{b:0}ms" : null, minRps is { } c ? $"≥{c:0}/s" : null,
            }.Where(s => s is not null));
            var limitName = spec["limit_name"]?.GetValue<string>() ?? "";
            lines.Add(new[]
            {
                spec["scenario"]!.GetValue<string>(), F(rps, "0"), F(Num(result, "p50_ms"), "0.0"), F(p99, "0.0"),
                limitRps is { } l ? $"{l:0} ({limitName})" : "-", ratio is { } x ? x.ToString(x < 0.1 ? "P1" : "P0", CultureInfo.InvariantCulture) : "-", target,
                errors.ToString(CultureInfo.InvariantCulture), F(rss, "0"), correct ? "yes" : "NO", misses.Count == 0 ? "meets" : "misses " + string.Join(",", misses),
            });
            rows.Add(new JsonObject
            {
                ["scenario"] = spec["scenario"]!.GetValue<string>(), ["rps"] = rps, ["p50_ms"] = Num(result, "p50_ms"), ["p99_ms"] = p99,
                ["limit"] = limitName, ["limit_rps"] = limitRps, ["ratio"] = ratio is { } y ? Math.Round(y, 4) : null, ["target"] = target,
                ["errors"] = errors, ["peak_rss_mb"] = rss, ["correct"] = correct, ["check"] = check?["check"]?.GetValue<string>(),
                ["meets_targets"] = misses.Count == 0, ["misses"] = new JsonArray(misses.Select(s => (JsonNode)s!).ToArray()),
                ["result"] = result?.DeepClone(), ["limit_result"] = limit?.DeepClone(),
            });
        }
        var widths = Enumerable.Range(0, lines[0].Length).Select(c => lines.Max(l => Width(l[c]))).ToArray();
        foreach (var line in lines)
        {
            Console.WriteLine(string.Join(" | ", line.Select((cell, c) => cell + new string(' ', widths[c] - Width(cell)))).TrimEnd());
            if (line == lines[0])
            {
                Console.WriteLine(string.Join("-|-", widths.Select(w => new string('-', w))));
            }
        }
        foreach (var row in rows)
        {
            if (row!["check"] is { } c)
            {
                Console.WriteLine($"  {row["scenario"]}: {c}");
            }
        }
        var summary = new JsonObject { ["at"] = DateTimeOffset.UtcNow.ToString("O"), ["scenarios"] = rows };
        File.WriteAllText(Path.Combine(dir, "summary.json"), summary.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private static JsonObject? Load(string dir, string? file)
        => file is null || !File.Exists(Path.Combine(dir, file)) ? null : JsonNode.Parse(File.ReadAllText(Path.Combine(dir, file)))?.AsObject();

    private static string F(double? value, string format) => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "-";

    /// <summary>Display width: CJK characters take two columns.</summary>
    private static int Width(string s) => s.Sum(ch => ch >= 0x2E80 ? 2 : 1);
}
