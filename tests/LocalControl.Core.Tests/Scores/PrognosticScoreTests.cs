using LocalControl.Core.Cases;
using LocalControl.Core.Scores;
using static LocalControl.Core.Tests.TestCases;

namespace LocalControl.Core.Tests.Scores;

public class PrognosticScoreTests
{
    [Fact]
    public void Fong_score_counts_its_five_criteria()
    {
        var patient = FitPatient with
        {
            Primary = new PrimaryTumour { NodePositive = true, Resected = true },
            DiseaseFreeIntervalMonths = 11.9,
            CeaNgPerMl = 201,
        };
        var s = PrognosticScoreCalculator.Compute(Case(patient, IdealLiverLesion("L1", 51), IdealLiverLesion("L2", 20))).Fong!;
        Assert.Equal(5, s.Value);
        Assert.Equal("high risk (3-5)", s.RiskGroup);

        var low = PrognosticScoreCalculator.Compute(Case(FitPatient with { DiseaseFreeIntervalMonths = 12, CeaNgPerMl = 200 }, IdealLiverLesion("L1", 50))).Fong!;
        Assert.Equal(0, low.Value);
    }

    [Fact]
    public void An_incomplete_fong_score_gives_its_range_and_the_missing_fields()
    {
        var patient = new Patient { CeaNgPerMl = 250 };
        var s = PrognosticScoreCalculator.Compute(Case(patient, IdealLiverLesion("L1", 30))).Fong!;
        Assert.Null(s.Value);
        Assert.Equal(1, s.Minimum);
        Assert.Equal(3, s.Maximum);
        Assert.Contains("patient.primary.nodePositive", s.Missing);
        Assert.Contains("patient.diseaseFreeIntervalMonths", s.Missing);
    }

    [Theory]
    [InlineData(20, 1, 2.24, 0)]   // sqrt(2^2 + 1^2)
    [InlineData(30, 3, 4.24, 1)]   // sqrt(9 + 9)
    [InlineData(60, 8, 10.0, 2)]   // sqrt(36 + 64) = 10
    public void Tumour_burden_score_uses_centimetres_and_count(double largestMm, int count, double expected, int gamePoints)
    {
        var lesions = Enumerable.Range(1, count).Select(i => IdealLiverLesion($"L{i}", i == 1 ? largestMm : 10)).ToArray();
        var scores = PrognosticScoreCalculator.Compute(Case(lesions));
        Assert.Equal(expected, scores.TumourBurden!.Value!.Value, 2);
        Assert.Equal(gamePoints, scores.Game!.Components.Single(c => c.Name.StartsWith("Tumour burden", StringComparison.Ordinal)).Points);
    }

    [Fact]
    public void Game_score_adds_ras_cea_nodes_burden_and_extrahepatic_disease()
    {
        var patient = FitPatient with { RasStatus = MutationStatus.Mutant, CeaNgPerMl = 20, Primary = new PrimaryTumour { NodePositive = true } };
        var s = PrognosticScoreCalculator.Compute(Case(patient, IdealLiverLesion("L1", 30), IdealLiverLesion("L2", 10), IdealLiverLesion("L3", 10), IdealLungLesion())).Game!;
        // KRAS 1 + CEA>=20 1 + N+ 1 + TBS sqrt(9+9)=4.24 → 1 + extrahepatic 2 = 6
        Assert.Equal(6, s.Value);
        Assert.Equal("high (≥ 4)", s.RiskGroup);
    }

    [Fact]
    public void Scores_do_not_apply_without_liver_metastases()
    {
        var scores = PrognosticScoreCalculator.Compute(Case(IdealLungLesion()));
        Assert.Null(scores.Fong);
        Assert.Null(scores.Game);
        Assert.Null(scores.TumourBurden);
    }
}
