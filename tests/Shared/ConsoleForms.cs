using System.Net;
using System.Text.RegularExpressions;

namespace EBranch.Testing;

/// <summary>The console's sign-in form spoken to over plain HTTP, as a browser would (no JavaScript needed: the form is rendered per request).</summary>
public static class ConsoleForms
{
    /// <summary>GETs /login and returns the form's fields (antiforgery token and handler) with the user name and password filled in.</summary>
    public static async Task<Dictionary<string, string>> LoginFieldsAsync(HttpClient client, string userName, string password)
    {
        var html = await client.GetStringAsync("/login");
        var form = Regex.Matches(html, "<input[^>]*name=\"([^\"]+)\"[^>]*>").Select(m => m.Groups[1].Value).ToList();
        string Value(string name) => Regex.Match(html, $"name=\"{Regex.Escape(name)}\"[^>]*value=\"([^\"]*)\"").Groups[1].Value;
        return new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(Value("__RequestVerificationToken")),
            ["_handler"] = Value("_handler"),
            [form.Single(f => f.EndsWith("UserName", StringComparison.Ordinal))] = userName,
            [form.Single(f => f.EndsWith("Password", StringComparison.Ordinal))] = password,
        };
    }

    /// <summary>Posts the sign-in form (on <paramref name="postTo"/>, by default the client that rendered it) and asserts it signed in.</summary>
    public static async Task SignInAsync(HttpClient client, string userName, string password, HttpClient? postTo = null)
    {
        var fields = await LoginFieldsAsync(client, userName, password);
        var response = await (postTo ?? client).PostAsync("/login", new FormUrlEncodedContent(fields));
        Assert.True(IsSignedInRedirect(response), $"sign-in as {userName}: {(int)response.StatusCode} {response.Headers.Location}");
    }

    /// <summary>A successful sign-in answers with a redirect away from the login page.</summary>
    public static bool IsSignedInRedirect(HttpResponseMessage response)
        => response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location?.OriginalString is { } to && !to.Contains("login", StringComparison.Ordinal);
}
