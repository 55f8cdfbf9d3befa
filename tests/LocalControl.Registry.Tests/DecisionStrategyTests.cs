using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LocalControl.Registry.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace LocalControl.Registry.Tests;

/// <summary>
/// Decisions with strategies (the version-2 content inside ChoicesJson) next to version-1 rows in one hash chain,
/// and the attendees' sign-offs (decision_signoffs): only a listed attendee holding the clinician or coordinator role,
/// once, audited, append-only; who may be picked as an attendee.
/// </summary>
public sealed class DecisionStrategyTests : IAsyncLifetime
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), "lc-strategy-" + Guid.NewGuid().ToString("N")[..12] + ".db");
    private SqliteRegistryDbContext _db = null!;
    private CaseRegistry _registry = null!;
    private readonly Clock _clock = new(new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero));

    private static readonly DecisionContent TwoStrategies = new(2,
        [
            new DecisionStrategy(null, [new DecisionStep("systemic", []), new DecisionStep("resection", ["L1"]), new DecisionStep("mwa", ["L2"], WithPrevious: true)]),
            new DecisionStrategy("disease-control", [new DecisionStep("re-image", ["L1", "L2"], "MRI in 8 weeks")]),
        ],
        [new DecisionAttendee("dr.surgeon", "Dr S", "hepatobiliary surgery"), new DecisionAttendee("dr.ir", "Dr I", "interventional radiology")],
        "Dr P (pathology)", false);

    public async Task InitializeAsync()
    {
        _db = new SqliteRegistryDbContext(new DbContextOptionsBuilder<SqliteRegistryDbContext>().UseSqlite($"Data Source={_file}").Options);
        await _db.MigrateRegistryAsync();
        _registry = new CaseRegistry(_db, _clock);
        await _registry.CreateAsync(new CaseFileContent("A", "{}", 2, "liver"), "dr.a");
        // The accounts, written as the app's Identity stores them (user, role and user-role rows).
        foreach (var role in Roles.All)
        {
            _db.Roles.Add(new IdentityRole(role) { NormalizedName = role.ToUpperInvariant() });
        }
        await _db.SaveChangesAsync();
        await UserAsync("dr.surgeon", "Dr S", false, Roles.Clinician);
        await UserAsync("dr.ir", "Dr I", false, Roles.Clinician, Roles.Viewer);
        await UserAsync("dr.other", "Dr O", false, Roles.Clinician);
        await UserAsync("nurse.c", "Nurse C", false, Roles.Coordinator);
        await UserAsync("reader", "Ms Reader", false, Roles.Viewer);
        await UserAsync("root", "Admin", false, Roles.Admin);
        await UserAsync("dr.gone", "Dr Gone", true, Roles.Clinician);
    }

    private async Task UserAsync(string userName, string displayName, bool disabled, params string[] roles)
    {
        var user = new RegistryUser { UserName = userName, NormalizedUserName = userName.ToUpperInvariant(), DisplayName = displayName, Disabled = disabled };
        _db.Users.Add(user);
        foreach (var role in roles)
        {
            var id = await _db.Roles.Where(r => r.Name == role).Select(r => r.Id).SingleAsync();
            _db.UserRoles.Add(new IdentityUserRole<string> { UserId = user.Id, RoleId = id });
        }
        await _db.SaveChangesAsync();
        _db.ChangeTracker.Clear();
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

    private async Task<long> DecideAsync(string choicesJson, string attendees, int version)
    {
        _clock.Advance(TimeSpan.FromMinutes(3));
        var (outcome, id) = await _registry.RecordDecisionAsync("A", new NewDecision(new DateOnly(2026, 12, 3), "curative", choicesJson, "why", attendees, "rules-1", "{}", "{}", version), "dr.a");
        Assert.Equal(WriteOutcome.Done, outcome);
        return id;
    }

    // Written out by hand from the row-hash format in docs/web.md, not with AuditChain's builder.
    private static string Field(string v) => v.Length.ToString(CultureInfo.InvariantCulture) + ":" + v + "\n";

    [Fact]
    public async Task A_chain_of_a_version_1_and_a_version_2_decision_verifies_and_the_new_row_hash_covers_its_strategies()
    {
        var v1 = await DecideAsync("[{\"lesionId\":\"L1\",\"therapy\":\"mwa\"}]", "Dr A (surgery)", 1);
        var v2 = await DecideAsync(TwoStrategies.ToJson(), TwoStrategies.AttendeesText(), 2);
        var report = (await AuditChain.VerifyAsync(_db)).Single(r => r.Table == "decisions");
        Assert.Empty(report.Problems);
        Assert.Equal(2, report.HeadSeq);

        var rows = await _db.Decisions.AsNoTracking().OrderBy(d => d.ChainSeq).ToListAsync();
        Assert.Equal([v1, v2], rows.Select(r => r.Id));
        var row = rows[1];
        var text = Field(rows[0].RowHash!) + Field("2") + Field(row.CaseRecordId.ToString(CultureInfo.InvariantCulture)) + Field("2026-12-03") + Field("curative")
            + Field(row.ChoicesJson) + Field("why") + Field(row.Attendees) + Field("rules-1") + Field("{}") + Field("{}") + Field("2") + Field("dr.a")
            + Field("2026-12-03T09:06:00.000000Z");
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text))), row.RowHash);
        Assert.Contains("\"format\":\"localcontrol-decision\",\"version\":2", row.ChoicesJson, StringComparison.Ordinal);

        // Changing a step of the stored strategy (an intruder with the file) breaks that row's hash.
        await _db.Database.ExecuteSqlRawAsync("DROP TRIGGER decisions_no_update;");
        await _db.Database.ExecuteSqlAsync($"UPDATE decisions SET ChoicesJson = replace(ChoicesJson, '\"mwa\"', '\"rfa\"') WHERE Id = {v2}");
        var problem = Assert.Single((await AuditChain.VerifyAsync(_db)).Single(r => r.Table == "decisions").Problems);
        Assert.Contains($"decisions row id {v2} (chain position 2)", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Both_shapes_read_and_the_new_one_round_trips()
    {
        var old = DecisionContent.Parse("[{\"lesionId\":\"L1\",\"therapy\":\"mwa\"},{\"lesionId\":null,\"therapy\":\"systemic\"}]");
        Assert.Equal(1, old.Version);
        var steps = Assert.Single(old.Strategies).Steps;
        Assert.Equal([("mwa", "L1", false), ("systemic", "", true)], steps.Select(s => (s.Therapy, string.Join(",", s.LesionIds), s.WithPrevious)));
        Assert.Empty(old.Attendees);

        var back = DecisionContent.Parse(TwoStrategies.ToJson());
        Assert.Equal(2, back.Version);
        Assert.Equal(JsonSerializer.Serialize(TwoStrategies), JsonSerializer.Serialize(back));
        Assert.Equal(new (string?, string)[] { (null, "systemic"), ("L1", "resection"), ("L2", "mwa"), ("L1", "re-image"), ("L2", "re-image") }, back.FlatChoices());
        Assert.Equal("Dr S (hepatobiliary surgery; user dr.surgeon); Dr I (interventional radiology; user dr.ir); guests: Dr P (pathology)", back.AttendeesText());
        Assert.Throws<JsonException>(() => DecisionContent.Parse("{\"format\":\"something-else\",\"version\":2}"));
        Assert.Throws<JsonException>(() => DecisionContent.Parse("{\"format\":\"localcontrol-decision\",\"version\":3}"));
    }

    [Fact]
    public async Task Only_a_listed_attendee_signs_off_once_with_an_audit_line_and_sign_offs_cannot_be_rewritten()
    {
        var v1 = await DecideAsync("[{\"lesionId\":\"L1\",\"therapy\":\"mwa\"}]", "dr.surgeon (surgery)", 1);
        var v2 = await DecideAsync(TwoStrategies.ToJson(), TwoStrategies.AttendeesText(), 2);
        var auditBefore = await _db.Audit.CountAsync();

        Assert.Equal(SignOffOutcome.NotAttendee, (await _registry.SignOffAsync("A", v2, "dr.other")).Outcome);
        Assert.Equal(SignOffOutcome.NotAttendee, (await _registry.SignOffAsync("A", v1, "dr.surgeon")).Outcome); // a free-text name is no account
        Assert.Equal(SignOffOutcome.NotFound, (await _registry.SignOffAsync("B", v2, "dr.surgeon")).Outcome);
        Assert.Equal(auditBefore, await _db.Audit.CountAsync());

        _clock.Advance(TimeSpan.FromMinutes(10));
        var (done, signOff) = await _registry.SignOffAsync("A", v2, "dr.surgeon");
        Assert.Equal(SignOffOutcome.Done, done);
        Assert.Equal(new DateTime(2026, 12, 3, 9, 16, 0, DateTimeKind.Utc), signOff!.SignedUtc);
        Assert.Equal(SignOffOutcome.AlreadySigned, (await _registry.SignOffAsync("A", v2, "dr.surgeon")).Outcome);
        Assert.Equal(SignOffOutcome.Done, (await _registry.SignOffAsync("A", v2, "dr.ir")).Outcome);

        var all = await _registry.SignOffsAsync([v1, v2]);
        Assert.Equal(["dr.surgeon", "dr.ir"], all.Select(s => s.UserName));
        var lines = await _db.Audit.Where(a => a.Action == AuditActions.SignOff).OrderBy(a => a.Id).Select(a => $"{a.UserName} {a.EntityType} {a.EntityKey}: {a.Detail}").ToListAsync();
        Assert.Equal([$"dr.surgeon decision A: decision {v2} signed off by attendee dr.surgeon", $"dr.ir decision A: decision {v2} signed off by attendee dr.ir"], lines);
        Assert.Empty((await AuditChain.VerifyAsync(_db)).SelectMany(r => r.Problems));

        // Append-only: the context and the database triggers refuse a change.
        var row = await _db.DecisionSignOffs.FirstAsync();
        row.UserName = "dr.other";
        await Assert.ThrowsAsync<InvalidOperationException>(() => _db.SaveChangesAsync());
        _db.ChangeTracker.Clear();
        var e = await Assert.ThrowsAsync<SqliteException>(() => _db.Database.ExecuteSqlRawAsync("DELETE FROM decision_signoffs"));
        Assert.Contains("append-only", e.Message, StringComparison.Ordinal);
        e = await Assert.ThrowsAsync<SqliteException>(() => _db.Database.ExecuteSqlRawAsync("UPDATE decision_signoffs SET UserName = 'x'"));
        Assert.Contains("append-only", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, await _db.DecisionSignOffs.CountAsync());
    }

    [Fact]
    public async Task Attendee_candidates_hold_the_clinician_or_coordinator_role_and_a_viewer_only_account_is_not_one()
    {
        var candidates = await _registry.AttendeeCandidatesAsync();
        // By display name: Dr I, Dr O, Dr S, Nurse C. Not the viewer-only reader, the admin-only root, the disabled dr.gone.
        Assert.Equal(["dr.ir clinician", "dr.other clinician", "dr.surgeon clinician", "nurse.c coordinator"],
            candidates.Select(c => $"{c.UserName} {c.Role}"));
        Assert.Equal("Dr I", candidates[0].DisplayName);

        // Roles change: the reader is given the clinician role as well and becomes a candidate; dr.ir loses it and,
        // left a viewer only, is no longer one.
        var clinician = await _db.Roles.Where(r => r.Name == Roles.Clinician).Select(r => r.Id).SingleAsync();
        var reader = await _db.Users.Where(u => u.UserName == "reader").Select(u => u.Id).SingleAsync();
        var ir = await _db.Users.Where(u => u.UserName == "dr.ir").Select(u => u.Id).SingleAsync();
        _db.UserRoles.Add(new IdentityUserRole<string> { UserId = reader, RoleId = clinician });
        _db.UserRoles.Remove(await _db.UserRoles.SingleAsync(x => x.UserId == ir && x.RoleId == clinician));
        await _db.SaveChangesAsync();
        Assert.Equal(["dr.other", "dr.surgeon", "reader", "nurse.c"], (await _registry.AttendeeCandidatesAsync()).Select(c => c.UserName));
        Assert.False(await _registry.MaySignOffAsync("dr.ir"));
        Assert.True(await _registry.MaySignOffAsync("reader"));
    }

    [Fact]
    public async Task A_viewer_listed_on_an_older_decision_stays_listed_but_cannot_sign_and_a_coordinator_can()
    {
        // Recorded while viewer-only accounts could be picked: the row is kept and read back as written.
        var older = new DecisionContent(2, TwoStrategies.Strategies,
            [new DecisionAttendee("dr.surgeon", "Dr S", "surgery"), new DecisionAttendee("reader", "Ms Reader", "oncology"), new DecisionAttendee("nurse.c", "Nurse C", "MDT coordination")],
            null, false);
        var id = await DecideAsync(older.ToJson(), older.AttendeesText(), 1);
        var auditBefore = await _db.Audit.CountAsync();

        Assert.Equal(SignOffOutcome.NoSignOffRole, (await _registry.SignOffAsync("A", id, "reader")).Outcome);
        Assert.Equal(auditBefore, await _db.Audit.CountAsync());
        Assert.Empty(await _registry.SignOffsAsync([id]));
        Assert.Equal(SignOffOutcome.Done, (await _registry.SignOffAsync("A", id, "nurse.c")).Outcome);
        Assert.Equal(SignOffOutcome.Done, (await _registry.SignOffAsync("A", id, "dr.surgeon")).Outcome);
        Assert.Equal(["nurse.c", "dr.surgeon"], (await _registry.SignOffsAsync([id])).Select(s => s.UserName));

        var stored = DecisionContent.Parse((await _registry.DecisionsAsync("A")).Single(d => d.Id == id).ChoicesJson);
        Assert.Equal(["dr.surgeon", "reader", "nurse.c"], stored.Attendees.Select(a => a.UserName));
        Assert.Empty((await AuditChain.VerifyAsync(_db)).SelectMany(r => r.Problems));
    }

    [Fact]
    public async Task A_listed_attendee_whose_account_was_disabled_cannot_sign()
    {
        var content = new DecisionContent(2, TwoStrategies.Strategies, [new DecisionAttendee("dr.gone", "Dr Gone", "surgery")], null, false);
        var id = await DecideAsync(content.ToJson(), content.AttendeesText(), 1);
        Assert.Equal(SignOffOutcome.NoSignOffRole, (await _registry.SignOffAsync("A", id, "dr.gone")).Outcome);
    }

    private sealed class Clock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
