namespace LocalControl.Cli;

/// <summary>Entry point of the <c>localcontrol</c> command.</summary>
public static class Program
{
    /// <summary>Runs the command line against the real console.</summary>
    public static int Main(string[] args) => CliApp.Run(args, Console.Out, Console.Error);
}
