using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace LocalControl.Web.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL cluster from Debian's packages: initdb into a temporary folder, started on a free
/// loopback port with trust authentication, stopped and deleted at the end. As root (CI), the server runs as the
/// <c>postgres</c> system user, because PostgreSQL refuses to run as root. Set LOCALCONTROL_TEST_PG to use an
/// existing server instead (a connection string to a database where the test user may CREATE DATABASE).
/// </summary>
public sealed class PostgresCluster : IAsyncLifetime
{
    private string? _folder;
    private string? _bin;
    private bool _asPostgresUser;

    /// <summary>Connection string to the maintenance database (postgres).</summary>
    public string AdminConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var existing = Environment.GetEnvironmentVariable("LOCALCONTROL_TEST_PG");
        if (!string.IsNullOrWhiteSpace(existing))
        {
            AdminConnectionString = existing;
            return;
        }
        _bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).Order().LastOrDefault()
            : null;
        if (_bin is null)
        {
            throw new InvalidOperationException("PostgreSQL server binaries not found under /usr/lib/postgresql (Debian package 'postgresql'; ./test.sh installs it).");
        }
        _asPostgresUser = Environment.UserName == "root";
        _folder = Path.Combine(Path.GetTempPath(), "lc-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_folder);
        if (_asPostgresUser)
        {
            await RunAsync("chown", ["postgres:postgres", _folder]);
        }
        var data = Path.Combine(_folder, "data");
        await RunPgAsync("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"]);
        var port = FreePort();
        await RunPgAsync("pg_ctl", ["-D", data, "-l", Path.Combine(_folder, "log"), "-w", "-t", "60", "-o",
            $"-p {port} -k {_folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", "start"]);
        AdminConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false";
    }

    public async Task DisposeAsync()
    {
        if (_folder is null || _bin is null)
        {
            return;
        }
        try
        {
            await RunPgAsync("pg_ctl", ["-D", Path.Combine(_folder, "data"), "-m", "immediate", "-w", "stop"]);
        }
        finally
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "lc_" + Guid.NewGuid().ToString("N")[..16];
        await using var connection = new Npgsql.NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"CREATE DATABASE {name}";
        await command.ExecuteNonQueryAsync();
        return new Npgsql.NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name, Pooling = true }.ConnectionString;
    }

    private Task RunPgAsync(string tool, string[] args)
    {
        var exe = Path.Combine(_bin!, tool);
        return _asPostgresUser ? RunAsync("runuser", ["-u", "postgres", "--", exe, .. args]) : RunAsync(exe, args);
    }

    private static async Task RunAsync(string exe, string[] args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{exe} {string.Join(' ', args)} failed ({p.ExitCode}): {await stderr} {await stdout}");
        }
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
