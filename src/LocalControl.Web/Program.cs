using LocalControl.Registry;
using LocalControl.Registry.Entities;
using LocalControl.Web.Api;
using LocalControl.Web.Infrastructure;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.HttpOverrides;
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
        // No account lockout: failed attempts are throttled per client address instead (see the rate limiter below),
        // so nobody can lock an account, the admin's included, by failing on purpose.
        o.Lockout.AllowedForNewUsers = false;
        o.User.RequireUniqueEmail = false;
    })
    .AddEntityFrameworkStores<RegistryDbContext>()
    .AddDefaultTokenProviders();

// Outside Development the cookies are Secure and HSTS is sent: run behind a TLS reverse proxy (docs/web.md).
// Security:AllowInsecureCookies=true is only for a trial on a loopback address without TLS.
var secureCookies = !builder.Environment.IsDevelopment() && !builder.Configuration.GetValue("Security:AllowInsecureCookies", false);
builder.Services.ConfigureApplicationCookie(o =>
{
    o.Cookie.SecurePolicy = secureCookies ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
    // The session is checked against the account on every request: sign-out, a password change, a role change or
    // disabling the account ends every copy of the cookie.
    o.Events.OnValidatePrincipal = SessionValidator.ValidateAsync;
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
    .AddPolicy(Policies.Cohort, p => p.RequireRole(Roles.Viewer, Roles.Coordinator, Roles.Clinician))
    .AddPolicy(Policies.Identity, p => p.RequireRole(Roles.Coordinator, Roles.Clinician))
    .AddPolicy(Policies.Admin, p => p.RequireRole(Roles.Admin));

builder.Services.AddAntiforgery(o =>
{
    o.Cookie.Name = "localcontrol.csrf";
    o.Cookie.SameSite = SameSiteMode.Strict;
    o.HeaderName = "X-CSRF-TOKEN";
    o.Cookie.SecurePolicy = secureCookies ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
});

// Behind a reverse proxy: the client's address and scheme come from X-Forwarded-For/-Proto, trusted only from the
// proxies named in ReverseProxy:KnownProxies (comma-separated addresses; loopback is always trusted).
builder.Services.Configure<ForwardedHeadersOptions>(o =>
{
    o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
    foreach (var proxy in (builder.Configuration["ReverseProxy:KnownProxies"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
    {
        o.KnownProxies.Add(IPAddress.Parse(proxy));
    }
});
builder.Services.AddHsts(o => o.MaxAge = TimeSpan.FromDays(365));

// Sign-in and first-run setup: at most Security:SignInAttemptsPerMinute posts per client address per minute
// (IPv6: per /64). This bounds password guessing and the audit rows anonymous callers can add, without locking accounts.
var signInPerMinute = builder.Configuration.GetValue("Security:SignInAttemptsPerMinute", 10);
builder.Services.AddRateLimiter(o =>
{
    o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
    o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(ctx => ClientAddress.IsSignInAttempt(ctx)
        ? RateLimitPartition.GetFixedWindowLimiter(ClientAddress.Partition(ctx), _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = Math.Max(1, signInPerMinute), Window = TimeSpan.FromMinutes(1), QueueLimit = 0, AutoReplenishment = true,
        })
        : RateLimitPartition.GetNoLimiter(""));
    o.OnRejected = async (ctx, ct) =>
    {
        ctx.HttpContext.Response.Headers.RetryAfter = "60";
        ctx.HttpContext.Response.ContentType = "text/plain; charset=utf-8";
        await ctx.HttpContext.Response.WriteAsync("Too many sign-in attempts from this address. Wait a minute and try again.", ct).ConfigureAwait(false);
    };
});
// A query or body value of the wrong type is the caller's mistake: 400 with problem details, never an exception
// (Development would otherwise throw, answer 500 and log the raw value).
builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = false);

builder.Services.AddRazorPages(o =>
{
    o.Conventions.AuthorizeFolder("/Cases", Policies.Read);
    o.Conventions.AuthorizePage("/Cases/New", Policies.Create);
    o.Conventions.AuthorizePage("/Cases/Edit", Policies.Edit);
    o.Conventions.AuthorizePage("/Cases/Decide", Policies.Decide);
    o.Conventions.AuthorizeFolder("/Admin", Policies.Admin);
    o.Conventions.AuthorizeFolder("/Cohort", Policies.Cohort);
    o.Conventions.AuthorizeFolder("/Meetings", Policies.Read);
    o.Conventions.AuthorizePage("/Index", Policies.Read);
    o.Conventions.AuthorizePage("/Cases/Images", Policies.Read);
    o.Conventions.AllowAnonymousToPage("/Account/Login");
    o.Conventions.AllowAnonymousToPage("/Account/Setup");
    o.Conventions.AllowAnonymousToPage("/Error");
});

builder.Services.AddProblemDetails();
builder.Services.AddOpenApi();
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase);
builder.Services.AddSingleton<SetupToken>();
builder.Services.AddSingleton<AccountSecurity>();
// Patient identities: encrypted with a data-protection key ring of their own, kept in Identity:KeyFolder (never in the database).
builder.Services.AddSingleton(_ => new PatientIdentityProtector(registry.IdentityKeyFolder));
builder.Services.AddSingleton<AdminFirstSteps>();
builder.Services.AddSingleton<SliceViewAudit>();
builder.Services.AddScoped<CaseService>();
builder.Services.AddScoped<IdentityReader>();
builder.Services.AddScoped<WorklistService>();
builder.Services.AddSingleton<CohortService>();
builder.Services.AddSingleton<ViewAuditQueue>();
// Uploads are decoded once, at upload, into a voxel file beside them; a slice is read from it, nothing is cached in memory.
builder.Services.AddSingleton(sp => new LocalControl.Web.Imaging.ImageStore(registry.ImagesFolder, builder.Configuration.GetValue<long?>("Images:MaxVoxels")));
builder.Services.AddHostedService<ViewAuditWriter>();
builder.Services.AddHealthChecks();

var app = builder.Build();

try
{
    await RegistryStartup.InitializeAsync(app.Services, registry, app.Lifetime.ApplicationStopping).ConfigureAwait(false);
    // The cohort page's parse of every case file, in the background (the first visitor should not wait for it).
    _ = app.Services.GetRequiredService<CohortService>().WarmAsync(app.Services,
        app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("LocalControl.Web.Cohort"), app.Lifetime.ApplicationStopping);
    // The patient identities decrypted into memory, in the background (the case list shows one per row).
    _ = app.Services.GetRequiredService<PatientIdentityProtector>().WarmAsync(app.Services,
        app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("LocalControl.Web.Identity"), app.Lifetime.ApplicationStopping);
}
catch (StartupException e)
{
    // A configuration mistake (bad provider, weak first-admin password): a message, not a stack trace.
    await Console.Error.WriteLineAsync("LocalControl cannot start: " + e.Message).ConfigureAwait(false);
    return 1;
}

app.UseForwardedHeaders();
if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/Error");
    app.UseHsts();
}
else
{
    app.UseExceptionHandler();
}
app.UseStatusCodePages();
app.Use(SecurityHeaders.Add);
app.UseStaticFiles();
app.UseRouting();
app.UseRateLimiter();
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();

app.MapOpenApi().RequireAuthorization(Policies.Read);
app.MapHealthChecks("/health").AllowAnonymous();
app.MapCasesApi();
app.MapIdentityApi();
app.MapSummaryPdf();
app.MapImageSlices();
app.MapCohortPlots();
app.MapRazorPages();

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
