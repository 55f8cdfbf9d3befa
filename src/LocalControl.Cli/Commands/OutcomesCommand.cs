using System.CommandLine;
using LocalControl.Follow.Survival;

namespace LocalControl.Cli.Commands;

/// <summary>
/// <c>localcontrol outcomes survival --csv FILE --time COL --event COL [--group COL] [--format text|json|png] [-o FILE]</c>:
/// Kaplan–Meier curves with Greenwood 95 % bands, median and log-rank test for any time-to-event table.
/// </summary>
internal static class OutcomesCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("outcomes", "Outcome statistics: survival and local-control curves.");
        command.Subcommands.Add(Survival(context));
        return command;
    }

    private static Command Survival(CliContext context)
    {
        var csv = new Option<string>("--csv") { Description = "Time-to-event table (CSV with a header row).", Required = true };
        var time = new Option<string>("--time") { Description = "Column with the time to event or censoring (≥ 0, any unit).", Required = true };
        var @event = new Option<string>("--event") { Description = "Column with the event flag: 1/0, true/false, yes/no, event/censored, dead/alive.", Required = true };
        var group = new Option<string?>("--group") { Description = "Column that splits the table into groups (curves per group and the log-rank test)." };
        var ci = new Option<string>("--ci")
        {
            Description = "Confidence-interval transform: log (R survfit default) or log-log (Stata, SAS). Default log.",
            DefaultValueFactory = _ => "log",
        };
        ci.AcceptOnlyFromAmong("log", "log-log");
        var format = CommonOptions.Format("text", "text", "json", "png");
        var output = CommonOptions.Output();
        var command = new Command("survival", "Kaplan–Meier curves (Greenwood 95 % intervals), medians and the log-rank test of a CSV table.")
        {
            csv, time, @event, group, ci, format, output,
        };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(csv)!;
            var fmt = parse.GetValue(format)!;
            var outputPath = parse.GetValue(output);
            if (fmt == "png" && string.IsNullOrEmpty(outputPath))
            {
                throw new UserInputException("--format png writes an image: give the file with -o FILE.png");
            }

            var text = CaseFiles.ReadText(path, "CSV table");
            var table = TimeToEventTable.ParseCsv(text, path, parse.GetValue(time)!, parse.GetValue(@event)!, parse.GetValue(group));
            var transform = parse.GetValue(ci) == "log-log" ? ConfidenceIntervalTransform.LogLog : ConfidenceIntervalTransform.Log;
            var result = SurvivalAnalysis.Run(table.Times, table.Events, table.Groups, transform);
            switch (fmt)
            {
                case "json":
                    context.WriteResult(SurvivalReport.Json(result), outputPath);
                    break;
                case "png":
                    var title = Path.GetFileNameWithoutExtension(path) + (parse.GetValue(group) is { } g ? $" by {g}" : "");
                    OutputFiles.WriteBytes(KaplanMeierPlot.Png(result, parse.GetValue(time)!, title), outputPath!);
                    break;
                default:
                    context.WriteResult(SurvivalReport.Text(result), outputPath);
                    break;
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
