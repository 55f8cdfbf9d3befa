using System.Runtime.InteropServices;

namespace LocalControl.Cli;

/// <summary>Entry point of the <c>localcontrol</c> command.</summary>
public static class Program
{
    /// <summary>Exit code after SIGINT (Ctrl+C) or SIGTERM: 128 + 2, as shells report an interrupted command.</summary>
    public const int Interrupted = 130;

    /// <summary>Runs the command line against the real console; Ctrl+C or SIGTERM removes partial outputs and exits 130.</summary>
    public static int Main(string[] args)
    {
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        return CliApp.Run(args, Console.Out, Console.Error);
    }

    private static void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        // No rename can happen after this: a half-written output is deleted, never moved into place.
        Core.IO.OutputFiles.AbandonAll();
        Console.Error.WriteLine($"interrupted ({context.Signal}): no partial output was left.");
        Environment.Exit(Interrupted);
    }
}
