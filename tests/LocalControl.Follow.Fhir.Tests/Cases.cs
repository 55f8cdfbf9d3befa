using System.Text.Json;
using LocalControl.Core.Cases;

namespace LocalControl.Follow.Fhir.Tests;

/// <summary>The cases the tests export: every sample case file, and hand-built ones that reach every mapping.</summary>
internal static class Cases
{
    public static string RepoRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "LocalControl.sln")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        return dir ?? throw new InvalidOperationException("Repository root not found.");
    }

    public static IEnumerable<string> SampleFiles() =>
        Directory.GetFiles(Path.Combine(RepoRoot(), "samples", "cases"), "*.json").Order(StringComparer.Ordinal);

    public static MetastaticCase Read(string json)
    {
        var result = CaseFileReader.Read(json);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Case!;
    }

    /// <summary>Every therapy, approach, intent, modality, lesion status and ablation-zone finding; a dead patient; odd decimals.</summary>
    public const string EveryField = """
    {
      "caseId": "HB-EVERY",
      "patient": { "ageYears": 58, "ecog": 1, "cea": 12.35, "rasStatus": "wild-type", "brafStatus": "mutant", "primary": { "site": "rectum" } },
      "lesions": [
        { "id": "L1", "organ": "liver", "location": "segment 8", "longestDiameterMm": 24.7 },
        { "id": "L2", "organ": "lung", "location": "left upper lobe", "longestDiameterMm": 17 },
        { "id": "N1", "organ": "lymph-node", "location": "para-aortic", "longestDiameterMm": 26, "shortAxisMm": 18.5 },
        { "id": "B1", "organ": "bone", "location": "L3 vertebral body", "longestDiameterMm": 31 },
        { "id": "P1", "organ": "peritoneum", "longestDiameterMm": 12 },
        { "id": "O1", "organ": "other" },
        { "id": "L3", "organ": "liver", "location": "segment 3", "longestDiameterMm": 15 }
      ],
      "treatments": [
        { "id": "T1", "date": "2024-03-04", "therapy": "rfa", "lesionIds": ["L1"], "approach": "percutaneous", "intent": "curative",
          "device": "Cool-tip", "setting": "12 min impedance-controlled", "technicalSuccess": true, "complicationGrade": 2, "minimalAblativeMarginMm": 3.1415926535897931 },
        { "id": "T2", "date": "2024-03-05", "therapy": "cryoablation", "lesionIds": ["B1"], "approach": "percutaneous", "intent": "palliative", "technicalSuccess": false },
        { "id": "T3", "date": "2024-03-06", "therapy": "ire", "lesionIds": ["L3"], "approach": "open", "minimalAblativeMarginMm": -0.8 },
        { "id": "T4", "date": "2024-03-07", "therapy": "sbrt", "lesionIds": ["O1"], "setting": "3 x 15 Gy" },
        { "id": "T5", "date": "2024-03-08", "therapy": "resection", "lesionIds": ["P1"], "approach": "laparoscopic", "complicationGrade": 6 },
        { "id": "T6", "date": "2024-03-09", "therapy": "haic", "approach": "endovascular", "regimen": "oxaliplatin HAI" },
        { "id": "T7", "date": "2024-03-10", "therapy": "sirt", "approach": "endovascular" },
        { "id": "T8", "date": "2024-03-11", "therapy": "systemic", "regimen": "FOLFIRI + cetuximab", "intent": "palliative" },
        { "id": "T9", "date": "2024-06-01", "therapy": "mwa", "lesionIds": ["L1", "L3"], "approach": "laparoscopic", "intent": "curative" }
      ],
      "recistBaseline": { "date": "2024-02-20", "targetLesionIds": ["L2", "N1"], "nonTargetLesionIds": ["B1"] },
      "followUps": [
        { "date": "2024-04-15", "modality": "pet-ct",
          "lesions": [
            { "lesionId": "L1", "status": "present", "ablationZone": { "enhancingTissue": false, "diameterMm": 41.25 } },
            { "lesionId": "L2", "status": "present", "longestDiameterMm": 14.2 },
            { "lesionId": "N1", "status": "present", "longestDiameterMm": 20, "shortAxisMm": 9.9 },
            { "lesionId": "B1", "status": "not-evaluable" },
            { "lesionId": "L3", "status": "present", "ablationZone": { "enhancingTissue": true, "adjacentToZone": false } }
          ] },
        { "date": "2024-04-15", "modality": "us", "lesions": [ { "lesionId": "L1", "status": "present", "ablationZone": { } } ] },
        { "date": "2024-09-30", "modality": "mri",
          "lesions": [
            { "lesionId": "L2", "status": "absent", "longestDiameterMm": 0 },
            { "lesionId": "N1", "status": "present", "shortAxisMm": 10 },
            { "lesionId": "B1", "status": "present", "unequivocalProgression": true }
          ],
          "newLesions": [ { "organ": "lung", "location": "right middle lobe", "sizeMm": 6 }, { "location": "adrenal" }, { "organ": "liver" } ] },
        { "date": "2024-12-02", "lesions": [] }
      ],
      "survival": { "lastContactDate": "2025-01-20", "vitalStatus": "dead", "deathDate": "2025-01-20" }
    }
    """;

    /// <summary>Dead, date of death unknown; no RECIST baseline (targets are proposed); a colon primary.</summary>
    public const string DeadWithoutDate = """
    {
      "caseId": "HB-DEAD",
      "patient": { "primary": { "site": "colon" } },
      "lesions": [ { "id": "L1", "organ": "liver", "location": "segment 6", "longestDiameterMm": 28 }, { "id": "L2", "organ": "liver", "longestDiameterMm": 33 } ],
      "treatments": [ { "id": "T1", "date": "2023-11-01", "therapy": "mwa", "lesionIds": ["L1"] } ],
      "followUps": [ { "date": "2024-01-10", "modality": "ct", "lesions": [ { "lesionId": "L2", "status": "present", "longestDiameterMm": 20 } ] } ],
      "survival": { "vitalStatus": "dead" }
    }
    """;

    /// <summary>Alive, last contact only; no primary recorded.</summary>
    public const string AliveNoPrimary = """
    {
      "caseId": "HB-ALIVE",
      "lesions": [ { "id": "L1", "organ": "lung", "longestDiameterMm": 9 } ],
      "treatments": [ { "id": "T1", "date": "2022-05-05", "therapy": "rfa", "lesionIds": ["L1"], "technicalSuccess": true } ],
      "survival": { "lastContactDate": "2025-05-05", "vitalStatus": "alive" }
    }
    """;

    public static IEnumerable<(string Name, MetastaticCase Case)> All()
    {
        foreach (var file in SampleFiles())
        {
            yield return (Path.GetFileName(file), Read(File.ReadAllText(file)));
        }

        yield return ("EveryField", Read(EveryField));
        yield return ("DeadWithoutDate", Read(DeadWithoutDate));
        yield return ("AliveNoPrimary", Read(AliveNoPrimary));
    }

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var (name, _) in All())
        {
            data.Add(name);
        }

        return data;
    }

    public static MetastaticCase ByName(string name) => All().Single(c => c.Name == name).Case;

    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    /// <summary>
    /// What the bundle carries of a case, as text (records holding lists compare by reference, text compares by value):
    /// the case id, the primary site, age, ECOG, CEA, RAS and BRAF, each lesion's id, organ, location and baseline sizes, and the whole follow-up part.
    /// Dates move by <paramref name="shiftDays"/> (the pseudonymised expectation).
    /// </summary>
    public static string Carried(MetastaticCase c, int shiftDays = 0, string? caseId = null)
    {
        var h = c.FollowUp;
        DateOnly? S(DateOnly? d) => d?.AddDays(shiftDays);
        var shape = new
        {
            caseId = caseId ?? c.CaseId,
            primarySite = c.Patient.Primary?.Site,
            c.Patient.AgeYears, c.Patient.Ecog, c.Patient.CeaNgPerMl, c.Patient.RasStatus, c.Patient.BrafStatus,
            lesions = c.Lesions.Select(l => new { l.Id, l.Organ, l.Location, l.LongestDiameterMm, l.ShortAxisMm }).ToList(),
            followUp = h is null ? null : new
            {
                treatments = h.Treatments.Select(t => t with { Date = t.Date.AddDays(shiftDays) }).ToList(),
                followUps = h.FollowUps.Select(f => f with { Date = f.Date.AddDays(shiftDays) }).ToList(),
                baseline = h.RecistBaseline is { } b ? b with { Date = S(b.Date) } : null,
                survival = h.Survival is { } s ? s with { LastContactDate = S(s.LastContactDate), DeathDate = S(s.DeathDate) } : null,
            },
        };
        return JsonSerializer.Serialize(shape, Options);
    }
}
