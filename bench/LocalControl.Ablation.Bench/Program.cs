using LocalControl.Ablation.Bench;

var mode = args.Length > 0 ? args[0] : "all";

switch (mode)
{
    case "calibrate":
        Calibration.Run(args.Length > 1 ? args[1] : null);
        CryoBench.Calibrate(args.Length > 1 ? args[1] : null);
        break;
    case "cryo":
        CryoBench.Run();
        break;
    case "cryo-align":
        CryoBench.Alignment();
        break;
    case "cryo-grids":
        CryoBench.Grids();
        break;
    case "cryo-phantom":
        {
            var dev = LocalControl.Ablation.Devices.DeviceCatalogue.Default.Find("cryo-2.4mm")!;
            foreach (var s in dev.Settings)
            {
                if (args.Length > 1 && !s.Id.Contains(args[1], StringComparison.Ordinal))
                {
                    continue;
                }

                var sw = System.Diagnostics.Stopwatch.StartNew();
                var (lethal, ice, o) = LocalControl.Ablation.Zones.CryoPhantom.Simulate(dev, s, args.Length > 2 ? double.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 1.0);
                Console.WriteLine($"{s.Id}: probe {s.Cryo!.ProbeCelsius} C, lethal D={lethal.DiameterMm:0.0}/{lethal.SecondDiameterMm:0.0} L={lethal.LengthMm:0.0} (catalogue {s.ExpectedZone.DiameterMm}), ice D={ice.DiameterMm:0.0} L={ice.LengthMm:0.0}, dt {o.TimeStepSeconds:0.000} s, {o.VoxelUpdates / 1e9:0.00} G updates in {sw.Elapsed.TotalSeconds:0.0} s");
            }

            break;
        }

    case "rfprobe":
        {
            var dev = LocalControl.Ablation.Devices.DeviceCatalogue.Default.Find("rf-cooled-2cm")!;
            var (setup, probe) = LocalControl.Ablation.Zones.HomogeneousLiver.Setup(dev, dev.Settings[0], 1.0);
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var o = LocalControl.Ablation.Bioheat.ThermalSimulation.Run(setup);
            Console.WriteLine($"rf: {sw.Elapsed.TotalSeconds:0.00} s, solves {o.PotentialSolves}, CG its {o.PotentialIterations}, solve time {o.PotentialSeconds:0.00} s, rolloffs {o.RollOffs}, peak {o.PeakTemperatureCelsius:0}");
            break;
        }

    case "mw" or "rf":
        ProblemBench.Run(mode);
        break;
    case "all":
        ProblemBench.Run(mode);
        SphereBench.Run();
        break;
    case "sphere":
        SphereBench.Run();
        break;
    case "heatsink":
        HeatSinkBench.Run();
        break;
    case "plan":
        PlanBench.Run(args.Length > 1 ? args[1] : "emprint");
        break;
    case "cryo-search-zone":
        PlanBench.CryoSearchZones(args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1.0,
            args.Length > 2 ? double.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : null, args.Length > 3 ? args[3] : null);
        break;
    case "ire":
        IreBench.Run();
        break;
    case "kernel":
        KernelSpeed.Run();
        break;
    default:
        Console.Error.WriteLine("usage: calibrate [device/setting] | cryo | cryo-align | cryo-grids | cryo-phantom [setting] [gridMm] | heatsink | mw | rf | sphere | all | plan [emprint|cryo-2.4mm|nanoknife-2] | cryo-search-zone [gridMm] [marginMm] [setting] | ire | kernel");
        return 2;
}

return 0;
