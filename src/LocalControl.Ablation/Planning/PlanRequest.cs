using LocalControl.Ablation.Devices;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Ablation.Planning;

/// <summary>What to plan: one target in this patient's label map, a margin goal, the devices at hand.</summary>
public sealed record PlanRequest
{
    /// <summary>The segmentation with roles: the target organ, tumour(s), vessels, the structures to avoid, and body or skin.</summary>
    public required LabelMap Labels { get; init; }

    /// <summary>The target lesion: <c>T1</c>, <c>T2</c>… as <c>measure</c> numbers tumours; null = the single tumour.</summary>
    public string? TargetId { get; init; }

    /// <summary>Margin goal around the tumour (mm), 0–20.</summary>
    public double MarginMm { get; init; } = 5;

    /// <summary>The devices allowed (null = every device the simulator models: mwa and rfa).</summary>
    public IReadOnlyList<AblationDevice>? Devices { get; init; }

    /// <summary>Most probes (1–8).</summary>
    public int MaxProbes { get; init; } = 3;

    /// <summary>Seed of the candidate directions and zone-centre lattice: the same seed gives the same plan.</summary>
    public int Seed { get; init; }

    /// <summary>Longest insertion, skin to tip (mm).</summary>
    public double MaxDepthMm { get; init; } = 200;

    /// <summary>
    /// Where the needle may enter the skin: a box in patient space (LPS mm), e.g. the right flank the radiologist can
    /// reach with the patient supine; null = anywhere on the body surface.
    /// </summary>
    public EntryRegionLps? EntryRegion { get; init; }

    /// <summary>Largest cranio-caudal tilt of the shaft out of the axial plane (degrees), for CT-guided access.</summary>
    public double MaxCranioCaudalDeg { get; init; } = 40;

    /// <summary>Vessels of this calibre or more may not be crossed (mm); 0 = no vessel may be crossed.</summary>
    public double MaxCrossableVesselCalibreMm { get; init; } = 3;

    /// <summary>Smallest distance kept between two shafts (mm).</summary>
    public double MinShaftSeparationMm { get; init; } = 3;

    /// <summary>Confirm the plan with the bioheat simulator (heat sink of the vessels).</summary>
    public bool Confirm { get; init; } = true;

    /// <summary>Grid of the confirmation runs (mm); coarse by default so a plan takes seconds.</summary>
    public double ConfirmationGridMm { get; init; } = 2;

    /// <summary>
    /// Grid of the cryo search zone and the cryo confirmation (mm): 1 mm by default, the grid the cryo calibration was
    /// made on (the −40 °C core in perfused liver is a few millimetres thick; 2 mm under-predicts it, docs/ablation.md).
    /// </summary>
    public double CryoGridMm { get; init; } = 1;

    /// <summary>Threads (null = all cores).</summary>
    public int? MaxDegreeOfParallelism { get; init; }
}

/// <summary>A structure a trajectory passes near.</summary>
/// <param name="Structure">Role name (e.g. <c>gallbladder</c>, <c>portal-vein</c>).</param>
/// <param name="DistanceMm">Smallest distance from the shaft (entry to tip) to the structure's wall (mm): nearest voxel centre minus half a voxel.</param>
public sealed record PassNear(string Structure, double DistanceMm);

/// <summary>One probe of the plan.</summary>
public sealed record PlannedProbe
{
    /// <summary>Device id.</summary>
    public required string Device { get; init; }

    /// <summary>Setting id.</summary>
    public required string Setting { get; init; }

    /// <summary>Tip (LPS mm).</summary>
    public required Vector3D TipLps { get; init; }

    /// <summary>Skin entry (LPS mm): where the straight path crosses the body surface.</summary>
    public required Vector3D EntryLps { get; init; }

    /// <summary>Insertion depth, entry to tip (mm).</summary>
    public required double DepthMm { get; init; }

    /// <summary>Tilt of the shaft out of the axial plane (degrees), positive when the tip lies cranial of the entry.</summary>
    public required double CranioCaudalDeg { get; init; }

    /// <summary>Direction of the entry from the tip within the axial plane (degrees): 0 straight anterior, +90 the patient's left, −90 the right, ±180 posterior.</summary>
    public required double InPlaneDeg { get; init; }

    /// <summary>Structures within <see cref="ProbePlanner.PassesNearReportMm"/> of the shaft.</summary>
    public required IReadOnlyList<PassNear> PassesNear { get; init; }

    /// <summary>Generator energy of the setting (kJ): power × time; for an IRE pair the nominal pulse energy (given once, on the pair's first electrode; see ProbePlanner.IrePairEnergyKj).</summary>
    public required double EnergyKj { get; init; }

    /// <summary>Added after the bioheat confirmation showed the zones falling short.</summary>
    public bool AddedOnConfirmation { get; init; }

    /// <summary>
    /// IRE: the position in the plan of the electrode pair this electrode belongs to (the two of a pair are fired
    /// together and carry the same number); null for a thermal probe.
    /// </summary>
    public int? ElectrodeGroup { get; init; }

    /// <summary>
    /// Cryoablation: the position in the plan of the cluster this cryoprobe belongs to (the probes of a cluster freeze
    /// together and carry the same number; a single cryoprobe is a cluster of one); null for other devices.
    /// </summary>
    public int? ClusterGroup { get; init; }
}

/// <summary>The plan.</summary>
public sealed record PlanResult
{
    /// <summary>True when the zones cover the tumour and the margin goal.</summary>
    public required bool Feasible { get; init; }

    /// <summary>Why not (size, vessel, no safe path), or what limits the plan; null when feasible without remark.</summary>
    public string? Reason { get; init; }

    /// <summary>Target lesion id.</summary>
    public required string Target { get; init; }

    /// <summary>The organ the target lies in.</summary>
    public required string Organ { get; init; }

    /// <summary>Margin goal (mm).</summary>
    public required double MarginGoalMm { get; init; }

    /// <summary>The probes (the best partial plan when infeasible).</summary>
    public required IReadOnlyList<PlannedProbe> Probes { get; init; }

    /// <summary>Share of tumour + margin voxels inside the zone (%), confirmed when the simulator ran.</summary>
    public required double CoveragePercent { get; init; }

    /// <summary>Smallest distance from the tumour to living tissue (mm), negative when tumour is left; confirmed when the simulator ran.</summary>
    public required double? MinimalMarginMm { get; init; }

    /// <summary>Coverage by the catalogue ellipsoids of the search (%).</summary>
    public required double EllipsoidCoveragePercent { get; init; }

    /// <summary>Minimal margin of the catalogue ellipsoids (mm).</summary>
    public required double? EllipsoidMinimalMarginMm { get; init; }

    /// <summary>True when the confirmed zone falls short of the goal next to a vessel (heat sink).</summary>
    public required bool HeatSinkLimited { get; init; }

    /// <summary>Whether the zones were confirmed by the bioheat simulator.</summary>
    public required bool Confirmed { get; init; }

    /// <summary>Grid of the confirmation (mm): the cryo grid when every probe is a cryoprobe.</summary>
    public required double ConfirmationGridMm { get; init; }

    /// <summary>The simulator's model line, when it ran.</summary>
    public string? ZoneModel { get; init; }

    /// <summary>Known model limitations that concern this plan (<see cref="Zones.ModelCaveats"/>); empty when none.</summary>
    public IReadOnlyList<string> Caveats { get; init; } = [];

    /// <summary>Candidate trajectories with a safe path (and their rejections by cause).</summary>
    public required int SafeTrajectories { get; init; }

    /// <summary>Rejected straight paths by the structure that blocked them.</summary>
    public required IReadOnlyDictionary<string, int> Rejections { get; init; }

    /// <summary>Search time (s).</summary>
    public required double SearchSeconds { get; init; }

    /// <summary>Confirmation time (s).</summary>
    public required double ConfirmationSeconds { get; init; }

    /// <summary>Whole plan (s).</summary>
    public required double WallSeconds { get; init; }

    /// <summary>The combined zone (1) on the input grid: confirmed when the simulator ran, else the ellipsoids.</summary>
    public required Volume<byte> Zone { get; init; }

    /// <summary>Tumour (1) and margin shell (2) on the input grid, for pictures.</summary>
    public required Volume<byte> Goal { get; init; }

    /// <summary>Centre of the target (LPS mm).</summary>
    public required Vector3D TargetCentreLps { get; init; }

    /// <summary>Largest extent of the goal from its centre (mm).</summary>
    public required double GoalRadiusMm { get; init; }
}

/// <summary>An axis-aligned box in patient space (LPS mm) that the skin entry point must lie in.</summary>
public sealed record EntryRegionLps(Vector3D MinLps, Vector3D MaxLps)
{
    /// <summary>True when <paramref name="pointLps"/> lies in the box (edges included).</summary>
    public bool Contains(Vector3D pointLps) =>
        pointLps.X >= MinLps.X && pointLps.X <= MaxLps.X && pointLps.Y >= MinLps.Y && pointLps.Y <= MaxLps.Y && pointLps.Z >= MinLps.Z && pointLps.Z <= MaxLps.Z;
}
