using System.Globalization;
using System.Text.Json.Nodes;
using LocalControl.Core.Cases;
using LocalControl.Follow.Survival;

namespace LocalControl.Follow.Tests.Survival;

/// <summary>
/// The web app's cohort cache keeps each case's part of a cohort per version and joins the parts. The join must give
/// exactly the cohort built over all cases at once — same subjects and exclusions, same order — for every end point
/// and grouping, on a seeded mix that hits every branch of the rules (LTP yes/no/unknown, no local treatment, no
/// survival record, dead without a date, missing sizes and margins, several local treatments on one day).
/// </summary>
public sealed class CohortJoinTests
{
    [Fact]
    public void Joining_per_case_parts_gives_the_cohort_of_all_cases_for_every_end_point_and_grouping()
    {
        var cases = Cases(300, seed: 20261203);
        foreach (var endpoint in Enum.GetValues<CohortEndpoint>())
        {
            foreach (var by in Enum.GetValues<CohortGrouping>())
            {
                var whole = CohortOutcomes.Build(cases, endpoint, by);
                var joined = CohortOutcomes.Join(endpoint, by, [.. cases.Select(c => CohortOutcomes.Build([c], endpoint, by))]);
                Assert.True(whole.Subjects.Count > 20 && whole.Excluded.Count > 5, $"{endpoint} by {by}: the mix must exercise both lists");
                Assert.Equal(whole.Subjects, joined.Subjects);
                Assert.Equal(whole.Excluded, joined.Excluded);
                var a = CohortView.Compute(whole);
                var b = CohortView.Compute(joined);
                Assert.Equal(a.Analysis.LogRank?.ChiSquare, b.Analysis.LogRank?.ChiSquare);
            }
        }
    }

    [Fact]
    public void A_part_of_another_end_point_or_grouping_is_refused()
    {
        var cases = Cases(3, seed: 1);
        var part = CohortOutcomes.Build([cases[0]], CohortEndpoint.Ltp, CohortGrouping.Size);
        Assert.Throws<ArgumentException>(() => CohortOutcomes.Join(CohortEndpoint.Ltp, CohortGrouping.Tool, [part]));
        Assert.Throws<ArgumentException>(() => CohortOutcomes.Join(CohortEndpoint.Os, CohortGrouping.Size, [part]));
    }

    private static List<MetastaticCase> Cases(int n, int seed)
    {
        static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var rng = new Random(seed);
        string[] ablations = ["rfa", "mwa", "cryoablation", "ire"];
        string[] ras = ["wild-type", "mutant", "unknown"];
        string[] organs = ["liver", "liver", "lung", "bone"];
        var list = new List<MetastaticCase>(n);
        for (var c = 0; c < n; c++)
        {
            var treated = new DateOnly(2022, 1, 1).AddDays(rng.Next(0, 900));
            var lesionCount = rng.Next(1, 4);
            var kind = rng.Next(5); // 0: systemic only; 1: an ablation of L1 and a resection on one day; else ablation of all
            var lesions = new JsonArray();
            var first = new JsonArray();
            var later = new JsonArray();
            for (var l = 1; l <= lesionCount; l++)
            {
                var lesion = new JsonObject { ["id"] = $"L{l}", ["organ"] = organs[rng.Next(organs.Length)], ["location"] = $"site {l}" };
                if (rng.Next(5) > 0)
                {
                    lesion["longestDiameterMm"] = rng.Next(8, 50);
                }
                lesions.Add(lesion);
                var ablated = kind >= 2 || (kind == 1 && l == 1);
                if (!ablated)
                {
                    continue; // not followed here
                }
                if (rng.Next(6) > 0) // otherwise never assessed: LTP unknown
                {
                    first.Add(new JsonObject { ["lesionId"] = $"L{l}", ["status"] = "present", ["ablationZone"] = new JsonObject { ["enhancingTissue"] = false } });
                    var ltp = rng.NextDouble() < 0.3;
                    later.Add(new JsonObject
                    {
                        ["lesionId"] = $"L{l}", ["status"] = "present",
                        ["ablationZone"] = ltp ? new JsonObject { ["enhancingTissue"] = true, ["adjacentToZone"] = true } : new JsonObject { ["enhancingTissue"] = false },
                    });
                }
            }
            var ids = new JsonArray([.. Enumerable.Range(1, lesionCount).Select(l => (JsonNode)$"L{l}")]);
            var treatments = new JsonArray();
            switch (kind)
            {
                case 0: // systemic only: no local treatment
                    treatments.Add(new JsonObject { ["id"] = "T1", ["date"] = Iso(treated), ["therapy"] = "systemic", ["regimen"] = "FOLFOX" });
                    break;
                case 1: // two local treatments on one day
                    treatments.Add(new JsonObject { ["id"] = "T1", ["date"] = Iso(treated), ["therapy"] = ablations[rng.Next(4)], ["lesionIds"] = new JsonArray("L1") });
                    treatments.Add(new JsonObject { ["id"] = "T2", ["date"] = Iso(treated), ["therapy"] = "resection", ["lesionIds"] = new JsonArray(lesionCount > 1 ? "L2" : "L1") });
                    break;
                default:
                    var t = new JsonObject { ["id"] = "T1", ["date"] = Iso(treated), ["therapy"] = ablations[rng.Next(4)], ["lesionIds"] = ids, ["technicalSuccess"] = true };
                    if (rng.Next(3) > 0)
                    {
                        t["minimalAblativeMarginMm"] = Math.Round(rng.NextDouble() * 15, 1);
                    }
                    treatments.Add(t);
                    break;
            }
            var last = treated.AddDays(60 + rng.Next(0, 1400));
            var root = new JsonObject
            {
                ["caseId"] = $"C{c:D4}",
                ["patient"] = new JsonObject { ["rasStatus"] = ras[rng.Next(3)] },
                ["lesions"] = lesions,
                ["treatments"] = treatments,
                ["followUps"] = new JsonArray(
                    new JsonObject { ["date"] = Iso(treated.AddDays(30)), ["modality"] = "ct", ["lesions"] = first },
                    new JsonObject { ["date"] = Iso(last), ["modality"] = "ct", ["lesions"] = later }),
            };
            root["survival"] = rng.Next(6) switch
            {
                0 => null,
                1 => new JsonObject { ["vitalStatus"] = "dead" },
                2 => new JsonObject { ["vitalStatus"] = "dead", ["deathDate"] = Iso(last.AddDays(rng.Next(1, 400))) },
                _ => new JsonObject { ["vitalStatus"] = "alive", ["lastContactDate"] = Iso(last.AddDays(rng.Next(1, 400))) },
            };
            if (root["survival"] is null)
            {
                root.Remove("survival");
            }
            list.Add(CaseBuilder.Read(root.ToJsonString()));
        }
        return list;
    }
}
