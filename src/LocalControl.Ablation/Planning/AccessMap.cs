using LocalControl.Imaging.Distance;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Ablation.Planning;

/// <summary>
/// Per voxel of the label grid, whether a needle may pass: <see cref="Passable"/>, <see cref="Outside"/> (background,
/// label 0: outside the body) or the number (1…) of the forbidden structure in <see cref="StructureNames"/>.
/// Forbidden: bile duct, bowel, stomach, gallbladder, bone, heart, lung and pleura (unless the target lies in the lung),
/// large bronchus, trachea, oesophagus, liver hilum, spinal cord, nerve roots, brachial plexus — minus the target's own
/// organ — and vessels of at least <see cref="PlanRequest.MaxCrossableVesselCalibreMm"/>: a vessel voxel blocks when
/// it lies in a ball of that diameter fitting inside the vessel mask (the morphological opening of the vessel mask by
/// that ball, computed with two exact distance transforms, read conservatively on the voxel grid), so the calibre is the
/// vessel's local thickness.
/// </summary>
public sealed class AccessMap
{
    /// <summary>A needle may pass.</summary>
    public const byte Passable = 0;

    /// <summary>Background (label 0): outside the body.</summary>
    public const byte Outside = 255;

    /// <summary>The roles a needle must not cross (the target organ is taken out of it).</summary>
    public static readonly IReadOnlyList<LabelRole> ForbiddenRoles =
    [
        LabelRole.BileDuct, LabelRole.Bowel, LabelRole.Stomach, LabelRole.Gallbladder, LabelRole.Bone, LabelRole.Heart,
        LabelRole.Lung, LabelRole.Pleura, LabelRole.LargeBronchus, LabelRole.Trachea, LabelRole.Oesophagus, LabelRole.Hilum,
        LabelRole.SpinalCord, LabelRole.NerveRoot, LabelRole.BrachialPlexus,
    ];

    private AccessMap(byte[] classes, IReadOnlyList<string> names)
    {
        Classes = classes;
        StructureNames = names;
    }

    /// <summary>The class of every voxel of the label grid (i fastest).</summary>
    public byte[] Classes { get; }

    /// <summary>Name of forbidden class c at index c − 1 (a role name, or "vessel ≥ N mm").</summary>
    public IReadOnlyList<string> StructureNames { get; }

    /// <summary>The structure a class stands for.</summary>
    public string NameOf(byte cls) => cls == Outside ? "outside the body" : cls == Passable ? "passable" : StructureNames[cls - 1];

    /// <summary>Builds the map for a target in <paramref name="targetOrgan"/>.</summary>
    public static AccessMap Build(LabelMap map, LabelRole targetOrgan, double maxCrossableVesselCalibreMm, int? maxDegreeOfParallelism = null)
    {
        ArgumentNullException.ThrowIfNull(map);
        var names = new List<string>();
        var byRole = new Dictionary<LabelRole, byte>();
        foreach (var role in ForbiddenRoles)
        {
            if (role == targetOrgan || (targetOrgan == LabelRole.Lung && role == LabelRole.Pleura))
            {
                continue;
            }

            names.Add(role.Name());
            byRole[role] = (byte)names.Count;
        }

        names.Add(FormattableString.Invariant($"vessel of {maxCrossableVesselCalibreMm:0.#} mm or more"));
        var vesselClass = (byte)names.Count;
        var lookup = new Dictionary<int, byte>();
        var vesselValues = new HashSet<int>();
        foreach (var e in map.Table.Entries)
        {
            if (e.Role.IsVessel())
            {
                vesselValues.Add(e.Value);
            }

            lookup[e.Value] = byRole.GetValueOrDefault(e.Role, Passable);
        }

        var labels = map.Labels.Buffer;
        var classes = new byte[labels.Length];
        var vesselMask = vesselValues.Count > 0 ? new byte[labels.Length] : null;
        var anyVessel = false;
        int lastValue = int.MinValue;
        byte lastClass = 0;
        for (var n = 0; n < labels.Length; n++)
        {
            var v = labels[n];
            if (v == 0)
            {
                classes[n] = Outside;
                continue;
            }

            if (v != lastValue)
            {
                lastValue = v;
                lastClass = lookup.GetValueOrDefault(v, Passable);
            }

            classes[n] = lastClass;
            if (vesselMask is not null && vesselValues.Contains(v))
            {
                vesselMask[n] = 1;
                anyVessel = true;
            }
        }

        if (anyVessel)
        {
            MarkLargeVessels(map.Labels.Geometry, vesselMask!, classes, vesselClass, maxCrossableVesselCalibreMm, maxDegreeOfParallelism);
        }

        return new AccessMap(classes, names);
    }

    /// <summary>Vessel voxels in a ball of diameter ≥ <paramref name="calibreMm"/> inside the vessel mask (opening by that ball).</summary>
    private static void MarkLargeVessels(Imaging.Geometry.ImageGeometry g, byte[] vesselMask, byte[] classes, byte vesselClass, double calibreMm, int? threads)
    {
        var options = new EdtOptions { MaxDegreeOfParallelism = threads };
        var h = Math.Min(g.SpacingMm.X, Math.Min(g.SpacingMm.Y, g.SpacingMm.Z));
        if (calibreMm <= 0)
        {
            for (var n = 0; n < vesselMask.Length; n++)
            {
                if (vesselMask[n] != 0)
                {
                    classes[n] = vesselClass;
                }
            }

            return;
        }

        // The core holds the centres of balls of the calibre's radius that contain no non-vessel voxel centre. On a
        // rasterised vessel the inside distance runs from about the radius (staircase walls) to the radius plus half a
        // voxel, so the conservative reading is taken: a vessel a little under the limit may block, never one over it.
        var inside = EuclideanDistance.SquaredDistance(vesselMask, g.Size, VolumeBox.Whole(g.Size), g.SpacingMm, sitesAreForeground: false, options);
        var coreRadius = calibreMm / 2;
        var core = new byte[vesselMask.Length];
        var anyCore = false;
        for (var n = 0; n < core.Length; n++)
        {
            if (vesselMask[n] != 0 && inside[n] >= coreRadius * coreRadius)
            {
                core[n] = 1;
                anyCore = true;
            }
        }

        if (!anyCore)
        {
            return;
        }

        var toCore = EuclideanDistance.SquaredDistance(core, g.Size, VolumeBox.Whole(g.Size), g.SpacingMm, sitesAreForeground: true, options);
        // Dilated back by the radius plus one voxel, so the single voxels a staircase wall sticks out are covered too.
        var reach = (calibreMm / 2) + h;
        var reach2 = reach * reach;
        for (var n = 0; n < core.Length; n++)
        {
            if (vesselMask[n] != 0 && toCore[n] <= reach2)
            {
                classes[n] = vesselClass;
            }
        }
    }
}
