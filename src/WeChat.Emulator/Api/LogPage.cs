using System.Net;
using System.Text.Json;
using EBranch.WeChat.Emulator.Core;

namespace EBranch.WeChat.Emulator.Api;

/// <summary>The tiny /_emulator page: the same data as /_emulator/log, readable in a browser.</summary>
public static class LogPage
{
    public static string Render(object log)
    {
        var json = JsonSerializer.Serialize(log, new JsonSerializerOptions(EmulatorJson.Options) { WriteIndented = true });
        return $"""
            <!doctype html>
            <html lang="zh-CN"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5"><title>WeChat emulator</title>
            <style>body{"{"}font-family:sans-serif;margin:2em{"}"} pre{"{"}background:#f6f8fa;padding:1em;overflow:auto{"}"}</style></head>
            <body><h1>WeChat emulator</h1>
            <p>Config: <a href="/_emulator/config">/_emulator/config</a> · JSON log: <a href="/_emulator/log">/_emulator/log</a></p>
            <pre>{WebUtility.HtmlEncode(json)}</pre></body></html>
            """;
    }
}
