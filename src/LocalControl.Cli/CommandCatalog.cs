using System.CommandLine;

namespace LocalControl.Cli;

/// <summary>Every subcommand of <c>localcontrol</c>, one file each under Commands/.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> Create(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        // Decide
        yield return Commands.AssessCommand.Create(context);
        yield return Commands.ValidateCommand.Create(context);
        yield return Commands.EvidenceCommand.Create(context);
        yield return Commands.SchemaCommand.Create(context);

        // Measure
        yield return Commands.InfoCommand.Create(context);
        yield return Commands.ConvertCommand.Create(context);
        yield return Commands.DistanceCommand.Create(context);
        yield return Commands.MeasureCommand.Create(context);
        yield return Commands.PhantomCommand.Create(context);

        // Plan
        yield return Commands.DevicesCommand.Create(context);
        yield return Commands.SimulateCommand.Create(context);
        yield return Commands.PlanCommand.Create(context);

        // Verify
        yield return Commands.VerifyCommand.Create(context);

        // Follow
        yield return Commands.FollowCommand.Create(context);
        yield return Commands.OutcomesCommand.Create(context);
        yield return Commands.ExportCommand.Create(context);
        yield return Commands.ImportCommand.Create(context);

        // Registry
        yield return Commands.DbCommand.Create(context);
    }
}
