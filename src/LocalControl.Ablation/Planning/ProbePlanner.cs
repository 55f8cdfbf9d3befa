using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using LocalControl.Ablation.Bioheat;
using LocalControl.Ablation.Devices;
using LocalControl.Ablation.Zones;
using LocalControl.Imaging.Distance;
using LocalControl.Imaging.Geometry;
using LocalControl.Imaging.Volumes;

namespace LocalControl.Ablation.Planning;

/// <summary>
/// Plans the fewest safe probes whose zones cover a tumour and its margin (docs/ablation.md, "Plan"):
/// straight paths from the body surface walked voxel by voxel against the structures to avoid, catalogue ellipsoids
/// at each tip for a fast set cover (fewest probes, then least energy, then shortest path), then the chosen probes
/// confirmed with the bioheat simulator and its vessel heat sink on a coarse grid, with probes added where the
/// confirmed zone falls short.
/// </summary>
public static class ProbePlanner
{
    /// <summary>Structures within this distance of a shaft are listed in <c>passesNear</c> (mm).</summary>
    public const double PassesNearReportMm = 10;

    /// <summary>Candidate directions on the sphere before the angle limit.</summary>
    public const int DirectionCount = 600;

    /// <summary>Distinct directions kept per zone centre (shortest paths first, at least <see cref="DirectionSeparationDeg"/> apart).</summary>
    public const int DirectionsPerCentre = 6;

    /// <summary>Smallest angle between two directions kept for one zone centre (degrees).</summary>
    public const double DirectionSeparationDeg = 20;

    /// <summary>Most zone centres tried.</summary>
    public const int MaxCentres = 150;

    /// <summary>Lost goal voxels this close to a vessel wall (mm) are blamed on the heat sink.</summary>
    public const double HeatSinkNearMm = 5;

    /// <summary>Most simulations spent raising settings when the confirmation falls short.</summary>
    public const int UpgradeTrials = 3;

    /// <summary>A raised setting that leaves the margin as it was must cover at least this much more of the goal (%), or the energy is not spent.</summary>
    public const double MinUpgradeGainPercent = 0.5;

    private const byte NotInCrop = 0, Tissue = 1, TargetTumour = 2, OtherTissue = 3;

    /// <summary>Roles whose inclusion in an ablation zone is refused (thermal injury).</summary>
    public static readonly IReadOnlyList<LabelRole> ZoneMustSpare =
    [
        LabelRole.Bowel, LabelRole.Stomach, LabelRole.Gallbladder, LabelRole.Heart, LabelRole.BileDuct, LabelRole.Hilum,
        LabelRole.Oesophagus, LabelRole.Trachea, LabelRole.LargeBronchus, LabelRole.SpinalCord, LabelRole.NerveRoot, LabelRole.BrachialPlexus,
    ];

    private static readonly LabelRole[] OrganRoles = [LabelRole.Liver, LabelRole.Lung, LabelRole.Bone];

    /// <summary>Plans. Bad input throws <see cref="AblationInputException"/> naming the field.</summary>
    public static PlanResult Plan(PlanRequest request, Action<string>? log = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var clock = Stopwatch.StartNew();
        var settings = Validate(request, log, cancellation);
        var map = request.Labels;
        var g = map.Labels.Geometry;
        var size = g.Size;
        var labels = map.Labels.Buffer;
        var roles = new Dictionary<int, LabelRole>();
        foreach (var e in map.Table.Entries)
        {
            roles[e.Value] = e.Role;
        }

        LabelRole RoleAt(long n) => labels[n] == 0 ? LabelRole.Other : roles.GetValueOrDefault(labels[n], LabelRole.Other);

        // The target: a 26-connected component of the tumour labels, numbered as measure numbers them.
        var tumourMask = new Volume<byte>(g);
        var anyTumour = false;
        for (var n = 0; n < labels.Length; n++)
        {
            if (labels[n] != 0 && roles.GetValueOrDefault(labels[n]) == LabelRole.Tumour)
            {
                tumourMask.Buffer[n] = 1;
                anyTumour = true;
            }
        }

        if (map.Table.ValuesWithRole(LabelRole.Tumour).Count == 0)
        {
            throw new AblationInputException("--label-table: no label has the role \"tumour\"; the planner needs the target tumour segmented.");
        }

        if (!anyTumour)
        {
            throw new AblationInputException("--labels: no voxel carries a tumour label, so there is no target to plan for.");
        }

        var (components, count) = ConnectedComponents.Label26(tumourMask);
        var target = PickTarget(request.TargetId, components.Buffer, count, g);
        var targetId = $"T{target}";
        var comp = components.Buffer;

        // Its organ: the organ role most often next to it.
        var (lo, hi, centre, organ) = Describe(comp, target, g, RoleAt);
        if (organ is null)
        {
            throw new AblationInputException($"--target {targetId}: the tumour does not lie in the liver, lung or bone (no voxel of those organs touches it); check the label table's roles.");
        }

        // The entry surface.
        if (!map.Table.Entries.Any(e => e.Role is LabelRole.Body or LabelRole.Skin))
        {
            throw new AblationInputException("--label-table: no label has the role \"body\" or \"skin\", so there is no body surface to enter from; add the body outline as a label with the role \"body\" (e.g. TotalSegmentator's body task, or the CT thresholded above -500 HU with the organs painted over it).");
        }

        if (!HasSurface(labels, size, roles))
        {
            throw new AblationInputException("--labels: no body or skin voxel borders the background (label 0), so there is no body surface to enter from; the body label must stop at the skin with background (0) outside it.");
        }

        cancellation.ThrowIfCancellationRequested();
        var access = AccessMap.Build(map, organ.Value, request.MaxCrossableVesselCalibreMm, request.MaxDegreeOfParallelism);
        log?.Invoke(FormattableString.Invariant($"plan: target {targetId} in the {organ.Value.Name()}, access map built ({clock.Elapsed.TotalSeconds:0.00} s)"));

        // The crop: the target, its margin and the largest zone around it.
        var hMin = Math.Min(g.SpacingMm.X, Math.Min(g.SpacingMm.Y, g.SpacingMm.Z));
        var reachMm = request.MarginMm + settings.Max(s => Math.Max(s.SemiLengthMm, Math.Max(s.SemiDiameterMm, s.SemiWidthMm))) + (2 * hMin);
        var crop = Crop.Around(g, lo, hi, reachMm);
        crop.MarkVessels(labels, roles);
        var goal = BuildGoal(crop, g, labels, roles, comp, target, organ.Value, request.MarginMm, request.MaxDegreeOfParallelism);
        if (goal.Count == 0)
        {
            throw new AblationInputException($"--target {targetId}: the tumour has no voxel to cover.");
        }

        cancellation.ThrowIfCancellationRequested();
        var rejections = new Dictionary<string, int>(StringComparer.Ordinal);
        var (candidates, safe) = Candidates(request, settings, access, g, labels, roles, organ.Value, goal, crop, rejections, cancellation);
        log?.Invoke(FormattableString.Invariant($"plan: {safe} safe straight paths, {candidates.Count} candidate probes ({clock.Elapsed.TotalSeconds:0.00} s)"));

        var words = (goal.Count + 63) / 64;
        var tolerance = Math.Max(g.SpacingMm.X, Math.Max(g.SpacingMm.Y, g.SpacingMm.Z));
        bool ReachesGoal(List<Candidate> probes)
        {
            var zone = new byte[crop.Count];
            foreach (var c in probes)
            {
                RasterEllipsoid(crop, c, zone);
            }

            return Measure(crop, goal, zone, request.MaxDegreeOfParallelism).MarginMm >= request.MarginMm - tolerance;
        }

        var chosen = candidates.Count == 0 ? [] : Cover(candidates, goal.Count, words, request, ReachesGoal);
        var searchSeconds = clock.Elapsed.TotalSeconds;
        cancellation.ThrowIfCancellationRequested();

        var ellipsoidZone = new byte[crop.Count];
        foreach (var c in chosen)
        {
            RasterEllipsoid(crop, c, ellipsoidZone);
        }

        var (ellipsoidCoverage, ellipsoidMargin) = Measure(crop, goal, ellipsoidZone, request.MaxDegreeOfParallelism);

        // Confirmation with the bioheat simulator.
        var confirmClock = Stopwatch.StartNew();
        var confirmed = false;
        string? model = null;
        var simulatedZone = new byte[crop.Count];
        var fullZone = new Volume<byte>(g);
        var added = new HashSet<Candidate>();
        var upgraded = 0;
        double maxShrinkMm = 0;
        var confirmationNote = (string?)null;
        double coverage = ellipsoidCoverage;
        double? margin = ellipsoidMargin;
        if (request.Confirm && chosen.Count > 0)
        {
            try
            {
                var zones = new List<Volume<byte>>();
                foreach (var c in chosen)
                {
                    cancellation.ThrowIfCancellationRequested();
                    var p = Simulate(request, c, map, cancellation);
                    model = p.Model;
                    maxShrinkMm = Math.Max(maxShrinkMm, p.ShrinkMm);
                    zones.Add(p.Zone);
                }

                Union(zones, fullZone, crop, simulatedZone);
                (coverage, margin) = Measure(crop, goal, simulatedZone, request.MaxDegreeOfParallelism);
                bool Short() => margin is null || margin < request.MarginMm - tolerance;

                // Adjust, first by raising a probe's setting on the same path (more energy, same puncture), at most
                // UpgradeTrials simulations, keeping a change only when the confirmed margin grows.
                var trials = 0;
                while (Short() && trials < UpgradeTrials)
                {
                    var accepted = false;
                    for (var i = 0; i < chosen.Count && trials < UpgradeTrials && !accepted; i++)
                    {
                        var current = chosen[i];
                        var rest = chosen.Where((_, o) => o != i).ToList();
                        // A stronger setting on the same centre, direction and orientation: more energy, or (cryo, no energy
                        // figure) more probes, within the probe limit.
                        var up = candidates.Where(c => c.Setting.Device == current.Setting.Device && c.CentreLps == current.CentreLps && c.AxisLps == current.AxisLps && c.PairLps == current.PairLps
                                && Stronger(c.Setting, current.Setting) && ShaftCount(rest) + c.Shafts.Count <= request.MaxProbes && Separated(c, rest, request.MinShaftSeparationMm))
                            .OrderBy(c => c.Setting.Dose).ThenBy(c => c.DepthMm).FirstOrDefault();
                        if (up is null)
                        {
                            continue;
                        }

                        cancellation.ThrowIfCancellationRequested();
                        trials++;
                        var p = Simulate(request, up, map, cancellation);
                        var trialZones = new List<Volume<byte>>(zones) { [i] = p.Zone };
                        var trialFull = new Volume<byte>(g);
                        var trialCrop = new byte[crop.Count];
                        Union(trialZones, trialFull, crop, trialCrop);
                        var (c2, m2) = Measure(crop, goal, trialCrop, request.MaxDegreeOfParallelism);
                        if ((m2 ?? double.MinValue) > (margin ?? double.MinValue) + 1e-9 || (m2 == margin && c2 > coverage + MinUpgradeGainPercent))
                        {
                            chosen[i] = up;
                            zones = trialZones;
                            fullZone = trialFull;
                            simulatedZone = trialCrop;
                            (coverage, margin) = (c2, m2);
                            maxShrinkMm = Math.Max(maxShrinkMm, p.ShrinkMm);
                            upgraded++;
                            accepted = true;
                            log?.Invoke(FormattableString.Invariant($"plan: confirmation fell short; probe {i + 1} raised to {up.Setting.Setting.Id} ({coverage:0.0} % covered now)"));
                        }
                    }

                    if (!accepted)
                    {
                        break;
                    }
                }

                // Then by adding the candidate that covers most of what is still left.
                while (Short() && ShaftCount(chosen) < request.MaxProbes)
                {
                    cancellation.ThrowIfCancellationRequested();
                    var left = UncoveredBits(goal, simulatedZone, words);
                    var next = BestAddition(candidates, chosen, left, request.MinShaftSeparationMm, request.MaxProbes - ShaftCount(chosen));
                    if (next is null)
                    {
                        break;
                    }

                    chosen.Add(next);
                    added.Add(next);
                    var p = Simulate(request, next, map, cancellation);
                    maxShrinkMm = Math.Max(maxShrinkMm, p.ShrinkMm);
                    zones.Add(p.Zone);
                    Union(zones, fullZone, crop, simulatedZone);
                    (coverage, margin) = Measure(crop, goal, simulatedZone, request.MaxDegreeOfParallelism);
                    log?.Invoke(FormattableString.Invariant($"plan: confirmation fell short; added a probe ({coverage:0.0} % covered now)"));
                }

                if (added.Count > 0 || upgraded > 0)
                {
                    Array.Clear(ellipsoidZone);
                    foreach (var c in chosen)
                    {
                        RasterEllipsoid(crop, c, ellipsoidZone);
                    }

                    (ellipsoidCoverage, ellipsoidMargin) = Measure(crop, goal, ellipsoidZone, request.MaxDegreeOfParallelism);
                }

                confirmed = true;
            }
            catch (AblationInputException ex)
            {
                confirmationNote = $"not confirmed by the simulator ({ex.Message})";
                coverage = ellipsoidCoverage;
                margin = ellipsoidMargin;
            }
        }

        if (!confirmed)
        {
            for (var n = 0; n < crop.Count; n++)
            {
                if (ellipsoidZone[n] != 0)
                {
                    fullZone.Buffer[crop.ToFull(n)] = 1;
                }
            }
        }

        var confirmationSeconds = confirmClock.Elapsed.TotalSeconds;
        // IRE is not thermal: a zone short next to a vessel is not a heat sink.
        var heatSinkLimited = confirmed && chosen.Any(c => c.Setting.Device.Modality != AblationModality.Ire) && HeatSinkLimited(crop, goal, ellipsoidZone, simulatedZone, margin is { } mm0 && mm0 < request.MarginMm - tolerance ? mm0 : null, request.MaxDegreeOfParallelism);
        var feasible = chosen.Count > 0 && margin is { } m && m >= request.MarginMm - tolerance;
        var reason = Reason(request, feasible, chosen, safe, rejections, coverage, margin, ellipsoidMargin, tolerance, heatSinkLimited, maxShrinkMm, confirmed, added.Count, upgraded, confirmationNote);
        var probes = chosen.SelectMany((c, n) => Describe(c, n + 1, g, labels, roles, organ.Value, added.Contains(c))).ToList();
        var goalVolume = new Volume<byte>(g);
        for (var q = 0; q < goal.Count; q++)
        {
            goalVolume.Buffer[crop.ToFull(goal.Crop[q])] = goal.IsTumour[q] ? (byte)1 : (byte)2;
        }

        return new PlanResult
        {
            Feasible = feasible,
            Reason = reason,
            Target = targetId,
            Organ = organ.Value.Name(),
            MarginGoalMm = request.MarginMm,
            Probes = probes,
            CoveragePercent = coverage,
            MinimalMarginMm = margin,
            EllipsoidCoveragePercent = ellipsoidCoverage,
            EllipsoidMinimalMarginMm = ellipsoidMargin,
            HeatSinkLimited = heatSinkLimited,
            Confirmed = confirmed,
            ConfirmationGridMm = chosen.Count > 0 && chosen.All(c => c.Setting.CryoZone is not null) ? request.CryoGridMm : request.ConfirmationGridMm,
            ZoneModel = model,
            Caveats = Caveats(confirmed, heatSinkLimited, chosen, request),
            SafeTrajectories = safe,
            Rejections = rejections,
            SearchSeconds = searchSeconds,
            ConfirmationSeconds = confirmationSeconds,
            WallSeconds = clock.Elapsed.TotalSeconds,
            Zone = fullZone,
            Goal = goalVolume,
            TargetCentreLps = centre,
            GoalRadiusMm = goal.RadiusMm,
        };
    }

    // ---- validation -------------------------------------------------------------------------------------------

    private static List<SettingChoice> Validate(PlanRequest r, Action<string>? log, CancellationToken cancellation)
    {
        if (!double.IsFinite(r.MarginMm) || r.MarginMm < 0 || r.MarginMm > 20)
        {
            throw new AblationInputException(string.Create(CultureInfo.InvariantCulture, $"--margin-mm {r.MarginMm}: the margin goal must be between 0 and 20 mm."));
        }

        if (r.MaxProbes is < 1 or > 8)
        {
            throw new AblationInputException(string.Create(CultureInfo.InvariantCulture, $"--max-probes {r.MaxProbes}: between 1 and 8 probes."));
        }

        if (!double.IsFinite(r.ConfirmationGridMm) || r.ConfirmationGridMm is < 0.5 or > 4)
        {
            throw new AblationInputException(string.Create(CultureInfo.InvariantCulture, $"--grid-mm {r.ConfirmationGridMm}: the confirmation grid must be 0.5 to 4 mm."));
        }

        if (!double.IsFinite(r.CryoGridMm) || r.CryoGridMm is < 0.5 or > 4)
        {
            throw new AblationInputException(string.Create(CultureInfo.InvariantCulture, $"--grid-mm {r.CryoGridMm}: the cryo grid must be 0.5 to 4 mm."));
        }

        if (!(r.MaxDepthMm > 0) || !double.IsFinite(r.MaxDepthMm))
        {
            throw new AblationInputException(string.Create(CultureInfo.InvariantCulture, $"--max-depth-mm {r.MaxDepthMm}: the insertion depth must be a positive number of millimetres."));
        }

        if (r.EntryRegion is { } region && !(region.MinLps.X < region.MaxLps.X && region.MinLps.Y < region.MaxLps.Y && region.MinLps.Z < region.MaxLps.Z))
        {
            throw new AblationInputException(string.Create(CultureInfo.InvariantCulture, $"--entry-region: the box needs each minimum below its maximum (x1,y1,z1,x2,y2,z2 in LPS mm), got ({region.MinLps.X}, {region.MinLps.Y}, {region.MinLps.Z}) to ({region.MaxLps.X}, {region.MaxLps.Y}, {region.MaxLps.Z})."));
        }

        if (!(r.MaxCranioCaudalDeg is >= 0 and <= 90) || !(r.MaxCrossableVesselCalibreMm >= 0) || !(r.MinShaftSeparationMm >= 0))
        {
            throw new AblationInputException("plan limits: depth must be positive, the cranio-caudal limit 0-90 degrees, calibre and separation non-negative.");
        }

        var devices = r.Devices ?? DeviceCatalogue.Default.Devices.Where(d => d.Modality is AblationModality.Mwa or AblationModality.Rfa).ToList();
        if (devices.Count == 0)
        {
            throw new AblationInputException("--devices: no device given.");
        }

        var list = new List<SettingChoice>();
        foreach (var d in devices)
        {
            if (d.Modality == AblationModality.Ire)
            {
                AddElectrodePairs(d, list, r.MaxProbes);
                continue;
            }

            if (d.Modality == AblationModality.Cryoablation)
            {
                AddCryoClusters(d, r, list, log, cancellation);
                continue;
            }

            if (d.Modality is not (AblationModality.Mwa or AblationModality.Rfa))
            {
                throw new AblationInputException($"--devices {d.Id}: {DeviceCatalogue.ModalityName(d.Modality)}: the planner plans mwa, rfa, cryoablation and ire only.");
            }

            foreach (var s in d.Settings)
            {
                // Settings measured ex vivo (calibrated without perfusion) are not planned with: in a perfused liver
                // their zones are smaller than the catalogue figure.
                var perfused = s.Microwave?.Perfused ?? s.Radiofrequency?.Perfused ?? false;
                if ((d.Modality == AblationModality.Mwa && s.Microwave is null) || (d.Modality == AblationModality.Rfa && s.Radiofrequency is null) || s.DurationMin is null || !perfused)
                {
                    continue;
                }

                var z = s.ExpectedZone;
                var length = z.LengthMm ?? z.DiameterMm;
                var powerW = s.PowerW ?? s.Radiofrequency?.PowerW ?? s.Microwave?.EffectivePowerW ?? 0;
                list.Add(new SettingChoice(d, s, HomogeneousLiver.ExpectedCentreOffsetMm(d, s), length / 2, z.DiameterMm / 2, powerW * s.DurationMin.Value * 60 / 1000));
            }
        }

        if (list.Count == 0)
        {
            throw new AblationInputException("--devices: none of the devices has a setting with a zone the planner can use.");
        }

        if (list.All(c => c.Shafts > r.MaxProbes))
        {
            throw new AblationInputException(string.Create(CultureInfo.InvariantCulture, $"--max-probes {r.MaxProbes}: every setting of the devices given needs {list.Min(c => c.Shafts)} electrodes (an IRE pair); allow at least that many."));
        }

        return list;
    }

    /// <summary>
    /// The IRE settings the planner can place: a complete pulse protocol (the simulator needs it) and all three zone
    /// axes in the catalogue (height along the shafts, width along the pair, depth across both); a setting missing
    /// one is left out rather than guessed. The zone centre lies half the exposure back from the tips.
    /// </summary>
    private static void AddElectrodePairs(AblationDevice d, List<SettingChoice> list, int maxProbes)
    {
        foreach (var s in d.Settings)
        {
            if (s.Electroporation is not { ElectrodeCount: 2 } ire || s.ExpectedZone is not { LengthMm: { } length, DepthMm: { } depth } zone)
            {
                continue;
            }

            list.Add(new SettingChoice(d, s, ire.ExposureMm / 2, length / 2, depth / 2, IrePairEnergyKj(ire))
            {
                SemiWidthMm = zone.DiameterMm / 2,
                PairSemiWidthMm = zone.DiameterMm / 2,
                LayoutMm = [(-ire.SpacingMm / 2, 0), (ire.SpacingMm / 2, 0)],
                Lobes = [new PairLobe(0, 0, 1, 0)],
            });

            // Arrays fired across pairs (IrePredictor fires every pair within the device's spacing limits): three
            // electrodes on an equilateral triangle and four on a square, side = the protocol's spacing. The search
            // counts only the pairs at that spacing, each with the catalogue's pair ellipsoid (the square's diagonals,
            // √2 × the spacing, are fired too but have no catalogue zone: left out of the search, conservative); the
            // confirmation fires them all.
            foreach (var layout in new[] { "triangle", "square" })
            {
                var points = CryoPhantom.Layout(layout, ire.SpacingMm);
                if (points.Count > maxProbes)
                {
                    continue;
                }

                var lobes = new List<PairLobe>();
                var energy = 0.0;
                var reach = 0.0;
                for (var a = 0; a < points.Count; a++)
                {
                    for (var b = a + 1; b < points.Count; b++)
                    {
                        double dw = points[b].X - points[a].X, dv = points[b].Y - points[a].Y, spacing = Math.Sqrt((dw * dw) + (dv * dv));
                        if (spacing >= ire.SpacingMinMm - 1e-9 && spacing <= ire.SpacingMaxMm + 1e-9)
                        {
                            energy += IrePairEnergyKj(ire, spacing);
                        }

                        if (Math.Abs(spacing - ire.SpacingMm) < 1e-6)
                        {
                            var (mw, mv) = ((points[a].X + points[b].X) / 2, (points[a].Y + points[b].Y) / 2);
                            lobes.Add(new PairLobe(mw, mv, dw / spacing, dv / spacing));
                            reach = Math.Max(reach, Math.Sqrt((mw * mw) + (mv * mv)) + Math.Max(zone.DiameterMm, depth) / 2);
                        }
                    }
                }

                list.Add(new SettingChoice(d, s, ire.ExposureMm / 2, length / 2, depth / 2, energy)
                {
                    SemiWidthMm = reach,
                    PairSemiWidthMm = zone.DiameterMm / 2,
                    LayoutMm = [.. points],
                    Lobes = lobes,
                });
            }
        }
    }

    /// <summary>
    /// Cryo: every setting of 1 to <c>--max-probes</c> probes with a calibrated model, its search zone the cryo
    /// model's lethal zone of the cluster in homogeneous perfused liver (<see cref="CryoSearchZone"/>, on the cryo grid,
    /// simulated once per setting and cached), the probes at the setting's layout (the catalogue's <c>spacingMm</c>, 2 cm
    /// as in the source), tips level. No energy figure: cryo is ranked by probe count, then path length.
    /// </summary>
    private static void AddCryoClusters(AblationDevice d, PlanRequest r, List<SettingChoice> list, Action<string>? log, CancellationToken cancellation)
    {
        foreach (var s in d.Settings)
        {
            if (s.Cryo is not { } model || s.DurationMin is null)
            {
                continue;
            }

            var layout = CryoPhantom.Layout(model.Layout, model.SpacingMm);
            if (layout.Count > r.MaxProbes)
            {
                continue;
            }

            var clock = Stopwatch.StartNew();
            var zone = CryoSearchZone.For(d, s, r.CryoGridMm, CryoPredictor.DefaultLethalCelsius, CryoRoiMarginMm, r.MaxDegreeOfParallelism, cancellation);
            log?.Invoke(FormattableString.Invariant($"plan: cryo search zone of {s.Id}: {zone.VolumeMl:0.00} mL lethal (<= {CryoPredictor.DefaultLethalCelsius} C) in homogeneous liver, reach {zone.HalfLengthMm:0.0} mm along / {zone.ReachAcrossMm:0.0} mm across, {r.CryoGridMm} mm grid ({clock.Elapsed.TotalSeconds:0.00} s)"));
            if (zone.VolumeMl <= 0)
            {
                continue;
            }

            list.Add(new SettingChoice(d, s, zone.CentreOffsetMm, zone.HalfLengthMm, zone.ReachAcrossMm, 0)
            {
                LayoutMm = [.. layout],
                CryoZone = zone,
            });
        }
    }

    /// <summary>
    /// Nominal delivered energy of an electrode pair's protocol (kJ), for ranking only: pulses × V² × G × pulse length
    /// with G = π σ L / arcosh(s / 2r), the conductance of two parallel cylinders (radius r, axes s apart, exposed length
    /// L) in liver at 37 °C (σ of the tissue table; end effects and the rise of σ during the pulses are left out).
    /// </summary>
    internal static double IrePairEnergyKj(IreProtocol ire, double? spacingMm = null)
    {
        var sigma = TissueTable.Default["liver"].ElectricalConductivitySPerM;
        var g = Math.PI * sigma * (ire.ExposureMm / 1000) / Math.Acosh((spacingMm ?? ire.SpacingMm) / ire.ElectrodeDiameterMm);
        return ire.Pulses * ire.VoltageV * ire.VoltageV * g * (ire.PulseLengthUs * 1e-6) / 1000;
    }

    private static int PickTarget(string? id, int[] comp, int count, ImageGeometry g)
    {
        string List()
        {
            var voxels = new long[count + 1];
            var sums = new Vector3D[count + 1];
            var s = g.Size;
            for (var k = 0; k < s.K; k++)
            {
                for (var j = 0; j < s.J; j++)
                {
                    for (var i = 0; i < s.I; i++)
                    {
                        var c = comp[s.LinearIndex(i, j, k)];
                        if (c != 0)
                        {
                            voxels[c]++;
                            sums[c] += new Vector3D(i, j, k);
                        }
                    }
                }
            }

            return string.Join("; ", Enumerable.Range(1, count).Select(c =>
            {
                var p = g.IndexToPointLps(sums[c] * (1.0 / voxels[c]));
                return string.Create(CultureInfo.InvariantCulture, $"T{c} ({voxels[c] * g.VoxelVolumeMm3 / 1000:0.0} mL at {p.X:0},{p.Y:0},{p.Z:0} LPS mm)");
            }));
        }

        if (id is null)
        {
            return count == 1 ? 1 : throw new AblationInputException($"--target: the label map has {count} tumours; choose one with --target: {List()}.");
        }

        var text = id.Trim();
        if (text.StartsWith('T') || text.StartsWith('t'))
        {
            text = text[1..];
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= count ? n
            : throw new AblationInputException($"--target {id}: no tumour with that id; the label map has {List()}.");
    }

    private static (VolumeBoxIndex Lo, VolumeBoxIndex Hi, Vector3D Centre, LabelRole? Organ) Describe(int[] comp, int target, ImageGeometry g, Func<long, LabelRole> roleAt)
    {
        var s = g.Size;
        int i0 = int.MaxValue, j0 = int.MaxValue, k0 = int.MaxValue, i1 = -1, j1 = -1, k1 = -1;
        var sum = Vector3D.Zero;
        long voxels = 0;
        var contacts = new long[OrganRoles.Length];
        for (var k = 0; k < s.K; k++)
        {
            for (var j = 0; j < s.J; j++)
            {
                for (var i = 0; i < s.I; i++)
                {
                    if (comp[s.LinearIndex(i, j, k)] != target)
                    {
                        continue;
                    }

                    voxels++;
                    sum += new Vector3D(i, j, k);
                    (i0, j0, k0) = (Math.Min(i0, i), Math.Min(j0, j), Math.Min(k0, k));
                    (i1, j1, k1) = (Math.Max(i1, i), Math.Max(j1, j), Math.Max(k1, k));
                    for (var dk = -1; dk <= 1; dk++)
                    {
                        for (var dj = -1; dj <= 1; dj++)
                        {
                            for (var di = -1; di <= 1; di++)
                            {
                                int a = i + di, b = j + dj, c = k + dk;
                                if (a < 0 || b < 0 || c < 0 || a >= s.I || b >= s.J || c >= s.K)
                                {
                                    continue;
                                }

                                var role = roleAt(s.LinearIndex(a, b, c));
                                var o = Array.IndexOf(OrganRoles, role);
                                if (o >= 0)
                                {
                                    contacts[o]++;
                                }
                            }
                        }
                    }
                }
            }
        }

        var best = -1;
        for (var o = 0; o < OrganRoles.Length; o++)
        {
            if (contacts[o] > 0 && (best < 0 || contacts[o] > contacts[best]))
            {
                best = o;
            }
        }

        var centre = g.IndexToPointLps(sum * (1.0 / voxels));
        return (new VolumeBoxIndex(i0, j0, k0), new VolumeBoxIndex(i1, j1, k1), centre, best < 0 ? null : OrganRoles[best]);
    }

    private static bool HasSurface(int[] labels, VolumeSize s, Dictionary<int, LabelRole> roles)
    {
        for (var k = 0; k < s.K; k++)
        {
            for (var j = 0; j < s.J; j++)
            {
                for (var i = 0; i < s.I; i++)
                {
                    var n = s.LinearIndex(i, j, k);
                    var v = labels[n];
                    if (v == 0 || roles.GetValueOrDefault(v) is not (LabelRole.Body or LabelRole.Skin))
                    {
                        continue;
                    }

                    if ((i > 0 && labels[n - 1] == 0) || (i < s.I - 1 && labels[n + 1] == 0)
                        || (j > 0 && labels[n - s.I] == 0) || (j < s.J - 1 && labels[n + s.I] == 0)
                        || (k > 0 && labels[n - ((long)s.I * s.J)] == 0) || (k < s.K - 1 && labels[n + ((long)s.I * s.J)] == 0))
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }

    // ---- goal: tumour + margin shell in the organ's tissue --------------------------------------------------------

    private static Goal BuildGoal(Crop crop, ImageGeometry g, int[] labels, Dictionary<int, LabelRole> roles, int[] comp, int target, LabelRole organ, double marginMm, int? threads)
    {
        var kind = new byte[crop.Count];
        var mask = new byte[crop.Count];
        for (var n = 0; n < crop.Count; n++)
        {
            var f = crop.ToFull(n);
            var v = labels[f];
            var role = v == 0 ? LabelRole.Other : roles.GetValueOrDefault(v, LabelRole.Other);
            if (comp[f] == target)
            {
                kind[n] = TargetTumour;
                mask[n] = 1;
            }
            else if (role == organ || role == LabelRole.Tumour || role.IsVessel())
            {
                kind[n] = Tissue;
            }
            else
            {
                kind[n] = OtherTissue;
            }
        }

        var distance = EuclideanDistance.SquaredDistance(mask, crop.Size, VolumeBox.Whole(crop.Size), g.SpacingMm, sitesAreForeground: true, new EdtOptions { MaxDegreeOfParallelism = threads });
        var m2 = (marginMm * marginMm) + 1e-6;
        var index = new List<int>();
        for (var n = 0; n < crop.Count; n++)
        {
            if (kind[n] == TargetTumour || (kind[n] == Tissue && distance[n] <= m2))
            {
                index.Add(n);
            }
        }

        var goal = new Goal(index.Count) { Kind = kind };
        var centre = Vector3D.Zero;
        for (var q = 0; q < index.Count; q++)
        {
            var p = crop.PointLps(index[q]);
            goal.Crop[q] = index[q];
            goal.X[q] = (float)p.X;
            goal.Y[q] = (float)p.Y;
            goal.Z[q] = (float)p.Z;
            goal.IsTumour[q] = kind[index[q]] == TargetTumour;
            centre += p;
        }

        if (index.Count > 0)
        {
            centre *= 1.0 / index.Count;
            var r = 0.0;
            for (var q = 0; q < index.Count; q++)
            {
                r = Math.Max(r, (new Vector3D(goal.X[q], goal.Y[q], goal.Z[q]) - centre).Length);
            }

            goal.CentreLps = centre;
            goal.RadiusMm = r;
        }

        // Structures a zone must spare, inside the crop.
        var spare = new List<(Vector3D P, string Name)>();
        for (var n = 0; n < crop.Count; n++)
        {
            var v = labels[crop.ToFull(n)];
            if (v != 0 && roles.TryGetValue(v, out var role) && ZoneMustSpare.Contains(role) && role != organ)
            {
                spare.Add((crop.PointLps(n), role.Name()));
            }
        }

        goal.Spare = spare;
        return goal;
    }

    // ---- candidates -------------------------------------------------------------------------------------------

    private static (List<Candidate> Candidates, int Safe) Candidates(PlanRequest r, List<SettingChoice> settings, AccessMap access, ImageGeometry g, int[] labels,
        Dictionary<int, LabelRole> roles, LabelRole organ, Goal goal, Crop crop, Dictionary<string, int> rejections, CancellationToken cancellation)
    {
        var random = new Random(r.Seed);
        var centres = Centres(goal, crop, g, random);
        var directions = Directions(random, r.MaxCranioCaudalDeg);
        var pairSettings = settings.Where(s => s.Shafts > 1).ToList();
        settings = [.. settings.Where(s => s.Shafts == 1)];
        var offsets = settings.Select(s => s.OffsetMm).Distinct().Order().ToArray();
        var maxOffset = offsets.Length == 0 ? 0 : offsets.Max();
        var classes = access.Classes;
        var perCentre = new List<(Vector3D U, double EntryMm, bool[] OffsetOk)>[centres.Count];
        var counts = new Dictionary<string, int>[centres.Count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = r.MaxDegreeOfParallelism ?? Environment.ProcessorCount, CancellationToken = cancellation };
        Parallel.For(0, offsets.Length == 0 ? 0 : centres.Count, options, ci =>
        {
            var c = centres[ci];
            var found = new List<(Vector3D U, double EntryMm, bool[] OffsetOk)>();
            var why = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var u in directions)
            {
                // From the zone centre back along the shaft to the skin.
                var w = TrajectoryWalk.Walk(classes, g, c, u * -1, r.MaxDepthMm + maxOffset);
                if (w.End != WalkEnd.LeftBody)
                {
                    var key = w.End switch
                    {
                        WalkEnd.Blocked => access.NameOf(w.Class),
                        WalkEnd.LeftImage => "edge of the image before the skin",
                        _ => "deeper than the maximal insertion depth",
                    };
                    why[key] = why.GetValueOrDefault(key) + 1;
                    continue;
                }

                // The last body voxel must be body or skin: the needle enters through the body surface.
                var last = g.PointLpsToIndex(c - u * Math.Max(0, w.DistanceMm - (0.25 * crop.MinSpacingMm)));
                var lastRole = RoleAtIndex(labels, roles, g.Size, last);
                if (lastRole is not (LabelRole.Body or LabelRole.Skin))
                {
                    why["surface not labelled body or skin"] = why.GetValueOrDefault("surface not labelled body or skin") + 1;
                    continue;
                }

                if (r.EntryRegion is { } entryRegion && !entryRegion.Contains(c - (u * w.DistanceMm)))
                {
                    why["skin entry outside the entry region"] = why.GetValueOrDefault("skin entry outside the entry region") + 1;
                    continue;
                }

                var ok = new bool[offsets.Length];
                var any = false;
                for (var o = 0; o < offsets.Length; o++)
                {
                    var tip = c + u * offsets[o];
                    if (offsets[o] + w.DistanceMm > r.MaxDepthMm)
                    {
                        continue;
                    }

                    var tipRole = RoleAtIndex(labels, roles, g.Size, g.PointLpsToIndex(tip));
                    if (tipRole != organ && tipRole != LabelRole.Tumour)
                    {
                        continue;
                    }

                    var s = TrajectoryWalk.Segment(classes, g, c, tip);
                    if (s.End == WalkEnd.Clear)
                    {
                        ok[o] = true;
                        any = true;
                    }
                }

                if (any)
                {
                    found.Add((u, w.DistanceMm, ok));
                }
                else
                {
                    why["tip outside the organ or blocked"] = why.GetValueOrDefault("tip outside the organ or blocked") + 1;
                }
            }

            perCentre[ci] = found;
            counts[ci] = why;
        });

        foreach (var why in counts)
        {
            foreach (var (k, v) in why ?? [])
            {
                rejections[k] = rejections.GetValueOrDefault(k) + v;
            }
        }

        var safe = perCentre.Sum(f => f?.Count ?? 0);
        var list = new List<Candidate>();
        if (pairSettings.Count > 0)
        {
            var (pairs, safePairs) = PairCandidates(r, pairSettings, access, g, labels, roles, organ, crop, centres, directions, rejections, options);
            list.AddRange(pairs);
            safe += safePairs;
        }

        var cosSeparation = Math.Cos(DirectionSeparationDeg * Math.PI / 180);
        for (var ci = 0; ci < (offsets.Length == 0 ? 0 : centres.Count); ci++)
        {
            var kept = new List<(Vector3D U, double EntryMm, bool[] OffsetOk)>();
            foreach (var f in perCentre[ci].OrderBy(f => f.EntryMm))
            {
                if (kept.Count >= DirectionsPerCentre)
                {
                    break;
                }

                if (kept.All(k => k.U.Dot(f.U) < cosSeparation))
                {
                    kept.Add(f);
                }
            }

            foreach (var f in kept)
            {
                foreach (var s in settings)
                {
                    var o = Array.IndexOf(offsets, s.OffsetMm);
                    if (!f.OffsetOk[o])
                    {
                        continue;
                    }

                    var tip = centres[ci] + f.U * s.OffsetMm;
                    var entry = centres[ci] - f.U * f.EntryMm;
                    list.Add(new Candidate(s, centres[ci], f.U, tip, entry, s.OffsetMm + f.EntryMm));

                }
            }
        }

        // Coverage of every candidate's ellipsoid; a zone reaching a structure it must spare is dropped.
        var words = (goal.Count + 63) / 64;
        var spareHit = new string?[list.Count];
        Parallel.For(0, list.Count, options, n =>
        {
            var c = list[n];
            var zone = new ZoneTest(c);
            float cx = (float)c.CentreLps.X, cy = (float)c.CentreLps.Y, cz = (float)c.CentreLps.Z;
            foreach (var (p, name) in goal.Spare)
            {
                float dx = (float)p.X - cx, dy = (float)p.Y - cy, dz = (float)p.Z - cz;
                if (zone.Contains(dx, dy, dz))
                {
                    spareHit[n] = name;
                    return;
                }
            }

            var bits = new ulong[words];
            var covered = 0;
            ReadOnlySpan<float> xs = goal.X, ys = goal.Y, zs = goal.Z;
            for (var q = 0; q < xs.Length; q++)
            {
                float dx = xs[q] - cx, dy = ys[q] - cy, dz = zs[q] - cz;
                if (zone.Contains(dx, dy, dz))
                {
                    bits[q >> 6] |= 1UL << (q & 63);
                    covered++;
                }
            }

            c.Coverage = bits;
            c.CoveredCount = covered;
        });

        var result = new List<Candidate>(list.Count);
        for (var n = 0; n < list.Count; n++)
        {
            if (spareHit[n] is { } name)
            {
                var key = $"zone would reach the {name}";
                rejections[key] = rejections.GetValueOrDefault(key) + 1;
            }
            else if (list[n].CoveredCount > 0)
            {
                result.Add(list[n]);
            }
        }

        return (result, safe);
    }

    /// <summary>Orientations of an electrode pair tried around each shaft direction (evenly over 180°).</summary>
    public const int PairOrientations = 6;

    /// <summary>
    /// Candidates of several parallel shafts (IRE electrode pairs and arrays, cryo clusters): for every zone centre,
    /// shaft direction and orientation of the layout around it, every shaft (at its layout position across the shafts,
    /// tips level, the layout centred on the zone centre) must have a safe straight path from the skin with the tip in
    /// the organ or tumour — the same checks as a single probe, each on its own path. Per centre and setting the
    /// shallowest are kept, distinct in direction or orientation.
    /// </summary>
    private static (List<Candidate> Pairs, int Safe) PairCandidates(PlanRequest r, List<SettingChoice> pairSettings, AccessMap access, ImageGeometry g, int[] labels,
        Dictionary<int, LabelRole> roles, LabelRole organ, Crop crop, List<Vector3D> centres, List<Vector3D> directions, Dictionary<string, int> rejections, ParallelOptions options)
    {
        var kept = new List<Candidate>[centres.Count];
        var counts = new Dictionary<string, int>[centres.Count];
        var safe = new int[centres.Count];
        var cosSeparation = Math.Cos(DirectionSeparationDeg * Math.PI / 180);
        var cosOrientation = Math.Cos(Math.PI / PairOrientations / 2);
        Parallel.For(0, centres.Count, options, ci =>
        {
            var c = centres[ci];
            var why = new Dictionary<string, int>(StringComparer.Ordinal);
            var found = new List<(Candidate Pair, double DeepestMm)>();
            foreach (var u in directions)
            {
                for (var m = 0; m < PairOrientations; m++)
                {
                    var w = Across(u, m);
                    var v = u.Cross(w);
                    foreach (var s in pairSettings)
                    {
                        // Every shaft on its own path; the first that fails ends the candidate.
                        var shafts = new (Vector3D TipLps, Vector3D EntryLps, double DepthMm)[s.Shafts];
                        string? fail = null;
                        var deepest = 0.0;
                        for (var k = 0; k < shafts.Length && fail is null; k++)
                        {
                            var (a, b) = s.LayoutMm[k];
                            fail = Shaft(r, access, g, labels, roles, organ, crop, c + (w * a) + (v * b), u, s.OffsetMm, out shafts[k]);
                            deepest = Math.Max(deepest, shafts[k].DepthMm);
                        }

                        if (fail is not null)
                        {
                            why[fail] = why.GetValueOrDefault(fail) + 1;
                            continue;
                        }

                        found.Add((new Candidate(s, c, u, w, shafts), deepest));
                    }
                }
            }

            safe[ci] = found.Count;
            var mine = new List<Candidate>();
            foreach (var s in pairSettings)
            {
                var picked = new List<Candidate>();
                foreach (var (pair, _) in found.Where(f => f.Pair.Setting == s).OrderBy(f => f.DeepestMm))
                {
                    if (picked.Count >= 2 * DirectionsPerCentre)
                    {
                        break;
                    }

                    if (picked.All(k => k.AxisLps.Dot(pair.AxisLps) < cosSeparation || Math.Abs(k.PairLps.Dot(pair.PairLps)) < cosOrientation))
                    {
                        picked.Add(pair);
                    }
                }

                mine.AddRange(picked);
            }

            kept[ci] = mine;
            counts[ci] = why;
        });

        foreach (var why in counts)
        {
            foreach (var (k, v) in why)
            {
                rejections[k] = rejections.GetValueOrDefault(k) + v;
            }
        }

        return ([.. kept.SelectMany(k => k)], safe.Sum());
    }

    /// <summary>
    /// One straight shaft whose zone-centre point is <paramref name="pointLps"/> and whose tip lies
    /// <paramref name="offsetMm"/> beyond it along <paramref name="u"/>: null when safe (the shaft in
    /// <paramref name="shaft"/>), else why not (the rejection key).
    /// </summary>
    private static string? Shaft(PlanRequest r, AccessMap access, ImageGeometry g, int[] labels, Dictionary<int, LabelRole> roles, LabelRole organ, Crop crop,
        Vector3D pointLps, Vector3D u, double offsetMm, out (Vector3D TipLps, Vector3D EntryLps, double DepthMm) shaft)
    {
        shaft = default;
        var classes = access.Classes;
        var w = TrajectoryWalk.Walk(classes, g, pointLps, u * -1, r.MaxDepthMm + offsetMm);
        if (w.End != WalkEnd.LeftBody)
        {
            return w.End switch
            {
                WalkEnd.Blocked => access.NameOf(w.Class),
                WalkEnd.LeftImage => "edge of the image before the skin",
                _ => "deeper than the maximal insertion depth",
            };
        }

        var last = g.PointLpsToIndex(pointLps - u * Math.Max(0, w.DistanceMm - (0.25 * crop.MinSpacingMm)));
        if (RoleAtIndex(labels, roles, g.Size, last) is not (LabelRole.Body or LabelRole.Skin))
        {
            return "surface not labelled body or skin";
        }

        var entry = pointLps - (u * w.DistanceMm);
        if (r.EntryRegion is { } region && !region.Contains(entry))
        {
            return "skin entry outside the entry region";
        }

        var tip = pointLps + u * offsetMm;
        if (offsetMm + w.DistanceMm > r.MaxDepthMm)
        {
            return "deeper than the maximal insertion depth";
        }

        var tipRole = RoleAtIndex(labels, roles, g.Size, g.PointLpsToIndex(tip));
        if ((tipRole != organ && tipRole != LabelRole.Tumour) || TrajectoryWalk.Segment(classes, g, pointLps, tip).End != WalkEnd.Clear)
        {
            return "tip outside the organ or blocked";
        }

        shaft = (tip, entry, offsetMm + w.DistanceMm);
        return null;
    }

    private static bool InEllipsoid(float dx, float dy, float dz, float ux, float uy, float uz, float ia2, float ib2)
    {
        var s = (dx * ux) + (dy * uy) + (dz * uz);
        var r2 = (dx * dx) + (dy * dy) + (dz * dz) - (s * s);
        return (s * s * ia2) + (r2 * ib2) <= 1f;
    }

    // Tri-axial (an electrode pair): 1/a² along the shafts u, 1/b² along the pair w, 1/c² across both (u × w).
    private static bool InEllipsoid(float dx, float dy, float dz, float ux, float uy, float uz, float wx, float wy, float wz, float ia2, float ib2, float ic2)
    {
        var s = (dx * ux) + (dy * uy) + (dz * uz);
        var t = (dx * wx) + (dy * wy) + (dz * wz);
        var r2 = (dx * dx) + (dy * dy) + (dz * dz) - (s * s) - (t * t);
        return (s * s * ia2) + (t * t * ib2) + (r2 * ic2) <= 1f;
    }

    private static LabelRole RoleAtIndex(int[] labels, Dictionary<int, LabelRole> roles, VolumeSize s, Vector3D idx)
    {
        int i = (int)Math.Floor(idx.X + 0.5), j = (int)Math.Floor(idx.Y + 0.5), k = (int)Math.Floor(idx.Z + 0.5);
        if (i < 0 || j < 0 || k < 0 || i >= s.I || j >= s.J || k >= s.K)
        {
            return LabelRole.Other;
        }

        var v = labels[s.LinearIndex(i, j, k)];
        return v == 0 ? LabelRole.Other : roles.GetValueOrDefault(v, LabelRole.Other);
    }

    /// <summary>Zone centres: the goal's centre, then a lattice (offset by the seed) over the tumour and its margin.</summary>
    private static List<Vector3D> Centres(Goal goal, Crop crop, ImageGeometry g, Random random)
    {
        var centres = new List<Vector3D> { goal.TumourCentre() };
        float x0 = float.MaxValue, y0 = float.MaxValue, z0 = float.MaxValue, x1 = float.MinValue, y1 = float.MinValue, z1 = float.MinValue;
        for (var q = 0; q < goal.Count; q++)
        {
            x0 = Math.Min(x0, goal.X[q]);
            y0 = Math.Min(y0, goal.Y[q]);
            z0 = Math.Min(z0, goal.Z[q]);
            x1 = Math.Max(x1, goal.X[q]);
            y1 = Math.Max(y1, goal.Y[q]);
            z1 = Math.Max(z1, goal.Z[q]);
        }

        var extent = Math.Max(x1 - x0, Math.Max(y1 - y0, z1 - z0));
        var spacing = Math.Max(crop.MinSpacingMm, extent / 6);
        var jitter = new Vector3D(random.NextDouble(), random.NextDouble(), random.NextDouble());
        while (true)
        {
            var lattice = new List<Vector3D>();
            for (var z = z0 + (jitter.Z * spacing); z <= z1; z += spacing)
            {
                for (var y = y0 + (jitter.Y * spacing); y <= y1; y += spacing)
                {
                    for (var x = x0 + (jitter.X * spacing); x <= x1; x += spacing)
                    {
                        var p = new Vector3D(x, y, z);
                        if (crop.Nearest(g, p) is { } n && goal.Kind[n] is Tissue or TargetTumour && goal.Contains(n))
                        {
                            lattice.Add(p);
                        }
                    }
                }
            }

            if (lattice.Count + 1 <= MaxCentres)
            {
                centres.AddRange(lattice);
                return centres;
            }

            spacing *= 1.15;
        }
    }

    /// <summary>Directions (entry → tip) on a Fibonacci sphere turned by a random rotation of the seed, within the cranio-caudal limit.</summary>
    private static List<Vector3D> Directions(Random random, double maxCranioCaudalDeg)
    {
        // A uniformly random rotation from a random unit quaternion (Shoemake 1992).
        double u1 = random.NextDouble(), u2 = random.NextDouble(), u3 = random.NextDouble();
        var q = new Quaternion(
            (float)(Math.Sqrt(1 - u1) * Math.Sin(2 * Math.PI * u2)),
            (float)(Math.Sqrt(1 - u1) * Math.Cos(2 * Math.PI * u2)),
            (float)(Math.Sqrt(u1) * Math.Sin(2 * Math.PI * u3)),
            (float)(Math.Sqrt(u1) * Math.Cos(2 * Math.PI * u3)));
        var limit = Math.Sin(maxCranioCaudalDeg * Math.PI / 180) + 1e-9;
        var golden = Math.PI * (3 - Math.Sqrt(5));
        var list = new List<Vector3D>(DirectionCount);
        for (var n = 0; n < DirectionCount; n++)
        {
            var z = 1 - ((2 * n) + 1) / (double)DirectionCount;
            var r = Math.Sqrt(1 - (z * z));
            var v = Vector3.Transform(new Vector3((float)(r * Math.Cos(golden * n)), (float)(r * Math.Sin(golden * n)), (float)z), q);
            var d = new Vector3D(v.X, v.Y, v.Z);
            d *= 1 / d.Length;
            if (Math.Abs(d.Z) <= limit)
            {
                list.Add(d);
            }
        }

        return list;
    }

    // ---- set cover ---------------------------------------------------------------------------------------------

    /// <summary>Greedy set cover (most newly covered voxels, then least energy, then shortest path), then each probe swapped for the cheapest one that keeps the coverage and any probe no longer needed dropped.</summary>
    private static List<Candidate> Cover(List<Candidate> candidates, int goalCount, int words, PlanRequest r, Func<List<Candidate>, bool> reachesGoal)
    {
        var chosen = new List<Candidate>();
        var covered = new ulong[words];
        while (ShaftCount(chosen) < r.MaxProbes)
        {
            var next = BestAddition(candidates, chosen, Complement(covered, goalCount), r.MinShaftSeparationMm, r.MaxProbes - ShaftCount(chosen));
            if (next is null)
            {
                break;
            }

            chosen.Add(next);
            Or(covered, next.Coverage!);
            // Done when every goal voxel is covered, or when the margin goal is met to within a voxel (the few voxels
            // left are the staircase of the voxel grid, not worth another puncture).
            if (PopCount(covered) == goalCount || reachesGoal(chosen))
            {
                break;
            }
        }

        // Refinement: fewer probes, then less energy, then shorter paths, never less coverage.
        for (var pass = 0; pass < 2; pass++)
        {
            for (var i = chosen.Count - 1; i >= 0; i--)
            {
                var others = new ulong[words];
                for (var o = 0; o < chosen.Count; o++)
                {
                    if (o != i)
                    {
                        Or(others, chosen[o].Coverage!);
                    }
                }

                var need = PopCountOr(others, chosen[i].Coverage!);
                if (chosen.Count > 1 && PopCount(others) >= need)
                {
                    chosen.RemoveAt(i);
                    continue;
                }

                var current = chosen[i];
                var rest = chosen.Where((_, o) => o != i).ToList();
                foreach (var c in candidates)
                {
                    if (c.Shafts.Count <= current.Shafts.Count && Cheaper(c, current) && PopCountOr(others, c.Coverage!) >= need && Separated(c, rest, r.MinShaftSeparationMm))
                    {
                        current = c;
                    }
                }

                chosen[i] = current;
            }
        }

        return OneGroupInstead(candidates, chosen, goalCount, words, r.MaxProbes, reachesGoal);
    }

    /// <summary>
    /// Greedy per puncture can miss one multi-shaft group (an IRE array, a cryo cluster) that does the plan's work alone:
    /// when the plan reaches the goal, one candidate with fewer punctures covering a superset of its goal voxels
    /// replaces it; when it does not, one candidate within the probe limit covering more replaces it. Ties go to fewer
    /// punctures, then less energy, then the shorter path.
    /// </summary>
    private static List<Candidate> OneGroupInstead(List<Candidate> candidates, List<Candidate> chosen, int goalCount, int words, int maxProbes, Func<List<Candidate>, bool> reachesGoal)
    {
        if (chosen.Count < 2)
        {
            return chosen;
        }

        var union = new ulong[words];
        foreach (var c in chosen)
        {
            Or(union, c.Coverage!);
        }

        var covered = PopCount(union);
        var shafts = ShaftCount(chosen);
        var reached = covered == goalCount || reachesGoal(chosen);
        Candidate? best = null;
        foreach (var c in candidates)
        {
            if (c.Shafts.Count > maxProbes || (reached && (c.Shafts.Count >= shafts || c.CoveredCount < covered || PopCountOr(union, c.Coverage!) != c.CoveredCount))
                || (!reached && c.CoveredCount <= covered))
            {
                continue;
            }

            if (best is null
                || (!reached && c.CoveredCount > best.CoveredCount)
                || ((reached || c.CoveredCount == best.CoveredCount) && (c.Shafts.Count < best.Shafts.Count || (c.Shafts.Count == best.Shafts.Count && Cheaper(c, best)))))
            {
                best = c;
            }
        }

        return best is null ? chosen : [best];
    }

    private static bool Stronger(SettingChoice a, SettingChoice b) =>
        a.RankKj > b.RankKj + 1e-9 || (Math.Abs(a.RankKj - b.RankKj) <= 1e-9 && a.Shafts > b.Shafts);

    private static bool Cheaper(Candidate a, Candidate b) =>
        a.Setting.RankKj < b.Setting.RankKj - 1e-9 || (Math.Abs(a.Setting.RankKj - b.Setting.RankKj) <= 1e-9 && a.DepthMm < b.DepthMm - 1e-9);

    /// <summary>Punctures of a plan: one per probe, two per electrode pair.</summary>
    private static int ShaftCount(List<Candidate> chosen)
    {
        var n = 0;
        foreach (var c in chosen)
        {
            n += c.Shafts.Count;
        }

        return n;
    }

    // Greedy weighted set cover: most newly covered goal voxels per puncture (a pair costs two), then least energy,
    // then the shortest path; never more punctures than maxShafts.
    private static Candidate? BestAddition(List<Candidate> candidates, List<Candidate> chosen, ulong[] wanted, double separationMm, int maxShafts)
    {
        Candidate? best = null;
        var bestGain = 0;
        foreach (var c in candidates)
        {
            if (c.Shafts.Count > maxShafts || chosen.Contains(c))
            {
                continue;
            }

            var gain = PopCountAnd(c.Coverage!, wanted);
            if (gain == 0)
            {
                continue;
            }

            if (best is not null)
            {
                // gain / shafts against the best's, without division.
                long mine = (long)gain * best.Shafts.Count, theirs = (long)bestGain * c.Shafts.Count;
                if (mine < theirs || (mine == theirs && !Cheaper(c, best)))
                {
                    continue;
                }
            }

            if (!Separated(c, chosen, separationMm))
            {
                continue;
            }

            best = c;
            bestGain = gain;
        }

        return best;
    }

    private static bool Separated(Candidate c, List<Candidate> chosen, double separationMm)
    {
        foreach (var o in chosen)
        {
            foreach (var a in c.Shafts)
            {
                foreach (var b in o.Shafts)
                {
                    if (SegmentDistance(a.EntryLps, a.TipLps, b.EntryLps, b.TipLps) < separationMm)
                    {
                        return false;
                    }
                }
            }
        }

        return true;
    }

    /// <summary>Smallest distance between segments p1–q1 and p2–q2 (Ericson, Real-Time Collision Detection, §5.1.9).</summary>
    internal static double SegmentDistance(Vector3D p1, Vector3D q1, Vector3D p2, Vector3D q2)
    {
        var d1 = q1 - p1;
        var d2 = q2 - p2;
        var r = p1 - p2;
        double a = d1.Dot(d1), e = d2.Dot(d2), f = d2.Dot(r);
        double s, t;
        var c = d1.Dot(r);
        var b = d1.Dot(d2);
        var denom = (a * e) - (b * b);
        s = denom > 1e-12 ? Math.Clamp(((b * f) - (c * e)) / denom, 0, 1) : 0;
        t = ((b * s) + f) / e;
        if (t < 0)
        {
            t = 0;
            s = Math.Clamp(-c / a, 0, 1);
        }
        else if (t > 1)
        {
            t = 1;
            s = Math.Clamp((b - c) / a, 0, 1);
        }

        return ((p1 + d1 * s) - (p2 + d2 * t)).Length;
    }

    private static ulong[] Complement(ulong[] bits, int count)
    {
        var c = new ulong[bits.Length];
        for (var w = 0; w < bits.Length; w++)
        {
            c[w] = ~bits[w];
        }

        if (count % 64 != 0)
        {
            c[^1] &= (1UL << (count % 64)) - 1;
        }

        return c;
    }

    private static void Or(ulong[] into, ulong[] bits)
    {
        for (var w = 0; w < into.Length; w++)
        {
            into[w] |= bits[w];
        }
    }

    private static int PopCount(ulong[] bits)
    {
        var n = 0;
        foreach (var b in bits)
        {
            n += BitOperations.PopCount(b);
        }

        return n;
    }

    private static int PopCountOr(ulong[] a, ulong[] b)
    {
        var n = 0;
        for (var w = 0; w < a.Length; w++)
        {
            n += BitOperations.PopCount(a[w] | b[w]);
        }

        return n;
    }

    private static int PopCountAnd(ulong[] a, ulong[] b)
    {
        var n = 0;
        for (var w = 0; w < a.Length; w++)
        {
            n += BitOperations.PopCount(a[w] & b[w]);
        }

        return n;
    }

    private static ulong[] UncoveredBits(Goal goal, byte[] zone, int words)
    {
        var bits = new ulong[words];
        for (var q = 0; q < goal.Count; q++)
        {
            if (zone[goal.Crop[q]] == 0)
            {
                bits[q >> 6] |= 1UL << (q & 63);
            }
        }

        return bits;
    }

    // ---- zones, coverage and margin -----------------------------------------------------------------------------

    private static void RasterEllipsoid(Crop crop, Candidate c, byte[] zone)
    {
        var test = new ZoneTest(c);
        for (var n = 0; n < crop.Count; n++)
        {
            var d = crop.PointLps(n) - c.CentreLps;
            if (test.Contains((float)d.X, (float)d.Y, (float)d.Z))
            {
                zone[n] = 1;
            }
        }
    }

    /// <summary>
    /// The search's zone of a candidate around its centre: the catalogue's uni-axial ellipsoid (a single thermal probe),
    /// the union of the pairs' tri-axial ellipsoids (IRE pair or array), or the cryo model's lethal zone in homogeneous
    /// liver (a cryo probe or cluster) turned into the candidate's frame.
    /// </summary>
    private readonly struct ZoneTest
    {
        private readonly float _ux, _uy, _uz, _wx, _wy, _wz, _vx, _vy, _vz, _ia2, _ib2, _iw2;
        private readonly float[]? _lobes; // per lobe: centre (x, y, z) and pair direction (x, y, z)
        private readonly CryoSearchZone? _cryo;

        public ZoneTest(Candidate c)
        {
            var u = c.AxisLps;
            var w = c.PairLps;
            var v = u.Cross(w);
            (_ux, _uy, _uz) = ((float)u.X, (float)u.Y, (float)u.Z);
            (_wx, _wy, _wz) = ((float)w.X, (float)w.Y, (float)w.Z);
            (_vx, _vy, _vz) = ((float)v.X, (float)v.Y, (float)v.Z);
            var s = c.Setting;
            _ia2 = 1f / (float)(s.SemiLengthMm * s.SemiLengthMm);
            _ib2 = 1f / (float)(s.SemiDiameterMm * s.SemiDiameterMm);
            _iw2 = 1f / (float)(s.SemiWidthMm * s.SemiWidthMm);
            _cryo = s.CryoZone;
            _lobes = null;
            if (s.Lobes is { } lobes)
            {
                _iw2 = 1f / (float)(s.PairSemiWidthMm * s.PairSemiWidthMm);
                _lobes = new float[lobes.Count * 6];
                for (var l = 0; l < lobes.Count; l++)
                {
                    var centre = (w * lobes[l].W) + (v * lobes[l].V);
                    var along = (w * lobes[l].Cos) + (v * lobes[l].Sin);
                    _lobes[(6 * l) + 0] = (float)centre.X;
                    _lobes[(6 * l) + 1] = (float)centre.Y;
                    _lobes[(6 * l) + 2] = (float)centre.Z;
                    _lobes[(6 * l) + 3] = (float)along.X;
                    _lobes[(6 * l) + 4] = (float)along.Y;
                    _lobes[(6 * l) + 5] = (float)along.Z;
                }
            }
        }

        /// <summary>True when the offset (dx, dy, dz) from the candidate's centre (LPS mm) lies in the zone.</summary>
        public bool Contains(float dx, float dy, float dz)
        {
            if (_cryo is { } cryo)
            {
                return cryo.Contains((dx * _ux) + (dy * _uy) + (dz * _uz), (dx * _wx) + (dy * _wy) + (dz * _wz), (dx * _vx) + (dy * _vy) + (dz * _vz));
            }

            if (_lobes is { } lobes)
            {
                for (var l = 0; l < lobes.Length; l += 6)
                {
                    if (InEllipsoid(dx - lobes[l], dy - lobes[l + 1], dz - lobes[l + 2], _ux, _uy, _uz, lobes[l + 3], lobes[l + 4], lobes[l + 5], _ia2, _iw2, _ib2))
                    {
                        return true;
                    }
                }

                return false;
            }

            return InEllipsoid(dx, dy, dz, _ux, _uy, _uz, _ia2, _ib2);
        }
    }

    /// <summary>
    /// The direction across the shafts of orientation <paramref name="m"/> (of <see cref="PairOrientations"/> over
    /// 180°) around <paramref name="u"/>: the layout's w axis of a multi-shaft candidate.
    /// </summary>
    internal static Vector3D Across(Vector3D u, int m)
    {
        var helper = Math.Abs(u.X) < 0.9 ? new Vector3D(1, 0, 0) : new Vector3D(0, 1, 0);
        var e1 = helper - u * helper.Dot(u);
        e1 *= 1 / e1.Length;
        var e2 = u.Cross(e1);
        var angle = m * Math.PI / PairOrientations;
        return (e1 * Math.Cos(angle)) + (e2 * Math.Sin(angle));
    }

    /// <summary>
    /// Coverage of the goal (%) and the minimal margin (mm): the smallest distance from a tumour voxel centre to the
    /// centre of a living tissue voxel (organ, tumour or vessel; other structures are not margin) — the convention of
    /// <c>simulate</c>; negative (minus the largest distance from a missed tumour voxel to the zone) when tumour is left.
    /// </summary>
    private static (double CoveragePercent, double? MarginMm) Measure(Crop crop, Goal goal, byte[] zone, int? threads)
    {
        var covered = 0;
        var tumourLeft = false;
        for (var q = 0; q < goal.Count; q++)
        {
            if (zone[goal.Crop[q]] != 0)
            {
                covered++;
            }
            else if (goal.IsTumour[q])
            {
                tumourLeft = true;
            }
        }

        var coverage = 100.0 * covered / goal.Count;
        var options = new EdtOptions { MaxDegreeOfParallelism = threads };
        var box = VolumeBox.Whole(crop.Size);
        if (tumourLeft)
        {
            if (Array.IndexOf(zone, (byte)1) < 0)
            {
                return (coverage, null);
            }

            var toZone = EuclideanDistance.SquaredDistance(zone, crop.Size, box, crop.SpacingMm, sitesAreForeground: true, options);
            var worst = 0.0;
            for (var q = 0; q < goal.Count; q++)
            {
                if (goal.IsTumour[q] && zone[goal.Crop[q]] == 0)
                {
                    worst = Math.Max(worst, toZone[goal.Crop[q]]);
                }
            }

            return (coverage, -Math.Sqrt(worst));
        }

        var alive = new byte[crop.Count];
        var anyAlive = false;
        for (var n = 0; n < crop.Count; n++)
        {
            if (goal.Kind[n] is Tissue or TargetTumour && zone[n] == 0)
            {
                alive[n] = 1;
                anyAlive = true;
            }
        }

        if (!anyAlive)
        {
            return (coverage, null);
        }

        var toAlive = EuclideanDistance.SquaredDistance(alive, crop.Size, box, crop.SpacingMm, sitesAreForeground: true, options);
        var best = double.MaxValue;
        for (var q = 0; q < goal.Count; q++)
        {
            if (goal.IsTumour[q])
            {
                best = Math.Min(best, toAlive[goal.Crop[q]]);
            }
        }

        return (coverage, Math.Sqrt(best));
    }

    /// <summary>
    /// True when the simulated zone lost the goal next to a vessel: at least half of the goal voxels the ellipsoids
    /// covered but the simulation did not lie within <see cref="HeatSinkNearMm"/> of a vessel, or, when the margin is
    /// short (<paramref name="shortMarginMm"/>), the living tissue that limits it lies there.
    /// </summary>
    private static bool HeatSinkLimited(Crop crop, Goal goal, byte[] ellipsoid, byte[] simulated, double? shortMarginMm, int? threads)
    {
        var vessels = new byte[crop.Count];
        var any = false;
        for (var n = 0; n < crop.Count; n++)
        {
            if (crop.IsVessel[n])
            {
                vessels[n] = 1;
                any = true;
            }
        }

        if (!any)
        {
            return false;
        }

        var toVessel = EuclideanDistance.SquaredDistance(vessels, crop.Size, VolumeBox.Whole(crop.Size), crop.SpacingMm, sitesAreForeground: true, new EdtOptions { MaxDegreeOfParallelism = threads });
        int lost = 0, nearVessel = 0;
        var near2 = HeatSinkNearMm * HeatSinkNearMm;
        for (var q = 0; q < goal.Count; q++)
        {
            var n = goal.Crop[q];
            if (ellipsoid[n] != 0 && simulated[n] == 0 && !crop.IsVessel[n])
            {
                lost++;
                if (toVessel[n] <= near2)
                {
                    nearVessel++;
                }
            }
        }

        if (lost > 0 && nearVessel * 2 >= lost)
        {
            return true;
        }

        if (shortMarginMm is not { } limit || limit <= 0)
        {
            return false;
        }

        // The living voxels at the minimal margin from the tumour: is one of them at a vessel?
        var tumour = new byte[crop.Count];
        for (var n = 0; n < crop.Count; n++)
        {
            tumour[n] = goal.Kind[n] == TargetTumour ? (byte)1 : (byte)0;
        }

        var toTumour = EuclideanDistance.SquaredDistance(tumour, crop.Size, VolumeBox.Whole(crop.Size), crop.SpacingMm, sitesAreForeground: true, new EdtOptions { MaxDegreeOfParallelism = threads });
        var edge = (limit * limit) + 1e-3;
        for (var n = 0; n < crop.Count; n++)
        {
            if (goal.Kind[n] == Tissue && simulated[n] == 0 && toTumour[n] <= edge && toVessel[n] <= near2)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Tissue simulated around a cryo cluster's freezing segments in the planner (mm each side), the search zone's block too; see docs/ablation.md.</summary>
    public const double CryoRoiMarginMm = 25;

    /// <summary>A confirmation run: the zone on the input grid, the model line, and how much shorter the zone reaches toward a vessel than without it (0 when not measured).</summary>
    private sealed record Confirmation(Volume<byte> Zone, string Model, double ShrinkMm);

    // Thermal and IRE: the simulator as simulate runs it. Cryo: only CryoPredictor's heat-sink run (CryoLethalZone, the
    // same zone), without the no-vessel reference that only measures shrinkMm: half the time next to a vessel.
    private static Confirmation Simulate(PlanRequest r, Candidate c, LabelMap map, CancellationToken cancellation)
    {
        var probes = c.Shafts.Select(sh => new ProbePose(sh.TipLps, sh.EntryLps)).ToList();
        var request = new ZoneRequest
        {
            Labels = map,
            Probes = probes,
            Device = c.Setting.Device,
            Setting = c.Setting.Setting,
            GridMm = r.ConfirmationGridMm,
            HeatSink = true,
            MaxDegreeOfParallelism = r.MaxDegreeOfParallelism,
        };
        if (c.Setting.CryoZone is not null)
        {
            var (zone, model) = CryoLethalZone.Predict(request with { GridMm = r.CryoGridMm, RoiMm = CryoRoiSideMm(probes, c.Setting.Setting.Cryo!) }, cancellation);
            return new Confirmation(zone, model, 0);
        }

        var p = ZonePredictor.Predict(request, null, cancellation);
        return new Confirmation(p.Zone, p.Model, p.Vessels.Count == 0 ? 0 : p.Vessels.Max(v => v.ShrinkMm));
    }

    /// <summary>
    /// Side of the cube the planner's cryo confirmation simulates (mm): the largest extent along L, P or S of the
    /// freezing segments plus <see cref="CryoRoiMarginMm"/> each side (CryoPredictor's default is 35 mm each side).
    /// </summary>
    internal static double CryoRoiSideMm(IReadOnlyList<ProbePose> probes, CryoModel model)
    {
        var (lo, hi) = CryoPredictor.SegmentBox(probes, model);
        var extent = hi - lo;
        return Math.Max(extent.X, Math.Max(extent.Y, extent.Z)) + (2 * CryoRoiMarginMm);
    }

    private static void Union(List<Volume<byte>> zones, Volume<byte> full, Crop crop, byte[] cropZone)
    {
        Array.Clear(full.Buffer);
        foreach (var zone in zones)
        {
            var z = zone.Buffer;
            for (var n = 0; n < z.Length; n++)
            {
                full.Buffer[n] |= z[n];
            }
        }

        for (var n = 0; n < crop.Count; n++)
        {
            cropZone[n] = full.Buffer[crop.ToFull(n)] != 0 ? (byte)1 : (byte)0;
        }
    }

    // ---- reporting ---------------------------------------------------------------------------------------------

    private static List<string> Caveats(bool confirmed, bool heatSinkLimited, List<Candidate> chosen, PlanRequest request)
    {
        var list = new List<string>();
        if (confirmed && heatSinkLimited && chosen.Any(c => c.Setting.Device.Modality == AblationModality.Mwa))
        {
            list.Add(Zones.ModelCaveats.MicrowaveHeatSink);
        }

        if (confirmed && chosen.Any(c => c.Setting.CryoZone is not null) && request.CryoGridMm > 1 + 1e-9)
        {
            list.Add(Zones.ModelCaveats.CoarseCryoGrid);
        }

        return list;
    }

    private static string? Reason(PlanRequest r, bool feasible, List<Candidate> chosen, int safe, Dictionary<string, int> rejections,
        double coverage, double? margin, double? ellipsoidMargin, double tolerance, bool heatSinkLimited, double shrinkMm, bool confirmed, int added, int upgraded, string? note)
    {
        var inv = CultureInfo.InvariantCulture;
        var parts = new List<string>();
        var cryo = chosen.Count > 0 && chosen.All(c => c.Setting.CryoZone is not null);
        if (chosen.Count == 0)
        {
            var total = rejections.Values.Sum();
            var blockers = string.Join(", ", rejections.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(4)
                .Select(kv => string.Create(inv, $"{kv.Key} {100.0 * kv.Value / Math.Max(1, total):0} %")));
            return safe == 0
                ? $"no safe path: every straight path from the body surface to the target within the depth ({r.MaxDepthMm:0} mm) and angle limits is blocked ({blockers})"
                : $"no safe zone: {safe} straight paths are safe, but every zone placed on them reaches a structure it must spare or misses the target ({blockers})";
        }

        if (!feasible)
        {
            var m = margin is { } mm ? string.Create(inv, $"{mm:0.0} mm") : "none";
            if (heatSinkLimited)
            {
                parts.Add(string.Create(inv, $"vessel: the simulated zone falls short of the goal next to a vessel (heat sink: {(shrinkMm >= 0.5 ? $"the zone reaches {shrinkMm:0.0} mm less toward it than without the vessel" : cryo ? "the vessel's warm blood keeps the tissue at its wall above the lethal isotherm" : "the cooled vessel and the tissue at its wall stay alive")}), minimal margin {m} of {r.MarginMm:0.#} mm"));
            }
            else if (!(ellipsoidMargin >= r.MarginMm - tolerance))
            {
                parts.Add(string.Create(inv, $"size: the best plan with at most {r.MaxProbes} probe(s) covers {coverage:0.0} % of tumour + {r.MarginMm:0.#} mm margin (minimal margin {m})"));
            }
            else
            {
                parts.Add(string.Create(inv, $"the simulated zones fall short of the {(cryo ? "search zones (the cryo model in homogeneous liver)" : "catalogue ellipsoids")}: {coverage:0.0} % covered, minimal margin {m} of {r.MarginMm:0.#} mm"));
            }
        }
        else if (heatSinkLimited)
        {
            parts.Add("heat sink: the zone is cut short next to a vessel, but the margin goal is still reached");
        }

        if (feasible && margin is { } shortMm && shortMm < r.MarginMm)
        {
            // Feasible within one voxel of the label grid: say so, a clinician must not read 4.3 mm as 5 mm.
            parts.Add(string.Create(inv, $"minimal margin {shortMm:0.0} mm is {r.MarginMm - shortMm:0.0} mm short of the {r.MarginMm:0.#} mm goal, within the {tolerance:0.0#} mm voxel of the label grid that the margin is measured on: counted as reached; confirm it after ablation (localcontrol verify)"));
        }

        if (upgraded > 0)
        {
            parts.Add($"{upgraded} probe setting(s) raised after the bioheat confirmation showed the zone falling short");
        }

        if (added > 0)
        {
            parts.Add($"{added} probe(s) added after the bioheat confirmation showed the catalogue zones falling short");
        }

        if (!confirmed)
        {
            parts.Add(note ?? (cryo ? "not confirmed by the simulator: zones are the cryo search zones (homogeneous liver, no vessels)" : "not confirmed by the simulator: zones are the catalogue ellipsoids"));
        }

        return parts.Count == 0 ? null : string.Join("; ", parts);
    }

    // One entry per shaft; the electrodes of an IRE pair or array share the plan's position of it (ElectrodeGroup), the
    // cryoprobes of a cluster theirs (ClusterGroup), and the setting's energy is given once, on the first.
    private static IEnumerable<PlannedProbe> Describe(Candidate c, int position, ImageGeometry g, int[] labels, Dictionary<int, LabelRole> roles, LabelRole organ, bool added)
    {
        var u = c.AxisLps;
        var back = u * -1;
        for (var k = 0; k < c.Shafts.Count; k++)
        {
            var (tip, entry, depth) = c.Shafts[k];
            yield return new PlannedProbe
            {
                Device = c.Setting.Device.Id,
                Setting = c.Setting.Setting.Id,
                TipLps = tip,
                EntryLps = entry,
                DepthMm = depth,
                CranioCaudalDeg = Math.Asin(Math.Clamp(u.Z, -1, 1)) * 180 / Math.PI,
                InPlaneDeg = Math.Atan2(back.X, -back.Y) * 180 / Math.PI,
                PassesNear = PassesNear(tip, entry, g, labels, roles, organ),
                EnergyKj = k == 0 ? c.Setting.EnergyKj : 0,
                AddedOnConfirmation = added,
                ElectrodeGroup = c.IsPair && c.Setting.Device.Modality == AblationModality.Ire ? position : null,
                ClusterGroup = c.Setting.Device.Modality == AblationModality.Cryoablation ? position : null,
            };
        }
    }

    /// <summary>Structures (other than the organ, tumour, body and skin) within <see cref="PassesNearReportMm"/> of the shaft, by brute force over the voxels near it.</summary>
    private static List<PassNear> PassesNear(Vector3D tipLps, Vector3D entryLps, ImageGeometry g, int[] labels, Dictionary<int, LabelRole> roles, LabelRole organ)
    {
        var s = g.Size;
        var a = g.PointLpsToIndex(entryLps);
        var b = g.PointLpsToIndex(tipLps);
        var lo = new int[3];
        var hi = new int[3];
        int[] dims = [s.I, s.J, s.K];
        for (var axis = 0; axis < 3; axis++)
        {
            var pad = PassesNearReportMm / g.SpacingMm[axis] + 2;
            lo[axis] = Math.Clamp((int)Math.Floor(Math.Min(a[axis], b[axis]) - pad), 0, dims[axis] - 1);
            hi[axis] = Math.Clamp((int)Math.Ceiling(Math.Max(a[axis], b[axis]) + pad), 0, dims[axis] - 1);
        }

        var half = Math.Min(g.SpacingMm.X, Math.Min(g.SpacingMm.Y, g.SpacingMm.Z)) / 2;
        var best = new Dictionary<LabelRole, double>();
        var d = tipLps - entryLps;
        var len2 = d.Dot(d);
        for (var k = lo[2]; k <= hi[2]; k++)
        {
            for (var j = lo[1]; j <= hi[1]; j++)
            {
                for (var i = lo[0]; i <= hi[0]; i++)
                {
                    var v = labels[s.LinearIndex(i, j, k)];
                    if (v == 0 || !roles.TryGetValue(v, out var role) || role is LabelRole.Other or LabelRole.Body or LabelRole.Skin or LabelRole.Tumour or LabelRole.AblationZone || role == organ)
                    {
                        continue;
                    }

                    var p = g.IndexToPointLps(i, j, k);
                    var t = Math.Clamp((p - entryLps).Dot(d) / len2, 0, 1);
                    var dist = (p - (entryLps + d * t)).Length;
                    if (dist <= PassesNearReportMm + half && (!best.TryGetValue(role, out var old) || dist < old))
                    {
                        best[role] = dist;
                    }
                }
            }
        }

        return [.. best.Select(kv => new PassNear(kv.Key.Name(), Math.Max(0, kv.Value - half))).Where(p => p.DistanceMm <= PassesNearReportMm).OrderBy(p => p.DistanceMm).ThenBy(p => p.Structure, StringComparer.Ordinal)];
    }

    // ---- small types -------------------------------------------------------------------------------------------

    /// <summary>
    /// A setting as the search uses it: the zone centre <c>OffsetMm</c> back from the tip(s), its semi-axes along the
    /// shaft (<c>SemiLengthMm</c>) and across it (<c>SemiDiameterMm</c>); for an IRE electrode pair
    /// (<c>PairSpacingMm</c> &gt; 0) the zone is a tri-axial ellipsoid, <c>SemiWidthMm</c> along the pair and
    /// <c>SemiDiameterMm</c> across both electrodes (the catalogue's depth). <c>Shafts</c> is the number of punctures.
    /// </summary>
    internal sealed record SettingChoice(AblationDevice Device, DeviceSetting Setting, double OffsetMm, double SemiLengthMm, double SemiDiameterMm, double EnergyKj)
    {
        /// <summary>Reach of the zone from the centre across the shafts along the layout (mm), for the crop; the semi-axis along an IRE pair.</summary>
        public double SemiWidthMm { get; init; } = SemiDiameterMm;

        /// <summary>IRE: the semi-axis of each pair's ellipsoid along the pair (mm), the catalogue's width / 2.</summary>
        public double PairSemiWidthMm { get; init; }

        /// <summary>Where the shafts stand across the shafts, in the candidate's (w, v) frame (mm): one at the centre for a single probe.</summary>
        public IReadOnlyList<(double W, double V)> LayoutMm { get; init; } = [(0, 0)];

        /// <summary>
        /// IRE: the catalogue ellipsoid of each electrode pair the search counts (its centre across the shafts and its
        /// direction in the w–v plane); null for a single probe's uni-axial ellipsoid.
        /// </summary>
        public IReadOnlyList<PairLobe>? Lobes { get; init; }

        /// <summary>Cryo: the lethal zone of the cluster in homogeneous liver, simulated by the cryo model (replaces the ellipsoid).</summary>
        public CryoSearchZone? CryoZone { get; init; }

        /// <summary>Punctures: one per shaft.</summary>
        public int Shafts => LayoutMm.Count;

        /// <summary>A rank of the dose for raising a setting on the same path: the energy, then (cryo: no energy figure) the probe count.</summary>
        public (double EnergyKj, int Shafts) Dose => (RankKj, Shafts);

        /// <summary>
        /// The energy the tie-breaks compare (kJ): the setting's energy; for cryo, which has no energy figure, the largest
        /// double, so that at equal coverage per puncture a device with a figure comes first and cryo settings tie
        /// among themselves (then fewer probes, then the shorter path).
        /// </summary>
        public double RankKj => CryoZone is null ? EnergyKj : double.MaxValue;
    }

    /// <summary>One electrode pair's catalogue ellipsoid inside an IRE array: centre (w, v) across the shafts (mm) and the pair's direction (cos, sin) in the w–v plane.</summary>
    internal readonly record struct PairLobe(double W, double V, double Cos, double Sin);

    internal sealed class Candidate(SettingChoice setting, Vector3D centreLps, Vector3D axisLps, Vector3D tipLps, Vector3D entryLps, double depthMm)
    {
        /// <summary>
        /// Several shafts (an IRE pair or array, a cryo cluster): <paramref name="pairLps"/> (unit, across the shafts) is
        /// the layout's w axis (for a pair, from the first electrode to the second), and every shaft in layout order.
        /// </summary>
        public Candidate(SettingChoice setting, Vector3D centreLps, Vector3D axisLps, Vector3D pairLps, IReadOnlyList<(Vector3D TipLps, Vector3D EntryLps, double DepthMm)> shafts)
            : this(setting, centreLps, axisLps, shafts[0].TipLps, shafts[0].EntryLps, shafts[0].DepthMm)
        {
            PairLps = pairLps;
            Shafts = shafts;
        }

        public SettingChoice Setting { get; } = setting;

        /// <summary>Unit vector across the shafts, the layout's w axis (for a single probe the orientation-0 perpendicular of the shaft).</summary>
        public Vector3D PairLps { get; } = Across(axisLps, 0);

        /// <summary>Every shaft: one for a single probe, two for an electrode pair, 2–4 for a cryo cluster.</summary>
        public IReadOnlyList<(Vector3D TipLps, Vector3D EntryLps, double DepthMm)> Shafts { get; } = [(tipLps, entryLps, depthMm)];

        public bool IsPair => Shafts.Count > 1;

        public Vector3D CentreLps { get; } = centreLps;

        public Vector3D AxisLps { get; } = axisLps;

        public Vector3D TipLps { get; } = tipLps;

        public Vector3D EntryLps { get; } = entryLps;

        public double DepthMm { get; } = depthMm;

        public ulong[]? Coverage { get; set; }

        public int CoveredCount { get; set; }
    }

    internal readonly record struct VolumeBoxIndex(int I, int J, int K);

    private sealed class Goal(int count)
    {
        public int Count { get; } = count;

        public int[] Crop { get; } = new int[count];

        public float[] X { get; } = new float[count];

        public float[] Y { get; } = new float[count];

        public float[] Z { get; } = new float[count];

        public bool[] IsTumour { get; } = new bool[count];

        public required byte[] Kind { get; init; }

        public Vector3D CentreLps { get; set; }

        public double RadiusMm { get; set; }

        public IReadOnlyList<(Vector3D P, string Name)> Spare { get; set; } = [];

        private HashSet<int>? _set;

        public bool Contains(int cropIndex) => (_set ??= [.. Crop]).Contains(cropIndex);

        public Vector3D TumourCentre()
        {
            var sum = Vector3D.Zero;
            var n = 0;
            for (var q = 0; q < Count; q++)
            {
                if (IsTumour[q])
                {
                    sum += new Vector3D(X[q], Y[q], Z[q]);
                    n++;
                }
            }

            return n == 0 ? CentreLps : sum * (1.0 / n);
        }
    }

    /// <summary>A box of the label grid (same spacing and direction) around the target.</summary>
    private sealed class Crop
    {
        private Crop(ImageGeometry g, int i0, int j0, int k0, VolumeSize size, bool[] isVessel)
        {
            Full = g;
            I0 = i0;
            J0 = j0;
            K0 = k0;
            Size = size;
            IsVessel = isVessel;
        }

        public ImageGeometry Full { get; }

        public int I0 { get; }

        public int J0 { get; }

        public int K0 { get; }

        public VolumeSize Size { get; }

        public int Count => (int)Size.VoxelCount;

        public Vector3D SpacingMm => Full.SpacingMm;

        public double MinSpacingMm => Math.Min(SpacingMm.X, Math.Min(SpacingMm.Y, SpacingMm.Z));

        public bool[] IsVessel { get; private set; }

        public static Crop Around(ImageGeometry g, VolumeBoxIndex lo, VolumeBoxIndex hi, double padMm)
        {
            var s = g.Size;
            int pi = (int)Math.Ceiling(padMm / g.SpacingMm.X), pj = (int)Math.Ceiling(padMm / g.SpacingMm.Y), pk = (int)Math.Ceiling(padMm / g.SpacingMm.Z);
            int i0 = Math.Max(0, lo.I - pi), j0 = Math.Max(0, lo.J - pj), k0 = Math.Max(0, lo.K - pk);
            int i1 = Math.Min(s.I - 1, hi.I + pi), j1 = Math.Min(s.J - 1, hi.J + pj), k1 = Math.Min(s.K - 1, hi.K + pk);
            var size = new VolumeSize(i1 - i0 + 1, j1 - j0 + 1, k1 - k0 + 1);
            return new Crop(g, i0, j0, k0, size, []);
        }

        public long ToFull(int n)
        {
            var i = n % Size.I;
            var j = n / Size.I % Size.J;
            var k = n / (Size.I * Size.J);
            return Full.Size.LinearIndex(I0 + i, J0 + j, K0 + k);
        }

        public Vector3D PointLps(int n)
        {
            var i = n % Size.I;
            var j = n / Size.I % Size.J;
            var k = n / (Size.I * Size.J);
            return Full.IndexToPointLps(I0 + i, J0 + j, K0 + k);
        }

        public int? Nearest(ImageGeometry g, Vector3D p)
        {
            var idx = g.PointLpsToIndex(p);
            int i = (int)Math.Floor(idx.X + 0.5) - I0, j = (int)Math.Floor(idx.Y + 0.5) - J0, k = (int)Math.Floor(idx.Z + 0.5) - K0;
            return i < 0 || j < 0 || k < 0 || i >= Size.I || j >= Size.J || k >= Size.K ? null : ((k * Size.J) + j) * Size.I + i;
        }

        public void MarkVessels(int[] labels, Dictionary<int, LabelRole> roles)
        {
            var v = new bool[Count];
            for (var n = 0; n < Count; n++)
            {
                var l = labels[ToFull(n)];
                v[n] = l != 0 && roles.TryGetValue(l, out var r) && r.IsVessel();
            }

            IsVessel = v;
        }
    }
}
