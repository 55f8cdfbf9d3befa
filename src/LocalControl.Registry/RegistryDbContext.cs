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

    /// <summary>Attendees' sign-offs of decisions (append-only).</summary>
    public DbSet<DecisionSignOff> DecisionSignOffs => Set<DecisionSignOff>();

    /// <summary>Images uploaded to cases (metadata; the files live in the image folder).</summary>
    public DbSet<CaseImage> Images => Set<CaseImage>();

    /// <summary>Every version of every case file (append-only).</summary>
    public DbSet<CaseFileVersion> CaseVersions => Set<CaseFileVersion>();

    /// <summary>Treatments per lesion, copied from the case files (rewritten on every save of a case).</summary>
    public DbSet<TreatmentRecord> Treatments => Set<TreatmentRecord>();

    /// <summary>Follow-up lesion observations, copied from the case files (rewritten on every save of a case).</summary>
    public DbSet<FollowUpFindingRecord> FollowUpFindings => Set<FollowUpFindingRecord>();

    /// <summary>Patient identities (MRN, name, date of birth, sex), encrypted by the caller; one per case at most.</summary>
    public DbSet<PatientIdentityRecord> PatientIdentities => Set<PatientIdentityRecord>();

    /// <summary>Tumour-board meetings.</summary>
    public DbSet<MeetingRecord> Meetings => Set<MeetingRecord>();

    /// <summary>The cases on each meeting's worklist, in order.</summary>
    public DbSet<MeetingCaseRecord> MeetingCases => Set<MeetingCaseRecord>();

    /// <summary>Audit trail (append-only).</summary>
    public DbSet<AuditEntry> Audit => Set<AuditEntry>();

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(RegistryDbContext).Assembly);
    }

    /// <inheritdoc />
    public override int SaveChanges(bool acceptAllChangesOnSuccess) =>
        // One code path for sealing the chains; the registry itself only saves asynchronously.
        SaveChangesAsync(acceptAllChangesOnSuccess).GetAwaiter().GetResult();

    /// <inheritdoc />
    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        RefuseRewritingHistory();
        var audit = Added<AuditEntry>();
        var decisions = Added<DecisionRecord>();
        if (audit.Count == 0 && decisions.Count == 0)
        {
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken).ConfigureAwait(false);
        }
        // New history rows extend the hash chains: read the head, link and insert in one transaction.
        if (Database.CurrentTransaction is not null)
        {
            await AuditChain.SealAsync(this, audit, decisions, cancellationToken).ConfigureAwait(false);
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken).ConfigureAwait(false);
        }
        await using var tx = await Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await AuditChain.SealAsync(this, audit, decisions, cancellationToken).ConfigureAwait(false);
        var written = await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return written;
    }

    private List<T> Added<T>() where T : class =>
        ChangeTracker.Entries<T>().Where(e => e.State == EntityState.Added && e.Property("ChainSeq").CurrentValue is null).Select(e => e.Entity).ToList();

    // Audit entries, decisions and their sign-offs are history: once written they are never changed. The database triggers
    // (see the migrations) enforce the same for anyone who bypasses this context.
    private void RefuseRewritingHistory()
    {
        foreach (var entry in ChangeTracker.Entries())
        {
            if (entry.Entity is AuditEntry or DecisionRecord or DecisionSignOff or CaseFileVersion &&
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
