using System.Globalization;
using System.Linq.Expressions;
using System.Security.Cryptography;
using System.Text;
using LocalControl.Registry.Entities;
using Microsoft.EntityFrameworkCore;

namespace LocalControl.Registry;

/// <summary>What <see cref="AuditChain.VerifyAsync"/> found in one table.</summary>
/// <param name="Table">audit or decisions.</param>
/// <param name="Rows">Rows read.</param>
/// <param name="UnchainedRows">Rows written before the chain existed (folded into the first link's previous hash, so they are covered too).</param>
/// <param name="HeadSeq">Position of the last row of the chain (0 when empty).</param>
/// <param name="HeadHash">Its hash: record it somewhere else to detect a later truncation of the table's tail.</param>
/// <param name="Problems">One line per broken link: which row and what is wrong. Empty when the chain holds.</param>
public sealed record ChainReport(string Table, long Rows, long UnchainedRows, long HeadSeq, string HeadHash, IReadOnlyList<string> Problems);

/// <summary>
/// Makes the audit trail and the decisions tamper-evident: every row carries the SHA-256 of the previous row of its
/// table (<c>PrevHash</c>) and of itself (<c>RowHash</c> = SHA-256 of PrevHash and the row's fields, each written as
/// length:value). Editing, back-dating or deleting a row, or inserting one in the middle, breaks the chain from that row
/// on; <see cref="VerifyAsync"/> (CLI: <c>localcontrol db verify-audit</c>) recomputes it. Rows written before the
/// chain existed are folded, oldest first, into the first link's previous hash. A chain cannot detect the removal of
/// its newest rows by itself: keep the head hash the verifier prints (e.g. in the meeting minutes) and compare.
/// </summary>
public static class AuditChain
{
    /// <summary>The previous hash of the very first row.</summary>
    public static readonly string Genesis = new('0', 64);

    /// <summary>The PostgreSQL advisory lock that serialises writers which extend a chain or replace a case's rows ("LCAUDIT").</summary>
    public const long PostgresChainLock = 0x4C43_4155_4449_54;

    /// <summary>The hash of an audit row given the previous row's hash.</summary>
    public static string Hash(string previous, AuditEntry row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var b = new Builder(previous);
        b.Add(row.ChainSeq ?? 0).Add(row.AtUtc).Add(row.UserName).Add(row.Action).Add(row.EntityType).Add(row.EntityKey).Add(row.Detail);
        return b.Finish();
    }

    /// <summary>The hash of a decision given the previous decision's hash.</summary>
    public static string Hash(string previous, DecisionRecord row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var b = new Builder(previous);
        b.Add(row.ChainSeq ?? 0).Add(row.CaseRecordId).Add(row.MeetingDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))
            .Add(row.Intent).Add(row.ChoicesJson).Add(row.Rationale).Add(row.Attendees).Add(row.RuleSetVersion)
            .Add(row.AssessmentJson).Add(row.CaseFileJson).Add(row.CaseVersion).Add(row.RecordedBy).Add(row.RecordedUtc);
        return b.Finish();
    }

    /// <summary>Timestamps as both databases store them: microseconds.</summary>
    public static DateTime ToStoredPrecision(DateTime t) => new(t.Ticks - (t.Ticks % 10), DateTimeKind.Utc);

    /// <summary>
    /// Takes the writers' lock now, at the start of a transaction that will read before it writes (an edit that
    /// replaces a case's rows, the start-up backfill): SQLite already holds it (BEGIN IMMEDIATE); on PostgreSQL it
    /// is the chain's advisory transaction lock, taken again (re-entrant) when the audit line is sealed. Without it two
    /// PostgreSQL writers could both read "no rows yet" and both insert them.
    /// </summary>
    internal static async Task LockWritersAsync(RegistryDbContext db, CancellationToken ct)
    {
        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock({PostgresChainLock})", ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Gives the added audit rows and decisions of <paramref name="db"/> their chain positions and hashes. Must run
    /// inside the transaction that inserts them: it takes the chain lock (SQLite: the write lock of BEGIN IMMEDIATE,
    /// already held; PostgreSQL: an advisory transaction lock), and the unique index on the position refuses a fork.
    /// </summary>
    internal static async Task SealAsync(RegistryDbContext db, IReadOnlyList<AuditEntry> audit, IReadOnlyList<DecisionRecord> decisions, CancellationToken ct)
    {
        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock({PostgresChainLock})", ct).ConfigureAwait(false);
        }
        if (audit.Count > 0)
        {
            var (seq, hash) = await HeadAsync(db.Audit.AsNoTracking(), a => a.ChainSeq, a => a.RowHash, Hash, ct).ConfigureAwait(false);
            foreach (var row in audit)
            {
                row.AtUtc = ToStoredPrecision(row.AtUtc);
                row.ChainSeq = ++seq;
                row.PrevHash = hash;
                row.RowHash = hash = Hash(hash, row);
            }
        }
        if (decisions.Count > 0)
        {
            var (seq, hash) = await HeadAsync(db.Decisions.AsNoTracking(), d => d.ChainSeq, d => d.RowHash, Hash, ct).ConfigureAwait(false);
            foreach (var row in decisions)
            {
                row.RecordedUtc = ToStoredPrecision(row.RecordedUtc);
                row.ChainSeq = ++seq;
                row.PrevHash = hash;
                row.RowHash = hash = Hash(hash, row);
            }
        }
    }

    /// <summary>Recomputes both chains from the database; a report per table.</summary>
    public static async Task<IReadOnlyList<ChainReport>> VerifyAsync(RegistryDbContext db, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        return
        [
            await VerifyTableAsync("audit", db.Audit.AsNoTracking(), a => a.Id, a => a.ChainSeq, a => a.PrevHash, a => a.RowHash, Hash, ct).ConfigureAwait(false),
            await VerifyTableAsync("decisions", db.Decisions.AsNoTracking(), d => d.Id, d => d.ChainSeq, d => d.PrevHash, d => d.RowHash, Hash, ct).ConfigureAwait(false),
        ];
    }

    private static async Task<(long Seq, string Hash)> HeadAsync<T>(IQueryable<T> rows, Expression<Func<T, long?>> seqOf,
        Func<T, string?> hashOf, Func<string, T, string> hash, CancellationToken ct) where T : class
    {
        var seq = seqOf.Compile();
        var head = await rows.Where(NotNull(seqOf)).OrderByDescending(seqOf).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        if (head is not null)
        {
            return (seq(head)!.Value, hashOf(head) ?? Genesis);
        }
        // The first link: fold every row written before the chain existed, oldest first.
        var running = Genesis;
        await foreach (var row in rows.Where(IsNull(seqOf)).OrderBy(IdOf<T>()).AsAsyncEnumerable().WithCancellation(ct).ConfigureAwait(false))
        {
            running = hash(running, row);
        }
        return (0, running);
    }

    private static async Task<ChainReport> VerifyTableAsync<T>(string table, IQueryable<T> rows, Func<T, long> idOf,
        Expression<Func<T, long?>> seqOf, Func<T, string?> prevOf, Func<T, string?> hashOf,
        Func<string, T, string> hash, CancellationToken ct) where T : class
    {
        var seq = seqOf.Compile();
        var problems = new List<string>();
        var running = Genesis;
        long total = 0, unchained = 0;
        await foreach (var row in rows.Where(IsNull(seqOf)).OrderBy(IdOf<T>()).AsAsyncEnumerable().WithCancellation(ct).ConfigureAwait(false))
        {
            running = hash(running, row);
            unchained++;
        }
        total = unchained;
        long expected = 0;
        await foreach (var row in rows.Where(NotNull(seqOf)).OrderBy(seqOf).AsAsyncEnumerable().WithCancellation(ct).ConfigureAwait(false))
        {
            total++;
            var s = seq(row)!.Value;
            expected++;
            var where = $"{table} row id {idOf(row)} (chain position {s})";
            if (s != expected)
            {
                problems.Add($"{where}: expected chain position {expected}; {(s > expected ? $"{s - expected} row(s) before it are missing" : "out of order")}.");
                expected = s;
            }
            if (!string.Equals(prevOf(row), running, StringComparison.Ordinal))
            {
                problems.Add($"{where}: its previous hash does not match the row before it (a row before it was edited, removed or inserted).");
            }
            var own = hash(prevOf(row) ?? Genesis, row);
            if (!string.Equals(hashOf(row), own, StringComparison.Ordinal))
            {
                problems.Add($"{where}: its fields do not match its hash (the row was edited or back-dated).");
            }
            running = hashOf(row) ?? own;
            if (problems.Count >= 100)
            {
                problems.Add("(stopped after 100 problems)");
                break;
            }
        }
        return new ChainReport(table, total, unchained, expected, running, problems);
    }

    private static Expression<Func<T, bool>> NotNull<T>(Expression<Func<T, long?>> seqOf) =>
        Expression.Lambda<Func<T, bool>>(
            Expression.NotEqual(seqOf.Body, Expression.Constant(null, typeof(long?))), seqOf.Parameters);

    private static Expression<Func<T, bool>> IsNull<T>(Expression<Func<T, long?>> seqOf) =>
        Expression.Lambda<Func<T, bool>>(
            Expression.Equal(seqOf.Body, Expression.Constant(null, typeof(long?))), seqOf.Parameters);

    private static Expression<Func<T, long>> IdOf<T>()
    {
        var p = Expression.Parameter(typeof(T), "r");
        return Expression.Lambda<Func<T, long>>(Expression.Property(p, "Id"), p);
    }

    // length:value fields, so that no two different rows serialise to the same bytes.
    private sealed class Builder
    {
        private readonly StringBuilder _text = new();

        public Builder(string previous) => Add(previous);

        public Builder Add(string value)
        {
            _text.Append(value.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(value).Append('\n');
            return this;
        }

        public Builder Add(long value) => Add(value.ToString(CultureInfo.InvariantCulture));

        public Builder Add(DateTime value) => Add(ToStoredPrecision(value).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));

        public string Finish() => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(_text.ToString())));
    }
}
