using System.Security.Cryptography;
using System.Text;
using LocalControl.Registry.Entities;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace LocalControl.Registry.Tests;

/// <summary>
/// The audit and decision hash chains, the kept case-file versions and the audit filter, on a real SQLite file.
/// Tampering is done the way an intruder with the database file would: drop the append-only trigger, change the row by SQL.
/// </summary>
public sealed class AuditChainTests : IAsyncLifetime
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), "lc-chain-" + Guid.NewGuid().ToString("N")[..12] + ".db");
    private SqliteRegistryDbContext _db = null!;
    private CaseRegistry _registry = null!;
    private readonly Clock _clock = new(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));

    public async Task InitializeAsync()
    {
        _db = new SqliteRegistryDbContext(new DbContextOptionsBuilder<SqliteRegistryDbContext>().UseSqlite($"Data Source={_file}").Options);
        await _db.MigrateRegistryAsync();
        _registry = new CaseRegistry(_db, _clock);
    }

    public async Task DisposeAsync()
    {
        await _db.DisposeAsync();
        SqliteConnection.ClearAllPools();
        foreach (var f in new[] { _file, _file + "-wal", _file + "-shm" })
        {
            File.Delete(f);
        }
    }

    private static CaseFileContent Content(string caseId, string json = "{}") => new(caseId, json, 1, "liver");

    private async Task WriteHistoryAsync()
    {
        await _registry.CreateAsync(Content("A", "{\"v\":1}"), "dr.a");
        _clock.Advance(TimeSpan.FromMinutes(5));
        await _registry.UpdateAsync("A", 1, Content("A", "{\"v\":2}"), "dr.b");
        _clock.Advance(TimeSpan.FromMinutes(5));
        var decision = new NewDecision(new DateOnly(2026, 12, 3), "curative", "[]", "why", "who", "rules-1", "{}", "{\"v\":2}", 2);
        await _registry.RecordDecisionAsync("A", decision, "dr.a");
        _clock.Advance(TimeSpan.FromMinutes(5));
        await _registry.AuditAsync("dr.c", AuditActions.View, "case", "A", "summary");
        await _registry.CreateAsync(Content("B"), "dr.c");
    }

    private async Task TamperAsync(string sql)
    {
        await _db.Database.ExecuteSqlRawAsync("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete; DROP TRIGGER decisions_no_update;");
        await _db.Database.ExecuteSqlRawAsync(sql);
    }

    private async Task<IReadOnlyList<string>> ProblemsAsync() =>
        (await AuditChain.VerifyAsync(_db)).SelectMany(r => r.Problems).ToList();

    [Fact]
    public async Task An_untouched_history_verifies_and_every_row_is_linked_to_the_one_before()
    {
        await WriteHistoryAsync();
        var reports = await AuditChain.VerifyAsync(_db);
        Assert.All(reports, r => Assert.Empty(r.Problems));
        var audit = reports.Single(r => r.Table == "audit");
        Assert.Equal(await _db.Audit.CountAsync(), audit.Rows);
        Assert.Equal(audit.Rows, audit.HeadSeq);
        Assert.Equal(1, reports.Single(r => r.Table == "decisions").HeadSeq);
        var rows = await _db.Audit.OrderBy(a => a.ChainSeq).ToListAsync();
        Assert.Equal(AuditChain.Genesis, rows[0].PrevHash);
        for (var i = 1; i < rows.Count; i++)
        {
            Assert.Equal(rows[i - 1].RowHash, rows[i].PrevHash);
        }
    }

    [Fact]
    public async Task The_row_hash_is_sha256_of_the_documented_length_value_fields()
    {
        await _registry.AuditAsync("dr.a", AuditActions.View, "case", "A", "summary");
        var row = await _db.Audit.SingleAsync();
        // Independent of AuditChain: the format as docs/web.md states it, written out by hand.
        var text = $"64:{new string('0', 64)}\n1:1\n27:2026-12-01T09:00:00.000000Z\n4:dr.a\n4:view\n4:case\n1:A\n7:summary\n";
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text))), row.RowHash);
    }

    [Fact]
    public async Task A_back_dated_audit_row_is_detected()
    {
        await WriteHistoryAsync();
        await TamperAsync("UPDATE audit SET AtUtc = '2026-01-01 08:00:00' WHERE ChainSeq = 2");
        var problem = Assert.Single(await ProblemsAsync());
        Assert.Contains("chain position 2", problem, StringComparison.Ordinal);
        Assert.Contains("edited or back-dated", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_edited_user_name_is_detected()
    {
        await WriteHistoryAsync();
        await TamperAsync("UPDATE audit SET UserName = 'someone.else' WHERE ChainSeq = 1");
        Assert.Contains(await ProblemsAsync(), p => p.Contains("chain position 1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_deleted_audit_row_is_detected()
    {
        await WriteHistoryAsync();
        await TamperAsync("DELETE FROM audit WHERE ChainSeq = 3");
        var problems = await ProblemsAsync();
        Assert.Contains(problems, p => p.Contains("chain position 4", StringComparison.Ordinal) && p.Contains("missing", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("previous hash does not match", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_rewritten_row_with_a_recomputed_own_hash_breaks_the_next_link()
    {
        await WriteHistoryAsync();
        var row = await _db.Audit.AsNoTracking().SingleAsync(a => a.ChainSeq == 2);
        row.Detail = "nothing happened";
        var forged = AuditChain.Hash(row.PrevHash!, row);
        await TamperAsync($"UPDATE audit SET Detail = 'nothing happened', RowHash = '{forged}' WHERE ChainSeq = 2");
        var problem = Assert.Single(await ProblemsAsync());
        Assert.Contains("chain position 3", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_edited_decision_is_detected()
    {
        await WriteHistoryAsync();
        await TamperAsync("UPDATE decisions SET Intent = 'palliative'");
        var report = (await AuditChain.VerifyAsync(_db)).Single(r => r.Table == "decisions");
        Assert.Contains("decisions row", Assert.Single(report.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rows_from_before_the_chain_are_folded_into_the_first_link_and_covered()
    {
        // Rows as the previous schema wrote them: no chain columns.
        await _db.Database.ExecuteSqlRawAsync(
            "INSERT INTO audit (AtUtc, UserName, Action, EntityType, EntityKey, Detail) VALUES ('2026-11-01 10:00:00', 'old', 'view', 'case', 'X', ''), ('2026-11-02 10:00:00', 'old', 'view', 'case', 'Y', '')");
        await _registry.AuditAsync("new", AuditActions.View, "case", "Z", "");
        var audit = (await AuditChain.VerifyAsync(_db)).Single(r => r.Table == "audit");
        Assert.Empty(audit.Problems);
        Assert.Equal(2, audit.UnchainedRows);
        await TamperAsync("DELETE FROM audit WHERE EntityKey = 'X'");
        Assert.Contains(await ProblemsAsync(), p => p.Contains("previous hash does not match", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_version_of_a_case_file_is_kept_with_who_wrote_it()
    {
        await _registry.CreateAsync(Content("V", "{\"v\":1}"), "dr.a");
        await _registry.ScheduleAsync("V", CaseStatus.ToDiscuss, new DateOnly(2026, 12, 3), "coord");
        await _registry.UpdateAsync("V", 2, Content("V", "{\"v\":2}"), "dr.b");
        await _registry.UpdateAsync("V", 3, Content("V2", "{\"v\":3}"), "dr.c");
        var versions = await _registry.VersionsAsync("V2");
        Assert.Equal([1, 3, 4], versions.Select(v => v.Version));
        Assert.Equal(["{\"v\":1}", "{\"v\":2}", "{\"v\":3}"], versions.Select(v => v.CaseFileJson));
        Assert.Equal(["dr.a", "dr.b", "dr.c"], versions.Select(v => v.ChangedBy));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData("{\"v\":2}"u8)), versions[1].Sha256);
        var e = await Assert.ThrowsAsync<SqliteException>(() => _db.Database.ExecuteSqlRawAsync("UPDATE case_versions SET ChangedBy = 'x'"));
        Assert.Contains("append-only", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_audit_filter_finds_the_rows_a_user_wrote()
    {
        await WriteHistoryAsync();
        var rows = await _registry.ReadAuditAsync("dr.c", 1, 100);
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Equal("dr.c", r.UserName));
        Assert.Equal(4, (await _registry.ReadAuditAsync("A", 1, 100)).Count);
    }

    [Fact]
    public async Task Page_numbers_at_the_int_limit_return_an_empty_page_instead_of_overflowing()
    {
        await WriteHistoryAsync();
        Assert.Empty(await _registry.ReadAuditAsync(null, int.MaxValue, int.MaxValue));
        var page = await _registry.ListAsync(new CaseQuery(Page: int.MaxValue, PageSize: int.MaxValue));
        Assert.Empty(page.Items);
        Assert.Equal(2, page.Total);
    }

    private sealed class Clock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
