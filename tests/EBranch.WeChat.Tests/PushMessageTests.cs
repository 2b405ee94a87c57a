using System.Security.Cryptography;
using System.Text.Json;
using EBranch.Core.WeChat.Push;

namespace EBranch.WeChat.Tests;

public class PushMessageTests
{
    private static readonly JsonElement Vectors = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "vectors.json"))).RootElement;

    private static string V(string group, string name) => Vectors.GetProperty(group).GetProperty(name).GetString()!;

    [Fact]
    public void VerifyUrl_AcceptsOfficialVector_WhenSignatureMatches()
    {
        var crypto = new PushMessageCrypto(V("push_url_check", "token"), null, "any");
        Assert.True(crypto.VerifyUrl(V("push_url_check", "signature"), V("push_url_check", "timestamp"), V("push_url_check", "nonce")));
        Assert.False(crypto.VerifyUrl(V("push_url_check", "signature"), V("push_url_check", "timestamp"), "1"));
    }

    [Fact]
    public void Signature_MatchesOfficialPlaintextPostVector()
    {
        Assert.Equal(V("push_plaintext_post", "signature"),
            PushMessageCrypto.Signature(V("push_plaintext_post", "token"), V("push_plaintext_post", "timestamp"), V("push_plaintext_post", "nonce")));
    }

    [Fact]
    public void Decrypt_YieldsHelloMessage_WithOfficialSafeModeVector()
    {
        const string g = "push_safe_mode";
        var crypto = new PushMessageCrypto(V(g, "token"), V(g, "encoding_aes_key"), V(g, "appid"));
        Assert.True(crypto.VerifyMessage(V(g, "msg_signature"), V(g, "timestamp"), V(g, "nonce"), V(g, "encrypt")));
        var plain = crypto.Decrypt(V(g, "encrypt"));
        Assert.Contains(V(g, "plaintext_contains"), plain);
        Assert.Equal("hello", PushEventParser.Parse(plain).Fields["Content"]);
    }

    [Fact]
    public void Decrypt_Throws_WhenMessageIsForAnotherAppId()
    {
        const string g = "push_safe_mode";
        var crypto = new PushMessageCrypto(V(g, "token"), V(g, "encoding_aes_key"), "wxanotherapp000000");
        Assert.ThrowsAny<CryptographicException>(() => crypto.Decrypt(V(g, "encrypt")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("x")]
    [InlineData("exactly-eleven-chars-here")]
    [InlineData("{\"MsgType\":\"event\",\"Event\":\"subscribe_msg_sent_event\"}")]
    public void EncryptThenDecrypt_RoundTrips_WhenPaddingIsAFull32ByteBlock(string message)
    {
        var crypto = new PushMessageCrypto("t", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "wx5823bf96d3bd56c7");
        Assert.Equal(message, crypto.Decrypt(crypto.Encrypt(message)));
    }

    [Fact]
    public void Parse_ReadsListObjectAndStringNumbers_WhenOneItem()
    {
        const string json = """{"ToUserName":"gh_1","FromUserName":"o1","CreateTime":"1714037059","MsgType":"event","Event":"subscribe_msg_popup_event","List":{"TemplateId":"T1","SubscribeStatusString":"accept","PopupScene":"0"}}""";
        var parsed = PushEventParser.Parse(json);
        Assert.Equal(1714037059, parsed.CreateTime);
        var item = Assert.Single(parsed.List);
        Assert.Equal(("T1", "accept", "0"), (item.TemplateId, item.SubscribeStatus, item.PopupScene));
    }

    [Fact]
    public void Parse_ReadsListArrayAndNumericErrorCode_WhenSeveralItems()
    {
        const string json = """{"ToUserName":"gh_1","FromUserName":"o1","CreateTime":1714037059,"MsgType":"event","Event":"subscribe_msg_sent_event","List":[{"TemplateId":"T1","MsgID":"1","ErrorCode":0,"ErrorStatus":"success"},{"TemplateId":"T2","MsgID":"2","ErrorCode":"20004","ErrorStatus":"fail"}]}""";
        var parsed = PushEventParser.Parse(json);
        Assert.Equal(1714037059, parsed.CreateTime);
        Assert.Equal(["0", "20004"], parsed.List.Select(i => i.ErrorCode));
    }

    [Fact]
    public void Parse_ReadsRepeatedListElements_WhenXml()
    {
        const string xml = "<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType>" +
                           "<Event>subscribe_msg_change_event</Event><List><TemplateId>A</TemplateId><SubscribeStatusString>reject</SubscribeStatusString></List>" +
                           "<List><TemplateId>B</TemplateId><SubscribeStatusString>accept</SubscribeStatusString></List></xml>";
        Assert.Equal(["reject", "accept"], PushEventParser.Parse(xml).List.Select(i => i.SubscribeStatus));
    }
}
