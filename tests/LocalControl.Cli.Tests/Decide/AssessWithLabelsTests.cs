using System.Text.Json;
using static LocalControl.Cli.Tests.CliRunner;

namespace LocalControl.Cli.Tests.Decide;

/// <summary><c>assess --labels</c>: lesion sizes and distances measured from a label map fill the case.</summary>
public class AssessWithLabelsTests
{
    private static string Imaging(string file) => Path.Combine(RepoRoot(), "samples", "imaging", file);

    [Fact]
    public void Measured_values_fill_the_case_and_are_reported_as_measured()
    {
        var (code, output, err) = Run("assess", Imaging("phantom-case.json"), "--labels", Imaging("labels.nii.gz"),
            "--label-table", Imaging("label-table.json"), "--format", "json");
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(output);
        var lesions = doc.RootElement.GetProperty("lesions");
        Assert.Equal(3, lesions.GetArrayLength());

        // Without the label map the same case has no sizes: every thermal option is unknown.
        var (_, typedOnly, _) = Run("assess", Imaging("phantom-case.json"), "--format", "json");
        var before = JsonDocument.Parse(typedOnly).RootElement.GetProperty("lesions")[0].GetProperty("options")
            .EnumerateArray().Single(o => o.GetProperty("therapy").GetString() == "rfa");
        Assert.Equal("unknown", before.GetProperty("eligibility").GetString());
        var after = lesions[0].GetProperty("options").EnumerateArray().Single(o => o.GetProperty("therapy").GetString() == "rfa");
        Assert.NotEqual("unknown", after.GetProperty("eligibility").GetString());
        var size = after.GetProperty("criteria").EnumerateArray().Single(c => c.GetProperty("id").GetString() == "size-thermal-ablation");
        Assert.Equal("met", size.GetProperty("status").GetString());

        var (_, text, _) = Run("assess", Imaging("phantom-case.json"), "--labels", Imaging("labels.nii.gz"), "--label-table", Imaging("label-table.json"));
        Assert.Contains("measured from images: longestDiameterMm", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Typed_values_are_replaced_with_a_note_unless_preferred()
    {
        var typed = File.ReadAllText(Imaging("phantom-case.json")).Replace("\"id\": \"T1\", \"organ\": \"liver\",", "\"id\": \"T1\", \"organ\": \"liver\", \"longestDiameterMm\": 45,", StringComparison.Ordinal);
        using var file = new TempFile(typed);
        var (code, _, err) = Run("assess", file.Path, "--labels", Imaging("labels.nii.gz"), "--label-table", Imaging("label-table.json"), "--format", "json");
        Assert.Equal(0, code);
        Assert.Contains("replaces typed 45", err, StringComparison.Ordinal);
        (code, _, err) = Run("assess", file.Path, "--labels", Imaging("labels.nii.gz"), "--label-table", Imaging("label-table.json"), "--prefer-typed");
        Assert.Equal(0, code);
        Assert.Contains("typed 45 kept", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Label_options_without_labels_and_a_bad_label_file_exit_2()
    {
        Assert.Equal(2, Run("assess", Imaging("phantom-case.json"), "--prefer-typed").ExitCode);
        using var garbage = new TempFile("not an image", ".nii");
        var (code, _, err) = Run("assess", Imaging("phantom-case.json"), "--labels", garbage.Path, "--label-table", Imaging("label-table.json"));
        Assert.Equal(2, code);
        Assert.Contains(garbage.Path, err, StringComparison.Ordinal);
    }
}
