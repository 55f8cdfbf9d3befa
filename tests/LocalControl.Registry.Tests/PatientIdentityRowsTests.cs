using LocalControl.Registry.Entities;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace LocalControl.Registry.Tests;

/// <summary>
/// The patient_identities table through the registry: the registry stores what it is given (the web app encrypts),
/// writes an audit line that names fields and never values, refuses a stale edit, and finds cases by MRN search key.
/// </summary>
public sealed class PatientIdentityRowsTests : IAsyncLifetime
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), "lc-pid-" + Guid.NewGuid().ToString("N")[..12] + ".db");
    private SqliteRegistryDbContext _db = null!;
    private CaseRegistry _registry = null!;

    public async Task InitializeAsync()
    {
        _db = new SqliteRegistryDbContext(new DbContextOptionsBuilder<SqliteRegistryDbContext>().UseSqlite($"Data Source={_file}").Options);
        await _db.MigrateRegistryAsync();
        _registry = new CaseRegistry(_db, TimeProvider.System);
        foreach (var id in new[] { "A", "B", "C" })
        {
            Assert.Equal(WriteOutcome.Done, await _registry.CreateAsync(new CaseFileContent(id, "{}", 1, "liver"), "u1"));
        }
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

    private static ProtectedIdentity Cipher(string tag, string? searchKey) =>
        new("mrn-" + tag, "family-" + tag, "given-" + tag, "dob-" + tag, "sex-" + tag, searchKey);

    [Fact]
    public async Task An_identity_is_stored_per_case_versioned_and_audited_without_its_values()
    {
        Assert.Null(await _registry.IdentityAsync("A"));
        var (done, v1) = await _registry.SetIdentityAsync("A", 0, Cipher("x1", new string('a', 64)), ["mrn", "family name"], "clin");
        Assert.Equal((WriteOutcome.Done, 1), (done, v1));
        var row = await _registry.IdentityAsync("A");
        Assert.NotNull(row);
        Assert.Equal(("mrn-x1", "family-x1", "given-x1", "dob-x1", "sex-x1", 1, "clin"),
            (row.MrnProtected, row.FamilyNameProtected, row.GivenNamesProtected, row.BirthDateProtected, row.SexProtected, row.Version, row.UpdatedBy));

        // A second writer still on version 0 is refused and changes nothing.
        var (stale, current) = await _registry.SetIdentityAsync("A", 0, Cipher("lost", null), ["mrn"], "other");
        Assert.Equal((WriteOutcome.Stale, 1), (stale, current));
        Assert.Equal("mrn-x1", (await _registry.IdentityAsync("A"))!.MrnProtected);

        var (done2, v2) = await _registry.SetIdentityAsync("A", 1, Cipher("x2", null), ["sex"], "clin");
        Assert.Equal((WriteOutcome.Done, 2), (done2, v2));
        Assert.Null((await _registry.IdentityAsync("A"))!.MrnSearchKey);

        // No field changed: nothing written, no audit line.
        Assert.Equal((WriteOutcome.Done, 2), await _registry.SetIdentityAsync("A", 2, Cipher("x2", null), [], "clin"));
        var lines = await _db.Audit.Where(a => a.Action == AuditActions.Identity).OrderBy(a => a.Id).Select(a => a.Detail).ToListAsync();
        Assert.Equal(2, lines.Count);
        Assert.StartsWith("identity changed (mrn, family name)", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("identity changed (sex)", lines[1], StringComparison.Ordinal);
        Assert.DoesNotContain(lines, l => l.Contains("x1", StringComparison.Ordinal) || l.Contains("x2", StringComparison.Ordinal));
        Assert.Equal(WriteOutcome.NotFound, (await _registry.SetIdentityAsync("nope", 0, Cipher("n", null), ["mrn"], "clin")).Outcome);
    }

    [Fact]
    public async Task The_list_filters_by_mrn_search_key_and_identities_are_read_per_case()
    {
        var shared = new string('b', 64);
        await _registry.SetIdentityAsync("A", 0, Cipher("a", shared), ["mrn"], "clin");
        await _registry.SetIdentityAsync("B", 0, Cipher("b", new string('c', 64)), ["mrn"], "clin");
        await _registry.SetIdentityAsync("C", 0, Cipher("c", shared), ["mrn"], "clin");
        var found = await _registry.ListAsync(new CaseQuery { MrnSearchKey = shared });
        Assert.Equal(["A", "C"], found.Items.Select(i => i.CaseId).Order(StringComparer.Ordinal));
        Assert.Equal(2, found.Total);
        Assert.Empty((await _registry.ListAsync(new CaseQuery { MrnSearchKey = new string('d', 64) })).Items);
        Assert.Equal(3, (await _registry.ListAsync(new CaseQuery())).Total);
        var byCase = await _registry.IdentitiesAsync(["A", "B", "missing"]);
        Assert.Equal(["A", "B"], byCase.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("mrn-b", byCase["B"].MrnProtected);
        Assert.Equal("mrn-a", (await _registry.AnyIdentityAsync())!.MrnProtected);
    }
}
