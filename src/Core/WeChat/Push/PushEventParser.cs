using System.Globalization;
using System.Text.Json;
using System.Xml.Linq;

namespace EBranch.Core.WeChat.Push;

/// <summary>One entry of a subscribe-message event's <c>List</c>.</summary>
public sealed record SubscribeEventItem(string TemplateId, string? SubscribeStatus, string? PopupScene, string? MsgId, string? ErrorCode, string? ErrorStatus);

/// <summary>A pushed message or event, normalized from JSON or XML.</summary>
public sealed record PushEvent(string ToUserName, string FromUserName, long CreateTime, string MsgType, string? Event, IReadOnlyList<SubscribeEventItem> List)
{
    /// <summary>Every top-level field as text, for fields this type does not name (e.g. Content, debug_str).</summary>
    public IReadOnlyDictionary<string, string> Fields { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// Parses pushed messages. Quirks: <c>List</c> is an object for one item and an array for several (XML repeats the
/// element), and numbers such as <c>CreateTime</c> or <c>ErrorCode</c> may arrive as strings.
/// </summary>
public static class PushEventParser
{
    public static PushEvent Parse(string message) =>
        message.TrimStart().StartsWith('<') ? ParseXml(message) : ParseJson(message);

    private static PushEvent ParseJson(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var items = new List<SubscribeEventItem>();
        foreach (var property in root.EnumerateObject())
        {
            if (property.Name == "List")
            {
                var list = property.Value;
                var entries = list.ValueKind == JsonValueKind.Array ? list.EnumerateArray().ToList() : [list];
                items.AddRange(entries.Select(e => ToItem(name => e.TryGetProperty(name, out var v) ? Text(v) : null)));
            }
            else
            {
                fields[property.Name] = Text(property.Value) ?? "";
            }
        }
        return Build(fields, items);
    }

    private static PushEvent ParseXml(string xml)
    {
        var root = XElement.Parse(xml);
        var fields = root.Elements().Where(e => e.Name.LocalName != "List")
            .GroupBy(e => e.Name.LocalName).ToDictionary(g => g.Key, g => g.First().Value, StringComparer.Ordinal);
        var items = root.Elements("List").Select(e => ToItem(name => e.Element(name)?.Value)).ToList();
        return Build(fields, items);
    }

    private static PushEvent Build(Dictionary<string, string> fields, List<SubscribeEventItem> items) =>
        new(fields.GetValueOrDefault("ToUserName", ""), fields.GetValueOrDefault("FromUserName", ""),
            long.TryParse(fields.GetValueOrDefault("CreateTime"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var created) ? created : 0,
            fields.GetValueOrDefault("MsgType", ""), fields.GetValueOrDefault("Event"), items)
        {
            Fields = fields,
        };

    private static SubscribeEventItem ToItem(Func<string, string?> field) =>
        new(field("TemplateId") ?? "", field("SubscribeStatusString"), field("PopupScene"), field("MsgID"), field("ErrorCode"), field("ErrorStatus"));

    private static string? Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Null => null,
        _ => value.GetRawText(),
    };
}
