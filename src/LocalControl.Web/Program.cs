using LocalControl.Registry;
using LocalControl.Registry.Entities;
using LocalControl.Web.Api;
using LocalControl.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;

var builder = WebApplication.CreateBuilder(args);

RegistrySettings registry;
try
{
    registry = RegistrySettings.From(builder.Configuration, builder.Environment);
}
catch (StartupException e)
{
    await Console.Error.WriteLineAsync("LocalControl cannot start: " + e.Message).ConfigureAwait(false);
    return 1;
}
builder.Services.AddSingleton(registry);
builder.Services.AddRegistry(registry.Provider, registry.ConnectionString);

builder.Services.AddIdentity<RegistryUser, IdentityRole>(o =>
    {
        o.Password.RequiredLength = 12;
        // Length over composition (NIST SP 800-63B): 12 characters, no character-class rules.
        o.Password.RequireNonAlphanumeric = false;
        o.Password.RequireDigit = false;
        o.Password.RequireUppercase = false;
        o.Password.RequireLowercase = false;
        o.Lockout.MaxFailedAccessAttempts = 5;
        o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
        o.User.RequireUniqueEmail = false;
    })
    .AddEntityFrameworkStores<RegistryDbContext>()
    .AddDefaultTokenProviders();

builder.Services.ConfigureApplicationCookie(o =>
{
    o.LoginPath = "/account/login";
    o.LogoutPath = "/account/logout";
    o.AccessDeniedPath = "/account/denied";
    o.Cookie.Name = "localcontrol.auth";
    o.Cookie.HttpOnly = true;
    // Strict: the browser never sends the session cookie with a request started by another site.
    o.Cookie.SameSite = SameSiteMode.Strict;
    o.ExpireTimeSpan = TimeSpan.FromHours(10);
    o.SlidingExpiration = true;
    o.Events.OnRedirectToLogin = ctx => ApiAwareRedirect(ctx, StatusCodes.Status401Unauthorized);
    o.Events.OnRedirectToAccessDenied = ctx => ApiAwareRedirect(ctx, StatusCodes.Status403Forbidden);
});

builder.Services.AddAuthorizationBuilder()
    // Every endpoint and page needs a signed-in user unless it says otherwise (sign-in, first-run setup).
    .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
    .AddPolicy(Policies.Read, p => p.RequireRole(Roles.Viewer, Roles.Coordinator, Roles.Clinician, Roles.Admin))
    .AddPolicy(Policies.Create, p => p.RequireRole(Roles.Coordinator, Roles.Clinician))
    .AddPolicy(Policies.Edit, p => p.RequireRole(Roles.Clinician))
    .AddPolicy(Policies.Decide, p => p.RequireRole(Roles.Clinician))
    .AddPolicy(Policies.Schedule, p => p.RequireRole(Roles.Coordinator, Roles.Clinician))
    .AddPolicy(Policies.Admin, p => p.RequireRole(Roles.Admin));

builder.Services.AddAntiforgery(o =>
{
    o.Cookie.Name = "localcontrol.csrf";
    o.Cookie.SameSite = SameSiteMode.Strict;
    o.HeaderName = "X-CSRF-TOKEN";
});

builder.Services.AddRazorPages(o =>
{
    o.Conventions.AuthorizeFolder("/Cases", Policies.Read);
    o.Conventions.AuthorizePage("/Cases/New", Policies.Create);
    o.Conventions.AuthorizePage("/Cases/Edit", Policies.Edit);
    o.Conventions.AuthorizePage("/Cases/Decide", Policies.Decide);
    o.Conventions.AuthorizeFolder("/Admin", Policies.Admin);
    o.Conventions.AuthorizePage("/Cases/Images", Policies.Read);
    o.Conventions.AllowAnonymousToPage("/Account/Login");
    o.Conventions.AllowAnonymousToPage("/Account/Setup");
    o.Conventions.AllowAnonymousToPage("/Error");
});

builder.Services.AddProblemDetails();
builder.Services.AddOpenApi();
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase);
builder.Services.AddSingleton<SetupToken>();
builder.Services.AddScoped<CaseService>();
builder.Services.AddSingleton<ViewAuditQueue>();
// Decoded volumes for the slice viewer: at most 2 GB of voxels in memory, least recently used first out.
builder.Services.AddMemoryCache(o => o.SizeLimit = 2L * 1024 * 1024 * 1024);
builder.Services.AddSingleton(sp => new LocalControl.Web.Imaging.ImageStore(registry.ImagesFolder, sp.GetRequiredService<Microsoft.Extensions.Caching.Memory.IMemoryCache>()));
builder.Services.AddHostedService<ViewAuditWriter>();
builder.Services.AddHealthChecks();

var app = builder.Build();

try
{
    await RegistryStartup.InitializeAsync(app.Services, registry, app.Lifetime.ApplicationStopping).ConfigureAwait(false);
}
catch (StartupException e)
{
    // A configuration mistake (bad provider, weak first-admin password): a message, not a stack trace.
    await Console.Error.WriteLineAsync("LocalControl cannot start: " + e.Message).ConfigureAwait(false);
    return 1;
}

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/Error");
}
else
{
    app.UseExceptionHandler();
}
app.UseStatusCodePages();
app.Use(SecurityHeaders.Add);
app.UseStaticFiles();
app.UseRouting();
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();

app.MapOpenApi().RequireAuthorization(Policies.Read);
app.MapHealthChecks("/health").AllowAnonymous();
app.MapCasesApi();
app.MapSummaryPdf();
app.MapImageSlices();
app.MapRazorPages();
app.MapGet("/", () => TypedResults.Redirect("/cases")).ExcludeFromDescription();

await app.RunAsync().ConfigureAwait(false);
return 0;

// API callers get a status code with problem details, not a redirect to the sign-in page.
static Task ApiAwareRedirect(Microsoft.AspNetCore.Authentication.RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> ctx, int status)
{
    if (ctx.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase) ||
        ctx.Request.Path.StartsWithSegments("/openapi", StringComparison.OrdinalIgnoreCase))
    {
        ctx.Response.StatusCode = status;
        return Task.CompletedTask;
    }
    ctx.Response.Redirect(ctx.RedirectUri);
    return Task.CompletedTask;
}

/// <summary>The entry point; public for WebApplicationFactory in the tests.</summary>
public partial class Program;
