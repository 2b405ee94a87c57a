using EBranch.Testing;
using System.Diagnostics;
using System.Text;

namespace EBranch.Tests.Reliability;

/// <summary>
/// The built gateway (<c>dotnet EBranch.Gateway.WeChat.dll</c>, copied next to the tests by the project reference) as
/// a separate OS process on a fixed loopback port, configured through environment variables, so a test can kill it
/// with SIGKILL and start it again on the same port (where WeChat Pay keeps sending its notifications).
/// </summary>
public sealed class GatewayProcess : IAsyncDisposable
{
    private readonly Dictionary<string, string?> _settings;
    private readonly StringBuilder _output = new();
    private Process? _process;

    private GatewayProcess(Dictionary<string, string?> settings, int port)
    {
        _settings = settings;
        Url = $"http://127.0.0.1:{port}";
    }

    public string Url { get; }
    public int Starts { get; private set; }

    /// <summary>What the process wrote (all starts), for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static async Task<GatewayProcess> StartAsync(IDictionary<string, string?> settings, int port)
    {
        var gateway = new GatewayProcess(new Dictionary<string, string?>(settings), port);
        await gateway.StartAgainAsync();
        return gateway;
    }

    public async Task StartAgainAsync()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "EBranch.Gateway.WeChat.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} is missing: build the solution first.");
        }
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add(Url);
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        info.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in EBranch.Testing.TestEnvironment.GenerousAnonymousLimits)
        {
            info.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value ?? "";
        }
        foreach (var (key, value) in _settings)
        {
            info.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value ?? "";
        }
        var process = Process.Start(info)!;
        Starts++;
        var start = Starts;
        process.OutputDataReceived += (_, e) => Append(start, e.Data);
        process.ErrorDataReceived += (_, e) => Append(start, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.WaitUntilAsync(async () =>
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The gateway exited with {process.ExitCode} while starting:\n{Output}");
            }
            try
            {
                return (await http.GetAsync(Url + "/health/ready")).IsSuccessStatusCode;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return false;
            }
        }, $"the gateway process on {Url}", TimeSpan.FromSeconds(90));
    }

    /// <summary>SIGKILL: no shutdown, no flushing, open transactions and requests simply end.</summary>
    public async Task KillAsync()
    {
        var process = _process ?? throw new InvalidOperationException("Not running.");
        process.Kill(entireProcessTree: false);
        await process.WaitForExitAsync();
        process.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await KillAsync();
        }
    }

    private void Append(int start, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.Append('[').Append(start).Append("] ").AppendLine(line);
        }
    }
}
