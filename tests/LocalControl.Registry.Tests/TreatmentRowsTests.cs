using LocalControl.Core.Cases;
using LocalControl.Registry.Entities;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace LocalControl.Registry.Tests;

/// <summary>
/// The treatments and follow_up_lesions tables on a real SQLite file: every save rewrites them from the case file,
/// in the same transaction; expected rows are read off the case-file text below by hand.
/// </summary>
public sealed class TreatmentRowsTests : IAsyncLifetime
{
    private const string CaseFile = """
        {
          "caseId": "CRC-FU-1",
          "patient": { "ageYears": 61, "rasStatus": "mutant", "primary": { "site": "colon" } },
          "lesions": [
            { "id": "L1", "organ": "liver", "location": "segment 7", "longestDiameterMm": 22 },
            { "id": "L2", "organ": "liver", "location": "segment 4a", "longestDiameterMm": 35 },
            { "id": "N1", "organ": "lymph-node", "location": "hepatoduodenal ligament", "longestDiameterMm": 21, "shortAxisMm": 16 }
          ],
          "treatments": [
            { "id": "T1", "date": "2025-01-15", "therapy": "mwa", "lesionIds": ["L1", "L2"], "approach": "percutaneous", "intent": "curative",
              "device": "Emprint", "setting": "100 W, 5 min", "technicalSuccess": true, "complicationGrade": 1, "minimalAblativeMarginMm": 4.2 },
            { "id": "T2", "date": "2025-02-01", "therapy": "systemic", "lesionIds": [], "intent": "palliative", "regimen": "FOLFOX + bevacizumab" }
          ],
          "followUps": [
            { "date": "2025-02-20", "modality": "ct",
              "lesions": [
                { "lesionId": "L1", "status": "present", "ablationZone": { "enhancingTissue": false, "diameterMm": 38 } },
                { "lesionId": "L2", "status": "absent" },
                { "lesionId": "N1", "status": "present", "shortAxisMm": 14 } ] },
            { "date": "2025-09-10", "modality": "mri",
              "lesions": [
                { "lesionId": "L1", "status": "present", "ablationZone": { "enhancingTissue": true, "adjacentToZone": true, "diameterMm": 31 } },
                { "lesionId": "N1", "status": "not-evaluable", "unequivocalProgression": false } ] }
          ],
          "survival": { "lastContactDate": "2025-10-01", "vitalStatus": "alive" }
        }
        """;

    private const string EditedCaseFile = """
        {
          "caseId": "CRC-FU-1",
          "patient": { "ageYears": 61, "rasStatus": "mutant", "primary": { "site": "colon" } },
          "lesions": [
            { "id": "L1", "organ": "liver", "location": "segment 7", "longestDiameterMm": 22 },
            { "id": "L2", "organ": "liver", "location": "segment 4a", "longestDiameterMm": 35 },
            { "id": "N1", "organ": "lymph-node", "location": "hepatoduodenal ligament", "longestDiameterMm": 21, "shortAxisMm": 16 }
          ],
          "treatments": [
            { "id": "T1", "date": "2025-01-15", "therapy": "mwa", "lesionIds": ["L1", "L2"], "approach": "percutaneous", "intent": "curative",
              "device": "Emprint", "setting": "100 W, 5 min", "technicalSuccess": true, "complicationGrade": 1, "minimalAblativeMarginMm": 4.2 },
            { "id": "T3", "date": "2025-09-20", "therapy": "rfa", "lesionIds": ["L1"], "minimalAblativeMarginMm": 6 }
          ],
          "followUps": [
            { "date": "2025-02-20", "modality": "ct",
              "lesions": [
                { "lesionId": "L1", "status": "present", "ablationZone": { "enhancingTissue": false, "diameterMm": 38 } },
                { "lesionId": "L2", "status": "absent" },
                { "lesionId": "N1", "status": "present", "shortAxisMm": 14 } ] }
          ],
          "survival": { "lastContactDate": "2025-10-01", "vitalStatus": "alive" }
        }
        """;

    private readonly string _file = Path.Combine(Path.GetTempPath(), "lc-rows-" + Guid.NewGuid().ToString("N")[..12] + ".db");
    private SqliteRegistryDbContext _db = null!;
    private CaseRegistry _registry = null!;

    public async Task InitializeAsync()
    {
        _db = new SqliteRegistryDbContext(new DbContextOptionsBuilder<SqliteRegistryDbContext>().UseSqlite($"Data Source={_file}").Options);
        await _db.MigrateRegistryAsync();
        _registry = new CaseRegistry(_db, TimeProvider.System);
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

    private static CaseFileContent Content(string json)
    {
        var read = CaseFileReader.Read(json);
        Assert.True(read.IsValid, string.Join("; ", read.Errors.Select(e => $"{e.Path}: {e.Message}")));
        return CaseFileContent.From(read.Case!, json);
    }

    private static object Row(TreatmentRecord t) => (t.TreatmentId, t.LesionId, t.Date, t.Therapy, t.Approach, t.Intent, t.Device, t.Setting,
        t.Regimen, t.TechnicalSuccess, t.ComplicationGrade, t.MinimalAblativeMarginMm);

    private static object Row(FollowUpFindingRecord f) => (f.StudyDate, f.Modality, f.LesionId, f.Status, f.LongestDiameterMm, f.ShortAxisMm,
        f.UnequivocalProgression, f.HasAblationZone, f.EnhancingTissue, f.AdjacentToZone, f.ZoneDiameterMm);

    [Fact]
    public async Task Saving_a_case_stores_one_row_per_treatment_and_lesion_and_per_follow_up_observation()
    {
        Assert.Equal(WriteOutcome.Done, await _registry.CreateAsync(Content(CaseFile), "dr.a"));

        object[] treatments =
        [
            ("T1", (string?)"L1", new DateOnly(2025, 1, 15), "mwa", (string?)"percutaneous", (string?)"curative", (string?)"Emprint", (string?)"100 W, 5 min", (string?)null, (bool?)true, (int?)1, (double?)4.2),
            ("T1", (string?)"L2", new DateOnly(2025, 1, 15), "mwa", (string?)"percutaneous", (string?)"curative", (string?)"Emprint", (string?)"100 W, 5 min", (string?)null, (bool?)true, (int?)1, (double?)4.2),
            ("T2", (string?)null, new DateOnly(2025, 2, 1), "systemic", (string?)null, (string?)"palliative", (string?)null, (string?)null, (string?)"FOLFOX + bevacizumab", (bool?)null, (int?)null, (double?)null),
        ];
        Assert.Equal(treatments, (await _registry.TreatmentsAsync("CRC-FU-1")).Select(Row));

        var feb = new DateOnly(2025, 2, 20);
        var sep = new DateOnly(2025, 9, 10);
        object[] findings =
        [
            (feb, (string?)"ct", "L1", "present", (double?)null, (double?)null, (bool?)null, true, (bool?)false, (bool?)null, (double?)38.0),
            (feb, (string?)"ct", "L2", "absent", (double?)null, (double?)null, (bool?)null, false, (bool?)null, (bool?)null, (double?)null),
            (feb, (string?)"ct", "N1", "present", (double?)null, (double?)14.0, (bool?)null, false, (bool?)null, (bool?)null, (double?)null),
            (sep, (string?)"mri", "L1", "present", (double?)null, (double?)null, (bool?)null, true, (bool?)true, (bool?)true, (double?)31.0),
            (sep, (string?)"mri", "N1", "not-evaluable", (double?)null, (double?)null, (bool?)false, false, (bool?)null, (bool?)null, (double?)null),
        ];
        Assert.Equal(findings, (await _registry.FollowUpFindingsAsync("CRC-FU-1")).Select(Row));
    }

    [Fact]
    public async Task An_edit_replaces_the_rows_with_those_of_the_new_case_file_and_a_stale_edit_leaves_them()
    {
        await _registry.CreateAsync(Content(CaseFile), "dr.a");
        // Second version: the systemic line and the MRI study removed, a repeat ablation of L1 added.
        var (outcome, version) = await _registry.UpdateAsync("CRC-FU-1", 1, Content(EditedCaseFile), "dr.b");
        Assert.Equal((WriteOutcome.Done, 2), (outcome, version));

        Assert.Equal(["T1/L1/mwa", "T1/L2/mwa", "T3/L1/rfa"],
            (await _registry.TreatmentsAsync("CRC-FU-1")).Select(t => $"{t.TreatmentId}/{t.LesionId}/{t.Therapy}"));
        Assert.Equal(["2025-02-20/L1", "2025-02-20/L2", "2025-02-20/N1"],
            (await _registry.FollowUpFindingsAsync("CRC-FU-1")).Select(f => $"{f.StudyDate:yyyy-MM-dd}/{f.LesionId}"));
        Assert.Equal(3, await _db.Treatments.CountAsync()); // the old rows are gone, not kept beside the new ones

        var (stale, _) = await _registry.UpdateAsync("CRC-FU-1", 1, Content(CaseFile), "dr.c");
        Assert.Equal(WriteOutcome.Stale, stale);
        Assert.Equal(3, (await _registry.TreatmentsAsync("CRC-FU-1")).Count);
        Assert.Equal(3, (await _registry.FollowUpFindingsAsync("CRC-FU-1")).Count);
        // The history of the case file is still complete: both versions kept, both audited.
        Assert.Equal(2, (await _registry.VersionsAsync("CRC-FU-1")).Count);
        Assert.Equal(2, await _db.Audit.CountAsync(a => a.EntityKey == "CRC-FU-1"));
    }

    [Fact]
    public async Task A_case_file_without_treatments_or_follow_ups_has_no_rows()
    {
        var plain = CaseFile[..CaseFile.IndexOf("\"treatments\"", StringComparison.Ordinal)].TrimEnd().TrimEnd(',') + "\n}";
        await _registry.CreateAsync(Content(plain), "dr.a");
        Assert.Empty(await _registry.TreatmentsAsync("CRC-FU-1"));
        Assert.Empty(await _registry.FollowUpFindingsAsync("CRC-FU-1"));
    }
}
