using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace LocalControl.Web.Tests.Infrastructure;

/// <summary>
/// The app as a separate process (`dotnet LocalControl.Web.dll`, the build next to this test build), on a free
/// loopback port and a given data folder: for tests that must kill it.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServerProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

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

    /// <summary>The web app's build output folder, found from this test assembly's (same configuration).</summary>
    public static string AppFolder
    {
        get
        {
            var tests = AppContext.BaseDirectory;
            var folder = tests.Replace($"{Path.DirectorySeparatorChar}tests{Path.DirectorySeparatorChar}LocalControl.Web.Tests{Path.DirectorySeparatorChar}",
                $"{Path.DirectorySeparatorChar}src{Path.DirectorySeparatorChar}LocalControl.Web{Path.DirectorySeparatorChar}", StringComparison.Ordinal);
            return File.Exists(Path.Combine(folder, "LocalControl.Web.dll"))
                ? folder
                : throw new InvalidOperationException($"LocalControl.Web.dll not found in {folder}: build the solution first.");
        }
    }

    /// <summary>Starts the app; does not wait for it.</summary>
    public static ServerProcess Start(string dataFolder, string? adminPassword, int? port = null)
    {
        var p = port ?? FreePort();
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = AppFolder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppFolder, "LocalControl.Web.dll"));
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        psi.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{p}";
        psi.Environment["Urls"] = $"http://127.0.0.1:{p}";
        psi.Environment["Registry__Provider"] = "Sqlite";
        psi.Environment["Registry__DataFolder"] = dataFolder;
        psi.Environment["Registry__SeedSamples"] = "false";
        psi.Environment["LOCALCONTROL_ADMIN_PASSWORD"] = adminPassword ?? "";
        psi.Environment["DOTNET_gcServer"] = "0";
        psi.Environment["Security__AllowInsecureCookies"] = "true"; // plain http on loopback
        var process = Process.Start(psi)!;
        var server = new ServerProcess(process, new Uri($"http://127.0.0.1:{p}"));
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>Waits until /health answers (or the process ends).</summary>
    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with {_process.ExitCode}: {Output}");
            }
            try
            {
                if ((await client.GetAsync("/health")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(200);
        }
        throw new TimeoutException("The server did not answer /health: " + Output);
    }

    /// <summary>Waits for the process to end by itself and returns its exit code.</summary>
    public async Task<int> WaitExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing, like a power cut of the process.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
