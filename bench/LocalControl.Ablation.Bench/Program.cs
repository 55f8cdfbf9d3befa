using LocalControl.Ablation.Bench;

var mode = args.Length > 0 ? args[0] : "all";

switch (mode)
{
    case "calibrate":
        Calibration.Run(args.Length > 1 ? args[1] : null);
        break;
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
        PlanBench.Run();
        break;
    case "ire":
        IreBench.Run();
        break;
    case "kernel":
        KernelSpeed.Run();
        break;
    default:
        Console.Error.WriteLine("usage: calibrate [device/setting] | heatsink | mw | rf | sphere | all | plan | ire | kernel");
        return 2;
}

return 0;
