using LocalControl.Registry;
using LocalControl.Registry.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace LocalControl.Web.Infrastructure;

/// <summary>
/// First-start work: migrate the database, create the roles, create the first admin (from the environment, or
/// print a one-time setup token), and seed the sample cases into an empty registry.
/// </summary>
internal static class RegistryStartup
{
    /// <summary>Environment variable holding the first admin's user name (default "admin").</summary>
    public const string AdminUserVariable = "LOCALCONTROL_ADMIN_USER";

    /// <summary>Environment variable holding the first admin's password. Never a default.</summary>
    public const string AdminPasswordVariable = "LOCALCONTROL_ADMIN_PASSWORD";

    public static async Task InitializeAsync(IServiceProvider services, RegistrySettings settings, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger("LocalControl.Web.Startup");
        var db = sp.GetRequiredService<RegistryDbContext>();
        await db.MigrateRegistryAsync(ct).ConfigureAwait(false);
        // Cases saved before the treatments/follow_up_lesions tables existed: fill their rows once (idempotent).
        var (filled, unreadable) = await sp.GetRequiredService<CaseRegistry>().BackfillCaseRowsAsync(ct).ConfigureAwait(false);
        if (filled + unreadable > 0)
        {
            logger.CaseRowsBackfilled(filled, unreadable);
        }

        await CheckIdentityKeyRingAsync(sp, settings, ct).ConfigureAwait(false);

        var roles = sp.GetRequiredService<RoleManager<IdentityRole>>();
        foreach (var role in Roles.All)
        {
            if (!await roles.RoleExistsAsync(role).ConfigureAwait(false))
            {
                Check(await roles.CreateAsync(new IdentityRole(role)).ConfigureAwait(false), "create role");
            }
        }

        await EnsureFirstAdminAsync(sp, logger).ConfigureAwait(false);

        if (settings.SeedSamples && !await db.Cases.AnyAsync(ct).ConfigureAwait(false))
        {
            await SeedSamplesAsync(sp, settings, logger, ct).ConfigureAwait(false);
        }
        logger.RegistryReady(settings.Provider.ToString(), await db.Cases.CountAsync(ct).ConfigureAwait(false));
    }

    /// <summary>
    /// The patient-identity key ring must be the one the stored identities were encrypted with: a registry that holds
    /// identities and a key folder without a ring (lost, or pointed elsewhere), a ring that cannot read its own search
    /// key, or one that cannot decrypt a stored identity stops the start with a message (never a fresh ring silently
    /// made beside data it cannot read).
    /// </summary>
    internal static async Task CheckIdentityKeyRingAsync(IServiceProvider sp, RegistrySettings settings, CancellationToken ct)
    {
        var stored = await sp.GetRequiredService<CaseRegistry>().AnyIdentityAsync(ct).ConfigureAwait(false);
        if (stored is not null && !PatientIdentityProtector.HasRing(settings.IdentityKeyFolder))
        {
            throw new StartupException(
                $"The registry holds patient identities but the key folder {Path.GetFullPath(settings.IdentityKeyFolder)} has no patient-identity key ring "
                + $"({PatientIdentityProtector.SearchKeyFile} missing). Restore the folder from its backup or set Identity:KeyFolder to where it is; "
                + "without it no stored identity can be read.");
        }
        try
        {
            var protector = sp.GetRequiredService<PatientIdentityProtector>();
            if (stored is not null)
            {
                _ = protector.Unprotect(stored);
            }
        }
        catch (IdentityKeyRingException e)
        {
            throw new StartupException(e.Message);
        }
    }

    private static async Task EnsureFirstAdminAsync(IServiceProvider sp, ILogger logger)
    {
        var users = sp.GetRequiredService<UserManager<RegistryUser>>();
        if ((await users.GetUsersInRoleAsync(Roles.Admin).ConfigureAwait(false)).Count > 0)
        {
            return;
        }
        var config = sp.GetRequiredService<IConfiguration>();
        var password = config[AdminPasswordVariable];
        if (!string.IsNullOrEmpty(password))
        {
            var name = config[AdminUserVariable];
            var user = new RegistryUser { UserName = string.IsNullOrWhiteSpace(name) ? "admin" : name.Trim(), DisplayName = "Administrator" };
            Check(await users.CreateAsync(user, password).ConfigureAwait(false), $"create the first admin from {AdminPasswordVariable}");
            Check(await users.AddToRoleAsync(user, Roles.Admin).ConfigureAwait(false), "add the admin role");
            await sp.GetRequiredService<CaseRegistry>().AuditAsync("system", AuditActions.Create, "user", user.UserName, "first admin from the environment").ConfigureAwait(false);
            logger.FirstAdminFromEnvironment();
            return;
        }
        // No admin and none configured: a one-time token, shown once to whoever started the server.
        var token = sp.GetRequiredService<SetupToken>().Issue();
        await Console.Error.WriteLineAsync(
            $"""

            ==== LocalControl first run ====
            No admin account exists. Open /account/setup on this server and enter this one-time token
            to create it (or restart with {AdminPasswordVariable} set):

                {token}

            """).ConfigureAwait(false);
        logger.SetupTokenIssued();
    }

    private static async Task SeedSamplesAsync(IServiceProvider sp, RegistrySettings settings, ILogger logger, CancellationToken ct)
    {
        if (settings.SamplesFolder is null || !Directory.Exists(settings.SamplesFolder))
        {
            logger.NoSamples();
            return;
        }
        var cases = sp.GetRequiredService<CaseService>();
        var registry = sp.GetRequiredService<CaseRegistry>();
        var seeded = 0;
        foreach (var file in Directory.EnumerateFiles(settings.SamplesFolder, "*.json").Order(StringComparer.Ordinal))
        {
            var check = cases.Check(await File.ReadAllTextAsync(file, ct).ConfigureAwait(false));
            if (check.Content is null)
            {
                logger.SampleInvalid(Path.GetFileName(file), check.Result.Errors.Count);
                continue;
            }
            if (await registry.CreateAsync(check.Content, "system", ct).ConfigureAwait(false) == WriteOutcome.Done)
            {
                seeded++;
            }
        }
        await registry.AuditAsync("system", AuditActions.Seed, "case", "samples", $"{seeded} sample cases", ct).ConfigureAwait(false);
        logger.SamplesSeeded(seeded);
    }

    private static void Check(IdentityResult result, string what)
    {
        if (!result.Succeeded)
        {
            throw new StartupException($"Could not {what}: {string.Join("; ", result.Errors.Select(e => e.Description))}");
        }
    }
}
