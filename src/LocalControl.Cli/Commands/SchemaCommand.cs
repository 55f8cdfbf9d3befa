using System.CommandLine;

namespace LocalControl.Cli.Commands;

/// <summary><c>localcontrol schema [-o FILE]</c>: the JSON Schema of the case file.</summary>
internal static class SchemaCommand
{
    public static Command Create(CliContext context)
    {
        var output = CommonOptions.Output();
        var command = new Command("schema", "Print the JSON Schema (draft 2020-12) of the case file.") { output };
        command.SetAction(parse =>
        {
            context.WriteResult(Core.Cases.CaseSchema.Json, parse.GetValue(output));
            return ExitCodes.Success;
        });
        return command;
    }
}
