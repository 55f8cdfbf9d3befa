using LocalControl.Ablation.Bench;

var mode = args.Length > 0 ? args[0] : "all";
switch (mode)
{
    case "calibrate":
        Calibration.Run(args.Length > 1 ? args[1] : null);
        break;
    case "kernel":
        KernelSpeed.Run();
        break;
    default:
        Console.Error.WriteLine("usage: calibrate [device/setting] | mw | rf | all");
        return 2;
}

return 0;
