using System.Globalization;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Imaging.Formats.Segmentations;

/// <summary>
/// A folder of binary NIfTI masks, one per structure, named after it — what TotalSegmentator writes
/// (<c>liver.nii.gz</c>, <c>portal_vein_and_splenic_vein.nii.gz</c>, <c>liver_tumor.nii.gz</c> …) — read as one
/// label map with a label table. Names are looked up in the <c>totalsegmentator</c> table (values and roles are data,
/// see <see cref="BuiltInLabelTables"/>); other names get a role from their name when it is one
/// (<c>tumour.nii.gz</c>, <c>portal-vein.nii.gz</c>) and the values after the table's, with warning LC-SEG-W01 for
/// those without a role. Every mask must be on the first mask's grid (LC-SEG-002 names both files and what differs;
/// checked from the headers before any voxel is read). Where masks overlap, tumour wins over vessels and vessels over
/// organs (a tumour inside the liver stays tumour; LC-SEG-W02 counts the voxels). Masks are inflated in parallel.
/// </summary>
public sealed class SegmentationFolderFormat : IVolumeFormat
{
    /// <summary>Error: the folder cannot be read as masks (no NIfTI file, a mask that is not a label map).</summary>
    public const string UnreadableCode = "LC-SEG-001";

    /// <summary>Error: two masks are not on the same voxel grid.</summary>
    public const string GeometryCode = "LC-SEG-002";

    /// <inheritdoc />
    public string Name => "segmentation-folder";

    /// <summary>
    /// A folder whose top level holds NIfTI files (<c>.nii</c>, <c>.nii.gz</c>) and no more other files than those
    /// (TotalSegmentator may add <c>statistics.json</c>); a DICOM folder has none.
    /// </summary>
    public bool IsMatch(string path, ReadOnlySpan<byte> head)
    {
        if (!Directory.Exists(path))
        {
            return false;
        }

        var masks = 0;
        var others = 0;
        foreach (var f in Directory.EnumerateFiles(path))
        {
            if (IsNifti(f))
            {
                masks++;
            }
            else if (!f.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && !Path.GetFileName(f).StartsWith('.'))
            {
                others++;
            }
        }

        return masks > 0 && masks >= others;
    }

    /// <inheritdoc />
    public ImageInfo Identify(string path, ImagingReadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (masks, geometry, table, warnings) = Plan(path, options);
        options.Budget.CheckVoxels(geometry.Size.VoxelCount, sizeof(int), path, "mask size");
        GC.KeepAlive(masks);
        GC.KeepAlive(table);
        return new ImageInfo(Name, path, geometry, VoxelType.Int32, warnings: warnings);
    }

    /// <inheritdoc />
    public LoadedImage Load(string path, ImagingReadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (masks, geometry, table, warnings) = Plan(path, options);
        options.Budget.CheckVoxels(geometry.Size.VoxelCount, sizeof(int), path, "mask size");
        var labels = new int[geometry.Size.VoxelCount];
        var rank = new int[masks.Max(m => m.Label) + 1];
        foreach (var m in masks)
        {
            rank[m.Label] = Priority(table.Find(m.Label)!.Role) * 65536 + m.Label;
        }

        long overlaps = 0;
        var empty = new List<string>();
        var gate = new Lock();
        try
        {
            Parallel.ForEach(masks, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Math.Min(Environment.ProcessorCount, 4)) }, m =>
            {
                var image = VolumeFormats.Load(m.File, options);
                lock (gate)
                {
                    var (painted, overlapped) = Paint(image, m, labels, rank);
                    overlaps += overlapped;
                    if (painted == 0)
                    {
                        empty.Add(m.Structure);
                    }
                }
            });
        }
        catch (AggregateException ex) when (ex.Flatten().InnerExceptions.FirstOrDefault(e => e is ImagingException) is ImagingException first)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
        }

        if (overlaps > 0)
        {
            warnings.Add(new ImagingWarning("LC-SEG-W02",
                string.Create(CultureInfo.InvariantCulture, $"masks overlap: {overlaps} voxel claims fell on voxels another mask had claimed (a voxel in k masks counts k - 1); tumour was kept over vessels, vessels over other structures")));
        }

        if (empty.Count > 0)
        {
            warnings.Add(new ImagingWarning("LC-SEG-W03",
                $"{empty.Count} mask(s) are empty (structures not found by the segmenter): {string.Join(", ", empty.Order(StringComparer.Ordinal).Take(20))}{(empty.Count > 20 ? " …" : "")}", WarningSeverity.Info));
        }

        return new LoadedImage(new ImageInfo(Name, path, geometry, VoxelType.Int32, warnings: warnings), labels) { LabelTable = table };
    }

    private sealed record Mask(string File, string Structure, int Label);

    /// <summary>The masks with their labels, the common grid (from the headers), the table and the name warnings.</summary>
    private static (List<Mask> Masks, ImageGeometry Geometry, LabelTable Table, List<ImagingWarning> Warnings) Plan(string path, ImagingReadOptions options)
    {
        var files = Directory.EnumerateFiles(path).Where(IsNifti).Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
        {
            throw new ImagingException(UnreadableCode, "the folder holds no NIfTI mask (.nii or .nii.gz)", path);
        }

        var known = BuiltInLabelTables.TotalSegmentator;
        var table = new LabelTable();
        var masks = new List<Mask>(files.Count);
        var next = known.Table.Entries.Max(e => e.Value) + 1;
        var unmapped = new List<string>();
        foreach (var f in files)
        {
            var structure = StructureName(f);
            var entry = known.FindByName(structure);
            if (entry is null)
            {
                var role = LabelRoles.Parse(structure) ?? LabelRole.Other;
                if (role == LabelRole.Other)
                {
                    unmapped.Add(structure);
                }

                entry = new LabelEntry(next++, structure, role);
            }
            else
            {
                entry = entry with { Name = structure };
            }

            table.Set(entry);
            masks.Add(new Mask(f, structure, entry.Value));
        }

        // Geometry from the headers, before anything is inflated.
        ImageGeometry? first = null;
        string? firstFile = null;
        var infos = new ImageInfo[files.Count];
        Parallel.For(0, files.Count, i => infos[i] = VolumeFormats.Identify(files[i], options));
        for (var i = 0; i < files.Count; i++)
        {
            var g = infos[i].Geometry;
            if (infos[i].FrameCount != 1)
            {
                throw new ImagingException(UnreadableCode, $"a mask must be 3-D; this one has {infos[i].FrameCount} frames", files[i]);
            }

            if (first is null)
            {
                first = g;
                firstFile = files[i];
            }
            else if (!g.IsSameGridAs(first))
            {
                throw new ImagingException(GeometryCode, $"this mask is not on the grid of {Path.GetFileName(firstFile)}: {Difference(first, g)}; all masks of a folder must share one grid", files[i], "geometry");
            }
        }

        var warnings = new List<ImagingWarning>();
        if (unmapped.Count > 0)
        {
            warnings.Add(new ImagingWarning("LC-SEG-W01",
                $"{unmapped.Count} structure(s) not in the TotalSegmentator table and without a role in their name, kept with role 'other' (not measured): {string.Join(", ", unmapped.Take(20))}{(unmapped.Count > 20 ? " …" : "")}"));
        }

        return (masks, first!, table, warnings);
    }

    private static (long Painted, long Overlapped) Paint(LoadedImage image, Mask m, int[] labels, int[] rank)
    {
        var label = m.Label;
        var mine = rank[label];
        long painted = 0;
        long overlapped = 0;
        if (image.StoredVoxels is byte[] bytes && image.Info.ScaleSlope == 1 && image.Info.ScaleIntercept == 0)
        {
            // TotalSegmentator's uint8 masks: skip the zero runs with a vectorised search.
            var span = bytes.AsSpan();
            var at = 0;
            while (true)
            {
                var next = span[at..].IndexOfAnyExcept((byte)0);
                if (next < 0)
                {
                    break;
                }

                at += next;
                var end = span[at..].IndexOf((byte)0);
                end = end < 0 ? span.Length : at + end;
                for (var i = at; i < end; i++)
                {
                    Set(i);
                }

                at = end;
                if (at >= span.Length)
                {
                    break;
                }
            }
        }
        else
        {
            var values = image.ToLabelVolume().Buffer;
            for (var i = 0; i < values.Length; i++)
            {
                if (values[i] != 0)
                {
                    Set(i);
                }
            }
        }

        return (painted, overlapped);

        void Set(int i)
        {
            painted++;
            var current = labels[i];
            if (current == 0)
            {
                labels[i] = label;
                return;
            }

            overlapped++;
            if (rank[current] < mine)
            {
                labels[i] = label;
            }
        }
    }

    private static int Priority(LabelRole role) => role switch
    {
        LabelRole.Tumour => 3,
        _ when role.IsVessel() => 2,
        _ => 1,
    };

    private static string Difference(ImageGeometry a, ImageGeometry b)
    {
        if (a.Size != b.Size)
        {
            return $"size {b.Size.I} x {b.Size.J} x {b.Size.K}, not {a.Size.I} x {a.Size.J} x {a.Size.K}";
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"spacing ({b.SpacingMm.X:G6}, {b.SpacingMm.Y:G6}, {b.SpacingMm.Z:G6}) mm, origin ({b.OriginLps.X:G6}, {b.OriginLps.Y:G6}, {b.OriginLps.Z:G6}) LPS against ({a.SpacingMm.X:G6}, {a.SpacingMm.Y:G6}, {a.SpacingMm.Z:G6}) mm, ({a.OriginLps.X:G6}, {a.OriginLps.Y:G6}, {a.OriginLps.Z:G6}) LPS, or another direction");
    }

    private static bool IsNifti(string file) =>
        file.EndsWith(".nii.gz", StringComparison.OrdinalIgnoreCase) || file.EndsWith(".nii", StringComparison.OrdinalIgnoreCase);

    private static string StructureName(string file)
    {
        var name = Path.GetFileName(file);
        return name.EndsWith(".nii.gz", StringComparison.OrdinalIgnoreCase) ? name[..^7] : name[..^4];
    }
}
