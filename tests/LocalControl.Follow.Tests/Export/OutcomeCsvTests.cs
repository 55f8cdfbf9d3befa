using LocalControl.Core.Cases;
using LocalControl.Follow.Export;

namespace LocalControl.Follow.Tests.Export;

public sealed class OutcomeCsvTests
{
    private static MetastaticCase Sample() =>
        CaseBuilder.Read(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "samples", "cases", "14-liver-mwa-follow-up.json")));

    private static List<string[]> Parse(string csv) =>
        [.. csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(','))];

    [Fact]
    public void The_columns_are_the_documented_ones_in_order()
    {
        // docs/follow.md, "CSV export": a contract for statisticians' scripts.
        string[] documented =
        [
            "caseId", "ageYears", "rasStatus", "lesionId", "organ", "location", "longestDiameterMm", "shortAxisMm",
            "sizeBand", "treatmentId", "treatmentDate", "therapy", "approach", "intent", "device", "technicalSuccess",
            "complicationGrade", "minimalAblativeMarginMm", "marginBand", "techniqueEfficacy", "ltpStatus", "ltpDate",
            "ltpEvent", "ltpMonths", "lastContactDate", "vitalStatus", "deathDate", "osEvent", "osMonths",
        ];
        var rows = Parse(OutcomeCsv.Write([Sample()]));
        Assert.Equal(documented, rows[0]);
        Assert.All(rows, r => Assert.Equal(documented.Length, r.Length));
    }

    [Fact]
    public void There_is_one_row_per_lesion_treatment_and_per_patient_level_treatment()
    {
        var rows = Parse(OutcomeCsv.Write([Sample()]));
        // Five lesions (one ablated) + the systemic course = 6 data rows.
        Assert.Equal(7, rows.Count);
        var l1 = rows.Single(r => r[3] == "L1");
        Assert.Equal(["T1", "2025-01-15", "mwa"], l1[9..12]);
        Assert.Equal(["4.2", "<5", "yes", "yes", "2025-09-10", "1", "7.82"], l1[17..24]);
        // OS from the first treatment 2025-01-15 to last contact 2025-10-01: 259 days / 30.4375 = 8.51 months, censored.
        Assert.Equal(["0", "8.51"], l1[27..29]);
        Assert.Equal("systemic", rows.Single(r => r[9] == "T2")[11]);
    }

    [Fact]
    public void Pseudonymised_rows_keep_intervals_but_not_the_id_or_dates()
    {
        var plain = Parse(OutcomeCsv.Write([Sample()]));
        var p = new Pseudonymisation("a-centre-secret");
        var pseudo = Parse(OutcomeCsv.Write([Sample()], p));
        var text = string.Join("\n", pseudo.Select(r => string.Join(",", r)));
        Assert.DoesNotContain("LC-SAMPLE-14", text, StringComparison.Ordinal);
        Assert.DoesNotContain("2025-01-15", text, StringComparison.Ordinal);
        var shift = p.ShiftDays("LC-SAMPLE-14");
        Assert.InRange(Math.Abs(shift), 1, Pseudonymisation.MaxShiftDays);
        var original = DateOnly.Parse(plain[1][10], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(original.AddDays(shift).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), pseudo[1][10]);
        Assert.Equal(plain[1][23], pseudo[1][23]); // months unchanged
        Assert.Equal(p.Pseudonym("LC-SAMPLE-14"), new Pseudonymisation("a-centre-secret").Pseudonym("LC-SAMPLE-14"));
        Assert.NotEqual(p.Pseudonym("LC-SAMPLE-14"), new Pseudonymisation("another-secret").Pseudonym("LC-SAMPLE-14"));
    }

    [Theory]
    [InlineData(4.9, "<5")]
    [InlineData(5.0, "5-10")]
    [InlineData(9.9, "5-10")]
    [InlineData(10.0, ">=10")]
    public void Margin_bands_split_at_5_and_10_mm(double marginMm, string band)
    {
        Assert.Equal(band, OutcomeCsv.MarginBand(marginMm));
    }
}
