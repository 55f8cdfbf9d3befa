using System.CommandLine;
using LocalControl.Follow;

namespace LocalControl.Cli.Commands;

/// <summary><c>localcontrol follow CASE.json [--format text|json]</c>: RECIST 1.1 per follow-up and the ablation terminology per ablated lesion.</summary>
internal static class FollowCommand
{
    public static Command Create(CliContext context)
    {
        var caseArgument = new Argument<string>("case") { Description = "Case file (JSON) with treatments and followUps." };
        var format = CommonOptions.Format("text", "text", "json");
        var output = CommonOptions.Output();
        var command = new Command("follow", "Response after treatment: RECIST 1.1 per follow-up study, technique efficacy and local tumour progression per ablated lesion.")
        {
            caseArgument, format, output,
        };
        command.SetAction(parse =>
        {
            var (@case, _) = CaseFiles.Load(parse.GetValue(caseArgument)!, context);
            var evaluation = FollowReport.Evaluate(@case);
            context.WriteResult(parse.GetValue(format) == "json" ? FollowReport.Json(evaluation) : FollowReport.Text(evaluation), parse.GetValue(output));
            return ExitCodes.Success;
        });
        return command;
    }
}
