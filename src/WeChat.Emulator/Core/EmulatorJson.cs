using System.Text.Encodings.Web;
using System.Text.Json;

namespace EBranch.WeChat.Emulator.Core;

public static class EmulatorJson
{
    /// <summary>Writes Chinese as UTF-8, like WeChat does, so signatures cover multi-byte text.</summary>
    public static readonly JsonSerializerOptions Options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public static byte[] Bytes(object value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);
}
