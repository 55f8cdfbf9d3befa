using System.Collections.Concurrent;
using System.Net;
using System.Text.RegularExpressions;
using LocalControl.Registry;
using LocalControl.Registry.Entities;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LocalControl.Web.Tests.Infrastructure;

/// <summary>
/// The real app, in process, on a real database (a fresh SQLite file or a fresh PostgreSQL database), with one user
/// per role and every log line captured (to prove that no patient data is logged).
/// </summary>
public abstract partial class LocalControlApp : WebApplicationFactory<Program>, IAsyncLifetime
{
    /// <summary>Password of every test user.</summary>
    public const string Password = "test-password-0123";

    /// <summary>Every log line written by the app (category, level, formatted message).</summary>
    public ConcurrentQueue<(string Category, LogLevel Level, string Message)> Logs { get; } = new();

    public abstract RegistryProvider Provider { get; }

    public string ConnectionString { get; private set; } = "";

    /// <summary>Where uploaded images go (deleted with the app).</summary>
    public string ImagesFolder { get; } = Path.Combine(Path.GetTempPath(), "lc-images-" + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>The data folder (keys; deleted with the app).</summary>
    public string DataFolder { get; } = Path.Combine(Path.GetTempPath(), "lc-data-" + Guid.NewGuid().ToString("N")[..12]);

    protected abstract Task<string> CreateDatabaseAsync();

    /// <summary>Extra settings (e.g. a samples folder).</summary>
    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    public virtual async Task InitializeAsync()
    {
        ConnectionString = await CreateDatabaseAsync();
        using (var scope = Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<RegistryUser>>();
            foreach (var role in new[] { Roles.Clinician, Roles.Coordinator, Roles.Viewer })
            {
                var user = new RegistryUser { UserName = role + "1", DisplayName = "Test " + role };
                Check(await users.CreateAsync(user, Password));
                Check(await users.AddToRoleAsync(user, role));
            }
        }
    }

    public new virtual async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var folder in new[] { ImagesFolder, DataFolder })
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("Registry:Provider", Provider.ToString());
        builder.UseSetting("ConnectionStrings:Registry", ConnectionString);
        builder.UseSetting("Registry:SeedSamples", "false");
        builder.UseSetting("Images:Folder", ImagesFolder);
        builder.UseSetting("Registry:DataFolder", DataFolder);
        builder.UseSetting("LOCALCONTROL_ADMIN_USER", "admin");
        builder.UseSetting("LOCALCONTROL_ADMIN_PASSWORD", Password);
        foreach (var (k, v) in Settings)
        {
            builder.UseSetting(k, v);
        }
        builder.ConfigureLogging(l => l.AddProvider(new CapturingLoggerProvider(Logs)));
        builder.ConfigureServices(s => s.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter, ClientAddressFilter>());
    }

    /// <summary>Header a test sets to play a client at that address (the in-memory server has no remote address).</summary>
    public const string ClientAddressHeader = "X-Test-Client-Address";

    /// <summary>
    /// Gives every request a client address, as a real connection has one: the address in <see cref="ClientAddressHeader"/>,
    /// or else a random one from 10.0.0.0/8 (so that tests that sign in often are not throttled as one client).
    /// </summary>
    private sealed class ClientAddressFilter : Microsoft.AspNetCore.Hosting.IStartupFilter
    {
        public Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> Configure(Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> next) => app =>
        {
            app.Use((HttpContext ctx, RequestDelegate nextMiddleware) =>
            {
                ctx.Connection.RemoteIpAddress = ctx.Request.Headers.TryGetValue(ClientAddressHeader, out var a)
                    ? IPAddress.Parse(a.ToString())
                    : new IPAddress([10, (byte)Random.Shared.Next(256), (byte)Random.Shared.Next(256), (byte)Random.Shared.Next(1, 255)]);
                return nextMiddleware(ctx);
            });
            next(app);
        };
    }

    /// <summary>A client signed in as <paramref name="userName"/> (admin, clinician1, coordinator1, viewer1), cookies kept, redirects not followed.</summary>
    public async Task<HttpClient> SignInAsync(string userName, string password = Password)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true, BaseAddress = ClientBase });
        var token = await AntiforgeryTokenAsync(client, "/account/login");
        var response = await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["UserName"] = userName,
            ["Password"] = password,
            ["__RequestVerificationToken"] = token,
        }));
        // On Kestrel the client follows redirects whatever the options say: landing on the case list is success too.
        var landed = response.StatusCode == HttpStatusCode.OK && response.RequestMessage?.RequestUri?.AbsolutePath == "/cases";
        if (response.StatusCode != HttpStatusCode.Redirect && !landed)
        {
            var body = await response.Content.ReadAsStringAsync();
            var errors = Regex.Match(body, "<div class=\"errors[^>]*>(.*?)</div>", RegexOptions.Singleline).Groups[1].Value;
            throw new InvalidOperationException($"Sign-in as {userName} failed: {(int)response.StatusCode} {errors}");
        }
        return client;
    }

    /// <summary>An anonymous client, redirects not followed.</summary>
    public HttpClient Anonymous() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = ClientBase });

    /// <summary>
    /// Where the clients send requests: the in-memory server's address (https, as behind the TLS proxy of a real
    /// deployment: the session cookie is Secure outside Development), or the real one on Kestrel.
    /// </summary>
    protected virtual Uri ClientBase => new("https://localhost");

    /// <summary>Reads the anti-forgery token from a form page.</summary>
    public static async Task<string> AntiforgeryTokenAsync(HttpClient client, string path)
    {
        var html = await client.GetStringAsync(path);
        var m = TokenPattern().Match(html);
        return m.Success ? WebUtility.HtmlDecode(m.Groups[1].Value) : throw new InvalidOperationException($"No anti-forgery token on {path}");
    }

    /// <summary>A scope for reaching the database directly.</summary>
    public AsyncServiceScope Scope() => Services.CreateAsyncScope();

    private static void Check(IdentityResult r)
    {
        if (!r.Succeeded)
        {
            throw new InvalidOperationException(string.Join("; ", r.Errors.Select(e => e.Description)));
        }
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}

/// <summary>The app on a fresh SQLite file.</summary>
public class SqliteApp : LocalControlApp
{
    private string? _folder;

    public override RegistryProvider Provider => RegistryProvider.Sqlite;

    protected override Task<string> CreateDatabaseAsync()
    {
        _folder = Path.Combine(Path.GetTempPath(), "lc-web-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_folder);
        return Task.FromResult($"Data Source={Path.Combine(_folder, "registry.db")}");
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (_folder is not null && Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}

/// <summary>The app on a fresh SQLite file, served by Kestrel on a free loopback port (for the browser).</summary>
public sealed class KestrelSqliteApp : SqliteApp
{
    public KestrelSqliteApp() => UseKestrel(0);

    // Plain http on loopback: the test's HttpClient sends no Secure cookie over http.
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Security:AllowInsecureCookies"] = "true" };

    /// <summary>The address the server listens on, e.g. http://127.0.0.1:41234.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    protected override Uri ClientBase => BaseAddress;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        StartServer();
        var addresses = Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses;
        BaseAddress = new Uri(addresses.First());
    }
}

/// <summary>The app on a fresh database of the shared throwaway PostgreSQL cluster.</summary>
public sealed class PostgresApp(PostgresClusterFixture cluster) : LocalControlApp
{
    public override RegistryProvider Provider => RegistryProvider.Postgres;

    protected override Task<string> CreateDatabaseAsync() => cluster.Cluster.CreateDatabaseAsync();
}

/// <summary>One cluster for the whole test assembly's PostgreSQL collection.</summary>
public sealed class PostgresClusterFixture : IAsyncLifetime
{
    public PostgresCluster Cluster { get; } = new();

    public Task InitializeAsync() => Cluster.InitializeAsync();

    public Task DisposeAsync() => Cluster.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresClusterFixture>
{
    public const string Name = "postgres";
}

internal sealed class CapturingLoggerProvider(ConcurrentQueue<(string, LogLevel, string)> sink) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, sink);

    public void Dispose()
    {
    }

    private sealed class CapturingLogger(string category, ConcurrentQueue<(string, LogLevel, string)> sink) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            // The formatted message, every structured value, and the exception text: all of it could reach a log store.
            var values = state is IEnumerable<KeyValuePair<string, object?>> kv ? string.Join(" | ", kv.Select(p => $"{p.Key}={p.Value}")) : "";
            sink.Enqueue((category, logLevel, formatter(state, exception) + " || " + values + " || " + exception));
        }
    }
}
