using System.Globalization;
using System.Text.Json.Nodes;
using static LocalControl.Cli.Tests.CliRunner;

namespace LocalControl.Cli.Tests.Imaging;

/// <summary>measure takes a TotalSegmentator output folder, and a multi-label file with a built-in label convention.</summary>
public sealed class SegmentationFolderCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "lc-cli-seg-" + Guid.NewGuid().ToString("N"));

    public SegmentationFolderCommandTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Measure_reads_a_totalsegmentator_folder_with_its_roles_and_warnings()
    {
        var folder = Path.Combine(_dir, "segmentations");
        Python(Path.Combine(RepoRoot(), "tests", "LocalControl.Imaging.Tests", "Formats", "Segmentations", "make_totalseg_folder.py"), folder, Path.Combine(_dir, "expected.raw"));
        // The tumour's volume from nibabel: voxels x voxel volume (0.8 x 0.8 x 2.5 mm).
        var voxels = int.Parse(Python("-c", "import sys,nibabel as nib,numpy as np;print(int((np.asanyarray(nib.load(sys.argv[1]).dataobj)>0).sum()))", Path.Combine(folder, "liver_tumor.nii.gz")).Trim(), CultureInfo.InvariantCulture);

        var (code, json, err) = Run("measure", "--labels", folder);
        Assert.True(code == 0, err);
        var root = JsonNode.Parse(json)!;
        var lesions = root["lesions"]!.AsArray();
        Assert.Single(lesions);
        Assert.Equal(Math.Round(voxels * 0.8 * 0.8 * 2.5 / 1000, 3), (double)lesions[0]!["volumeMl"]!, 3);
        Assert.Equal("liver", (string?)lesions[0]!["organ"]);
        Assert.Equal("tumour", (string?)root["source"]!["labelTable"]!["119"]!["role"]);
        Assert.Equal("portal-vein", (string?)root["source"]!["labelTable"]!["64"]!["role"]);
        Assert.Contains(root["warnings"]!.AsArray(), w => (string?)w!["code"] == "LC-SEG-W01");
    }

    [Fact]
    public void Measure_takes_a_built_in_label_convention_by_name()
    {
        var path = Path.Combine(_dir, "lits.nii.gz");
        Python("-c", """
import sys, numpy as np, nibabel as nib
i, j, k = np.indices((30, 30, 12))
m = np.zeros((30, 30, 12), np.uint8)
m[3:27, 3:27, 1:11] = 1
m[((i - 15) ** 2 + (j - 15) ** 2 + ((k - 6) * 2) ** 2) <= 16] = 2
nib.save(nib.Nifti1Image(m, np.diag([1.0, 1.0, 2.0, 1.0])), sys.argv[1])
""", path);
        var (code, json, err) = Run("measure", "--labels", path, "--label-table", "lits");
        Assert.True(code == 0, err);
        var root = JsonNode.Parse(json)!;
        Assert.Single(root["lesions"]!.AsArray());
        Assert.Equal("tumour", (string?)root["source"]!["labelTable"]!["2"]!["role"]);

        var (code2, _, err2) = Run("measure", "--labels", path, "--label-table", "no-such-table");
        Assert.Equal(2, code2);
        Assert.Contains("no-such-table", err2, StringComparison.Ordinal);
    }
}
