using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using LocalControl.Core.Evidence;
using LocalControl.Core.Reporting;

namespace LocalControl.Cli.Commands;

// The evidence grade enum, not the LocalControl.Verification project (verify stage).
using Verification = LocalControl.Core.Evidence.Verification;

/// <summary><c>localcontrol evidence list|show ID [--format text|json]</c>: the evidence base.</summary>
internal static class EvidenceCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("evidence", "List or show the items of the evidence base (citations, grades, figures).");

        var listFormat = CommonOptions.Format("text", "text", "json");
        var list = new Command("list", "List every evidence item.") { listFormat };
        list.SetAction(parse =>
        {
            var evidence = EvidenceBase.Default;
            if (parse.GetValue(listFormat) == "json")
            {
                context.Out.WriteLine(JsonSerializer.Serialize(new { version = evidence.Version, items = evidence.Items }, JsonOptions));
                return ExitCodes.Success;
            }

            context.Out.WriteLine($"Evidence base {evidence.Version}: {evidence.Items.Count} items");
            foreach (var item in evidence.Items)
            {
                var partly = item.Verification == Verification.PartlyVerified ? " (partly verified)" : "";
                context.Out.WriteLine($"{item.Id,-14} {AssessmentJson.GradeName(item.Grade),-14} {item.ShortName}{partly}");
            }

            return ExitCodes.Success;
        });

        var idArgument = new Argument<string>("id") { Description = "Evidence id (e.g. L1, DB2017)." };
        var showFormat = CommonOptions.Format("text", "text", "json");
        var show = new Command("show", "Show one evidence item with its figures and full citation.") { idArgument, showFormat };
        show.SetAction(parse =>
        {
            var id = parse.GetValue(idArgument)!;
            var item = EvidenceBase.Default.Find(id)
                ?? throw new UserInputException($"no evidence item '{id}' (run 'localcontrol evidence list')");
            context.Out.WriteLine(parse.GetValue(showFormat) == "json" ? JsonSerializer.Serialize(item, JsonOptions) : Describe(item));
            return ExitCodes.Success;
        });

        command.Subcommands.Add(list);
        command.Subcommands.Add(show);
        return command;
    }

    private static readonly JsonSerializerOptions JsonOptions = new(EvidenceBase.SerializerOptionsForOutput)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static string Describe(EvidenceItem item)
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"{item.Id}: {item.ShortName}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"Grade: {AssessmentJson.GradeName(item.Grade)}; {(item.Verification == Verification.Verified ? "verified" : "partly verified")}");
        if (item.VerificationNote is not null)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"Note: {item.VerificationNote}");
        }

        sb.AppendLine(item.Statement);
        if (item.Population is not null)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"Population: {item.Population}");
        }

        foreach (var f in item.Figures)
        {
            var ci = f.ConfidenceInterval is null ? "" : $" (95% CI {f.ConfidenceInterval})";
            var partly = f.Verification == Verification.PartlyVerified ? " [partly verified]" : "";
            sb.AppendLine(CultureInfo.InvariantCulture, $"  {item.Id}/{f.Id}: {f.Label}: {f.Value}{ci}{partly}");
        }

        sb.AppendLine(CultureInfo.InvariantCulture, $"Citation: {item.Citation.Text}");
        return sb.ToString();
    }
}
