using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LocalControl.Registry;

/// <summary>The database the registry uses.</summary>
public enum RegistryProvider
{
    /// <summary>A SQLite file (default).</summary>
    Sqlite,
    /// <summary>PostgreSQL by connection string.</summary>
    Postgres,
}

/// <summary>Registers the registry's DbContext for the chosen provider.</summary>
public static class RegistryServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="RegistryDbContext"/> (as the provider's subclass, so that its migrations set applies)
    /// and <see cref="CaseRegistry"/>.
    /// </summary>
    public static IServiceCollection AddRegistry(this IServiceCollection services, RegistryProvider provider, string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        switch (provider)
        {
            case RegistryProvider.Sqlite:
                services.AddDbContextPool<SqliteRegistryDbContext>(o => o.UseSqlite(connectionString));
                services.AddScoped<RegistryDbContext>(sp => sp.GetRequiredService<SqliteRegistryDbContext>());
                break;
            case RegistryProvider.Postgres:
                services.AddDbContextPool<PostgresRegistryDbContext>(o => o.UseNpgsql(connectionString));
                services.AddScoped<RegistryDbContext>(sp => sp.GetRequiredService<PostgresRegistryDbContext>());
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(provider));
        }
        services.AddScoped(sp => new CaseRegistry(sp.GetRequiredService<RegistryDbContext>(), sp.GetRequiredService<TimeProvider>(), sp.GetService<ViewAuditQueue>()));
        services.AddSingleton(TimeProvider.System);
        return services;
    }

    /// <summary>
    /// Applies pending migrations. For SQLite it creates the file 0600 (folder 0700) and switches the file to write-ahead logging (readers never block
    /// the writer; a committed transaction survives a killed process). synchronous stays at the library default, FULL.
    /// </summary>
    public static async Task MigrateRegistryAsync(this RegistryDbContext db, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (db.Database.IsSqlite())
        {
            var builder = new SqliteConnectionStringBuilder(db.Database.GetConnectionString());
            // The registry holds password hashes and patient data: the file (and so its -wal and -shm) is 0600.
            PrivateFiles.PrepareSqliteFile(builder.DataSource);
            await db.Database.OpenConnectionAsync(ct).ConfigureAwait(false);
            try
            {
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct).ConfigureAwait(false);
            }
            finally
            {
                await db.Database.CloseConnectionAsync().ConfigureAwait(false);
            }
        }
        await db.Database.MigrateAsync(ct).ConfigureAwait(false);
    }
}
