using System.Net;
using System.Text.Json.Nodes;
using LocalControl.Registry;
using LocalControl.Registry.Entities;
using LocalControl.Web.Infrastructure;
using LocalControl.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LocalControl.Web.Tests;

/// <summary>First start on an empty data folder: migrate, seed the samples, and the first admin without any default password.</summary>
public sealed class FirstRunTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "lc-first-" + Guid.NewGuid().ToString("N")[..12]);

    public FirstRunTests() => Directory.CreateDirectory(Path.Combine(_folder, "samples"));

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private WebApplicationFactory<Program> App(string? adminPassword) => new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
    {
        b.UseEnvironment("Production");
        b.UseSetting("Registry:Provider", "Sqlite");
        b.UseSetting("Registry:DataFolder", Path.Combine(_folder, "data"));
        b.UseSetting("ConnectionStrings:Registry", "");
        b.UseSetting("Registry:SamplesFolder", Path.Combine(_folder, "samples"));
        b.UseSetting(RegistryStartup.AdminPasswordVariable, adminPassword ?? "");
    });

    [Fact]
    public async Task Without_an_admin_password_no_account_exists_until_the_one_time_token_is_used_once()
    {
        await using var app = App(adminPassword: null);
        var token = app.Services.GetRequiredService<SetupToken>();
        Assert.True(token.IsOpen);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<UserManager<RegistryUser>>().Users.CountAsync());
        }
        // Nobody can sign in as "admin" with any guess: there is no account.
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("https://localhost") });
        var loginToken = await LocalControlApp.AntiforgeryTokenAsync(client, "/account/login");
        var guess = await client.PostAsync("/account/login", Form(("UserName", "admin"), ("Password", "admin"), ("__RequestVerificationToken", loginToken)));
        Assert.Equal(HttpStatusCode.OK, guess.StatusCode);

        // A wrong token does nothing; the real one (issued here because the console is not captured) creates the admin.
        var issued = token.Issue();
        var setupToken = await LocalControlApp.AntiforgeryTokenAsync(client, "/account/setup");
        await client.PostAsync("/account/setup", Form(("Token", "0123456789abcdef0123456789abcdef"), ("UserName", "chief"), ("Password", "a-long-enough-password"), ("__RequestVerificationToken", setupToken)));
        Assert.True(token.IsOpen);
        var created = await client.PostAsync("/account/setup", Form(("Token", issued), ("UserName", "chief"), ("Password", "a-long-enough-password"), ("__RequestVerificationToken", setupToken)));
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        Assert.False(token.IsOpen);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<RegistryUser>>();
            var chief = await users.FindByNameAsync("chief");
            Assert.NotNull(chief);
            Assert.True(await users.IsInRoleAsync(chief, Roles.Admin));
        }
        // Spent: the same token cannot create a second admin.
        var again = await client.PostAsync("/account/setup", Form(("Token", issued), ("UserName", "intruder"), ("Password", "a-long-enough-password"), ("__RequestVerificationToken", setupToken)));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            Assert.Null(await scope.ServiceProvider.GetRequiredService<UserManager<RegistryUser>>().FindByNameAsync("intruder"));
        }
    }

    [Fact]
    public async Task The_first_start_creates_and_migrates_the_sqlite_file_and_seeds_the_valid_samples_once()
    {
        await File.WriteAllTextAsync(Path.Combine(_folder, "samples", "a.json"), TestCases.Json(TestCases.Liver("SAMPLE-A")));
        var invalid = TestCases.Liver("SAMPLE-BAD");
        invalid["lesions"] = new JsonArray();
        await File.WriteAllTextAsync(Path.Combine(_folder, "samples", "b.json"), TestCases.Json(invalid));
        await using (var app = App("first-admin-password"))
        {
            await using var scope = app.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<RegistryDbContext>();
            Assert.True(File.Exists(Path.Combine(_folder, "data", "localcontrol.db")));
            Assert.Empty(await db.Database.GetPendingMigrationsAsync());
            Assert.Equal(["SAMPLE-A"], await db.Cases.Select(c => c.CaseId).ToListAsync());
            Assert.Contains(await db.Audit.Select(a => a.Action).ToListAsync(), a => a == AuditActions.Seed);
        }
        // A second start finds cases and seeds nothing again.
        await using (var app = App("first-admin-password"))
        {
            await using var scope = app.Services.CreateAsyncScope();
            Assert.Equal(1, await scope.ServiceProvider.GetRequiredService<RegistryDbContext>().Cases.CountAsync());
        }
    }

    [Fact]
    public async Task Views_queued_for_the_audit_trail_are_written_when_the_app_stops()
    {
        await File.WriteAllTextAsync(Path.Combine(_folder, "samples", "a.json"), TestCases.Json(TestCases.Liver("SAMPLE-V")));
        await using (var app = App("first-admin-password"))
        {
            var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("https://localhost") });
            var token = await LocalControlApp.AntiforgeryTokenAsync(client, "/account/login");
            var signIn = await client.PostAsync("/account/login", Form(("UserName", "admin"), ("Password", "first-admin-password"), ("__RequestVerificationToken", token)));
            Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
            for (var i = 0; i < 20; i++)
            {
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/cases/SAMPLE-V")).StatusCode);
            }
        }
        await using var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_folder, "data", "localcontrol.db")}");
        await db.OpenAsync();
        await using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM audit WHERE Action = 'view' AND EntityKey = 'SAMPLE-V' AND UserName = 'admin'";
        Assert.Equal(20L, (long)(await cmd.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task The_first_admin_is_shown_the_first_steps_until_a_clinician_account_exists_and_may_also_be_a_clinician()
    {
        await using var app = App("first-admin-password");
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("https://localhost") });
        var token = await LocalControlApp.AntiforgeryTokenAsync(client, "/account/login");
        var signIn = await client.PostAsync("/account/login", Form(("UserName", "admin"), ("Password", "first-admin-password"), ("__RequestVerificationToken", token)));
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        // The page a sign-in lands on, the home page and the users page explain the first steps, open.
        var landing = signIn.Headers.Location!.OriginalString;
        foreach (var path in new[] { landing, "/", "/admin/users" })
        {
            var html = await client.GetStringAsync(path);
            Assert.Contains("<details class=\"first-steps\" open=\"open\" data-first-steps>", html, StringComparison.Ordinal);
            Assert.Contains("Create an account for each clinician", html, StringComparison.Ordinal);
            Assert.Contains("An admin may also hold the clinician role", html, StringComparison.Ordinal);
        }

        // The admin makes their own account a clinician too (both roles ticked): it keeps the users page and gains the
        // clinician's rights. A viewer account does not end the first steps; the clinician role does.
        var users = await client.GetStringAsync("/admin/users");
        var formToken = System.Net.WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(users, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value);
        var viewer = await client.PostAsync("/admin/users", Form(("NewUserName", "reader"), ("NewDisplayName", "A reader"), ("NewRoles", "viewer"),
            ("NewPassword", "a-long-enough-password"), ("__RequestVerificationToken", formToken)));
        Assert.Contains("User reader added as viewer.", await viewer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("data-first-steps", await client.GetStringAsync(landing), StringComparison.Ordinal);
        var both = await client.PostAsync("/admin/users?handler=Roles", Form(("Target", "admin"), ("RoleSet", "admin"), ("RoleSet", "clinician"), ("__RequestVerificationToken", formToken)));
        Assert.Contains("admin now holds admin, clinician.", await both.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var manager = scope.ServiceProvider.GetRequiredService<UserManager<RegistryUser>>();
            var admin = (await manager.FindByNameAsync("admin"))!;
            Assert.Equal([Roles.Admin, Roles.Clinician], (await manager.GetRolesAsync(admin)).Order(StringComparer.Ordinal));
        }
        // The role change ended the session (as every change does); signed in again, no first steps on the landing
        // page, and on the users page they stay, closed.
        Assert.NotEqual(HttpStatusCode.OK, (await client.GetAsync("/admin/users")).StatusCode);
        token = await LocalControlApp.AntiforgeryTokenAsync(client, "/account/login");
        Assert.Equal(HttpStatusCode.Redirect, (await client.PostAsync("/account/login", Form(("UserName", "admin"), ("Password", "first-admin-password"), ("__RequestVerificationToken", token)))).StatusCode);
        Assert.DoesNotContain("data-first-steps", await client.GetStringAsync(landing), StringComparison.Ordinal);
        Assert.DoesNotContain("data-first-steps", await client.GetStringAsync("/"), StringComparison.Ordinal);
        Assert.Contains("<details class=\"first-steps\" data-first-steps>", await client.GetStringAsync("/admin/users"), StringComparison.Ordinal);
        // With the clinician role the admin may create a case (the admin role alone may not).
        var created = await client.PostAsync("/api/cases", new StringContent(TestCases.Json(TestCases.Liver("FIRST-STEPS-1")), System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    private static FormUrlEncodedContent Form(params (string Key, string Value)[] fields) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.Key, f.Value)));
}
