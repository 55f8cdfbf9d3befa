using System.Globalization;
using System.Text.Json.Nodes;
using static LocalControl.Cli.Tests.CliRunner;

namespace LocalControl.Cli.Tests.Imaging;

/// <summary><c>info --label-table</c> lists the label values present (counts from numpy) and warns on those the table lacks.</summary>
public sealed class InfoLabelTableTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "lc-cli-info-" + Guid.NewGuid().ToString("N"));

    public InfoLabelTableTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Values_missing_from_a_built_in_table_are_warned_and_every_value_is_counted()
    {
        var path = Path.Combine(_dir, "m.nii.gz");
        // Values 1 and 2 are LiTS's liver and tumour; 9 and 4 are not in that table.
        var counts = JsonNode.Parse(Python("-c", """
import sys, json, numpy as np, nibabel as nib
rng = np.random.default_rng(7)
m = rng.choice(np.array([0, 1, 2, 4, 9], np.uint8), size=(17, 13, 5), p=[0.5, 0.3, 0.1, 0.05, 0.05])
nib.save(nib.Nifti1Image(m, np.eye(4)), sys.argv[1])
v, c = np.unique(m[m > 0], return_counts=True)
print(json.dumps({str(int(a)): int(b) for a, b in zip(v, c)}))
""", path))!.AsObject();

        var (code, json, err) = Run("info", path, "--label-table", "lits", "--format", "json");
        Assert.True(code == 0, err);
        var root = JsonNode.Parse(json)!;
        var labels = root["labels"]!.AsArray();
        Assert.Equal(counts.Select(c => int.Parse(c.Key, CultureInfo.InvariantCulture)), labels.Select(l => (int)l!["value"]!));
        Assert.Equal(counts.Select(c => (long)c.Value!), labels.Select(l => (long)l!["voxels"]!));
        Assert.Equal("tumour", (string?)labels.First(l => (int)l!["value"]! == 2)!["role"]);
        Assert.Null(labels.First(l => (int)l!["value"]! == 9)!["name"]);
        var warning = root["warnings"]!.AsArray().Single(w => (string?)w!["code"] == "LC-SEG-W04")!;
        Assert.Contains("4, 9", (string?)warning["message"], StringComparison.Ordinal);

        var (code2, text, _) = Run("info", path, "--label-table", "lits");
        Assert.Equal(0, code2);
        Assert.Contains("label     9: " + counts["9"] + " voxels, not in the table", text, StringComparison.Ordinal);
        Assert.Contains("LC-SEG-W04", text, StringComparison.Ordinal);

        // Without --label-table, info stays header-only: no labels, no warning.
        var (_, plain, _) = Run("info", path, "--format", "json");
        Assert.Null(JsonNode.Parse(plain)!["labels"]);
    }
}
