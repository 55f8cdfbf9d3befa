using LocalControl.Registry.Entities;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace LocalControl.Registry;

/// <summary>
/// The registry database: Identity tables, cases, decisions and the audit trail. Provider-neutral;
/// <see cref="SqliteRegistryDbContext"/> and <see cref="PostgresRegistryDbContext"/> exist only so that each
/// provider has its own migrations set (EF Core scaffolds migrations per context type).
/// </summary>
public abstract class RegistryDbContext : IdentityDbContext<RegistryUser>
{
    /// <summary>For the provider subclasses.</summary>
    protected RegistryDbContext(DbContextOptions options) : base(options)
    {
    }

    /// <summary>Cases.</summary>
    public DbSet<CaseRecord> Cases => Set<CaseRecord>();

    /// <summary>MDT decisions (append-only).</summary>
    public DbSet<DecisionRecord> Decisions => Set<DecisionRecord>();

    /// <summary>Images uploaded to cases (metadata; the files live in the image folder).</summary>
    public DbSet<CaseImage> Images => Set<CaseImage>();

    /// <summary>Audit trail (append-only).</summary>
    public DbSet<AuditEntry> Audit => Set<AuditEntry>();

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(RegistryDbContext).Assembly);
    }

    /// <inheritdoc />
    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        RefuseRewritingHistory();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    /// <inheritdoc />
    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        RefuseRewritingHistory();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    // Audit entries and decisions are history: once written they are never changed. The database triggers
    // (see the migrations) enforce the same for anyone who bypasses this context.
    private void RefuseRewritingHistory()
    {
        foreach (var entry in ChangeTracker.Entries())
        {
            if (entry.Entity is AuditEntry or DecisionRecord &&
                entry.State is EntityState.Modified or EntityState.Deleted)
            {
                throw new InvalidOperationException(
                    $"{entry.Entity.GetType().Name} is append-only: it cannot be changed or deleted.");
            }
        }
    }
}

/// <summary>The registry on SQLite (the default, single-site deployment). Migrations: Migrations/Sqlite.</summary>
public sealed class SqliteRegistryDbContext(DbContextOptions<SqliteRegistryDbContext> options) : RegistryDbContext(options);

/// <summary>The registry on PostgreSQL (shared, multi-user deployment). Migrations: Migrations/Postgres.</summary>
public sealed class PostgresRegistryDbContext(DbContextOptions<PostgresRegistryDbContext> options) : RegistryDbContext(options);
