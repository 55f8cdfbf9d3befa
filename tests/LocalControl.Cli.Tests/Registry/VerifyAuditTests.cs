using System.Text.RegularExpressions;
using LocalControl.Registry;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace LocalControl.Cli.Tests.Registry;

/// <summary>
/// <c>localcontrol db verify-audit</c> on a real SQLite registry written by the registry library, then tampered with
/// the way someone holding the database file would: drop the append-only trigger and change rows by SQL.
/// </summary>
public sealed partial class VerifyAuditTests : IAsyncLifetime
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), "lc-verify-" + Guid.NewGuid().ToString("N")[..12] + ".db");

    public async Task InitializeAsync()
    {
        await using var db = Open();
        await db.MigrateRegistryAsync();
        var registry = new CaseRegistry(db, TimeProvider.System);
        await registry.CreateAsync(new CaseFileContent("CRC-1", "{\"v\":1}", 1, "liver"), "dr.a");
        await registry.UpdateAsync("CRC-1", 1, new CaseFileContent("CRC-1", "{\"v\":2}", 1, "liver"), "dr.b");
        await registry.RecordDecisionAsync("CRC-1", new NewDecision(new DateOnly(2026, 12, 3), "curative", "[]", "why", "who", "r1", "{}", "{\"v\":2}", 2), "dr.a");
        await registry.AuditAsync("dr.c", "view", "case", "CRC-1", "summary");
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        foreach (var f in new[] { _file, _file + "-wal", _file + "-shm" })
        {
            File.Delete(f);
        }
        return Task.CompletedTask;
    }

    private SqliteRegistryDbContext Open() =>
        new(new DbContextOptionsBuilder<SqliteRegistryDbContext>().UseSqlite($"Data Source={_file}").Options);

    private async Task TamperAsync(string sql)
    {
        await using var db = Open();
        await db.Database.ExecuteSqlRawAsync("DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete; DROP TRIGGER IF EXISTS decisions_no_update;");
        await db.Database.ExecuteSqlRawAsync(sql);
        SqliteConnection.ClearAllPools();
    }

    [Fact]
    public void An_untouched_registry_verifies_with_exit_0_and_prints_the_heads()
    {
        var (code, stdout, stderr) = CliRunner.Run("db", "verify-audit", "--database", _file);
        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        Assert.Matches("^audit: 4 rows; chain holds; head 4:[0-9a-f]{64}$", stdout.Split('\n')[0].TrimEnd('\r'));
        Assert.Matches("^decisions: 1 rows; chain holds; head 1:[0-9a-f]{64}$", stdout.Split('\n')[1].TrimEnd('\r'));
        Assert.Contains("OK:", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_back_dated_audit_row_is_detected_with_exit_3_and_its_id()
    {
        await TamperAsync("UPDATE audit SET AtUtc = '2025-01-01 08:00:00' WHERE ChainSeq = 3");
        var (code, stdout, stderr) = CliRunner.Run("db", "verify-audit", "--database", _file);
        Assert.Equal(DbCommandExit.ChainBroken, code);
        Assert.Contains("audit row id 3 (chain position 3): its fields do not match its hash (the row was edited or back-dated).", stderr, StringComparison.Ordinal);
        Assert.Contains("BROKEN", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_edited_decision_is_detected()
    {
        await TamperAsync("UPDATE decisions SET Rationale = 'a different reason'");
        var (code, _, stderr) = CliRunner.Run("db", "verify-audit", "--database", _file, "--format", "json");
        Assert.Equal(DbCommandExit.ChainBroken, code);
        Assert.Equal("", stderr);
    }

    [Fact]
    public async Task A_removed_tail_is_caught_by_the_recorded_head()
    {
        var (_, first, _) = CliRunner.Run("db", "verify-audit", "--database", _file);
        var head = HeadPattern().Match(first).Groups[1].Value;
        Assert.Equal(0, CliRunner.Run("db", "verify-audit", "--database", _file, "--expect-head", head).ExitCode);
        await TamperAsync("DELETE FROM audit WHERE ChainSeq = 4");
        // The chain alone still holds (its last row is simply gone) ...
        Assert.Equal(0, CliRunner.Run("db", "verify-audit", "--database", _file).ExitCode);
        // ... the recorded head does not.
        var (code, _, stderr) = CliRunner.Run("db", "verify-audit", "--database", _file, "--expect-head", head);
        Assert.Equal(DbCommandExit.ChainBroken, code);
        Assert.Contains("audit chain position 4 (the expected head) is missing", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_and_a_bad_head_are_user_errors()
    {
        Assert.Equal(2, CliRunner.Run("db", "verify-audit", "--database", _file + ".nope").ExitCode);
        var (code, _, stderr) = CliRunner.Run("db", "verify-audit", "--database", _file, "--expect-head", "4:XYZ");
        Assert.Equal(2, code);
        Assert.Contains("--expect-head must be SEQ:HASH", stderr, StringComparison.Ordinal);
    }

    [GeneratedRegex("^audit: .* head (\\d+:[0-9a-f]{64})", RegexOptions.Multiline)]
    private static partial Regex HeadPattern();

    private static class DbCommandExit
    {
        public const int ChainBroken = 3; // docs/cli.md
    }
}
