using LocalControl.Registry.Entities;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace LocalControl.Registry.Tests;

/// <summary>The registry on a real SQLite file, migrated with the SQLite migrations set.</summary>
public sealed class CaseRegistryTests : IAsyncLifetime
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), "lc-reg-" + Guid.NewGuid().ToString("N")[..12] + ".db");
    private SqliteRegistryDbContext _db = null!;
    private CaseRegistry _registry = null!;
    private readonly FakeClock _clock = new(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero));

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

    [Fact]
    public async Task Neither_migrations_set_is_behind_the_model()
    {
        Assert.False(_db.Database.HasPendingModelChanges());
        await using var pg = new PostgresRegistryDbContext(new DbContextOptionsBuilder<PostgresRegistryDbContext>().UseNpgsql("Host=unused").Options);
        Assert.False(pg.Database.HasPendingModelChanges());
        Assert.NotEmpty(pg.Database.GetMigrations());
        Assert.Empty(await _db.Database.GetPendingMigrationsAsync());
    }

    [Fact]
    public async Task A_second_case_with_the_same_id_is_a_conflict_and_writes_no_audit_line()
    {
        Assert.Equal(WriteOutcome.Done, await _registry.CreateAsync(Content("A"), "u1"));
        Assert.Equal(WriteOutcome.Conflict, await _registry.CreateAsync(Content("A", "{\"other\":1}"), "u2"));
        Assert.Equal("{}", (await _registry.FindAsync("A"))!.CaseFileJson);
        Assert.Equal(["u1"], await _db.Audit.Where(a => a.EntityKey == "A").Select(a => a.UserName).ToListAsync());
    }

    [Fact]
    public async Task An_edit_based_on_an_old_version_is_refused_and_changes_nothing()
    {
        await _registry.CreateAsync(Content("B", "{\"v\":1}"), "u1");
        var (first, v2) = await _registry.UpdateAsync("B", 1, Content("B", "{\"v\":2}"), "u1");
        Assert.Equal((WriteOutcome.Done, 2), (first, v2));
        var (stale, current) = await _registry.UpdateAsync("B", 1, Content("B", "{\"v\":\"lost\"}"), "u2");
        Assert.Equal((WriteOutcome.Stale, 2), (stale, current));
        var record = await _registry.FindAsync("B");
        Assert.Equal("{\"v\":2}", record!.CaseFileJson);
        Assert.Equal(2, record.Version);
        Assert.Equal(2, await _db.Audit.CountAsync(a => a.EntityKey == "B"));
        Assert.Equal((WriteOutcome.NotFound, 0), await _registry.UpdateAsync("nope", 1, Content("nope"), "u1"));
    }

    [Fact]
    public async Task A_decision_moves_a_case_to_discussed_and_one_on_an_old_version_is_refused()
    {
        await _registry.CreateAsync(Content("C"), "u1");
        var decision = new NewDecision(new DateOnly(2026, 12, 3), "curative", "[]", "why", "who", "rules-1", "{}", "{}", 1);
        var (outcome, id) = await _registry.RecordDecisionAsync("C", decision, "doc");
        Assert.Equal(WriteOutcome.Done, outcome);
        Assert.True(id > 0);
        var record = await _registry.FindAsync("C");
        Assert.Equal(CaseStatus.Discussed, record!.Status);
        Assert.Equal(2, record.Version);
        Assert.Equal(WriteOutcome.Stale, (await _registry.RecordDecisionAsync("C", decision, "doc")).Outcome);
        Assert.Single(await _registry.DecisionsAsync("C"));
    }

    [Fact]
    public async Task Search_treats_like_wildcards_in_the_text_as_plain_characters()
    {
        await _registry.CreateAsync(Content("ABC_1"), "u");
        await _registry.CreateAsync(Content("ABCX1"), "u");
        await _registry.CreateAsync(Content("100%"), "u");
        Assert.Equal(["ABC_1"], (await _registry.ListAsync(new CaseQuery("c_1"))).Items.Select(i => i.CaseId));
        Assert.Equal(["100%"], (await _registry.ListAsync(new CaseQuery("0%"))).Items.Select(i => i.CaseId));
        Assert.Equal(3, (await _registry.ListAsync(new CaseQuery("liver"))).Total);
        Assert.Equal(0, (await _registry.ListAsync(new CaseQuery(Status: CaseStatus.Treated))).Total);
    }

    [Fact]
    public async Task The_list_pages_newest_change_first()
    {
        for (var i = 0; i < 5; i++)
        {
            _clock.Advance(TimeSpan.FromMinutes(1));
            await _registry.CreateAsync(Content($"P{i}"), "u");
        }
        var page = await _registry.ListAsync(new CaseQuery(Page: 2, PageSize: 2));
        Assert.Equal(5, page.Total);
        Assert.Equal(["P2", "P1"], page.Items.Select(i => i.CaseId));
    }

    [Fact]
    public async Task History_cannot_be_rewritten_through_the_context_or_by_sql()
    {
        await _registry.CreateAsync(Content("D"), "u1");
        var entry = await _db.Audit.FirstAsync();
        _db.Audit.Remove(entry);
        await Assert.ThrowsAsync<InvalidOperationException>(() => _db.SaveChangesAsync());
        _db.ChangeTracker.Clear();
        var e = await Assert.ThrowsAsync<SqliteException>(() => _db.Database.ExecuteSqlRawAsync("DELETE FROM audit"));
        Assert.Contains("append-only", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, await _db.Audit.CountAsync());
    }

    private sealed class FakeClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
