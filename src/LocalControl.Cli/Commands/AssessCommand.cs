using System.CommandLine;
using LocalControl.Core.Engine;
using LocalControl.Core.Evidence;
using LocalControl.Core.Reporting;

namespace LocalControl.Cli.Commands;

/// <summary><c>localcontrol assess CASE.json [--format text|json|markdown|html] [-o FILE] [--rules FILE]</c>.</summary>
internal static class AssessCommand
{
    public static Command Create(CliContext context)
    {
        var caseArgument = new Argument<string>("case") { Description = "Case file (JSON, docs/case-format.md)." };
        var format = CommonOptions.Format("text", "text", "json", "markdown", "html");
        var output = CommonOptions.Output();
        var rules = new Option<string?>("--rules") { Description = "A centre's rule-set override file (docs/rule-set.md)." };
        var command = new Command("assess", "Assess every lesion and the patient against each tool of the local-therapy box, with criteria, evidence and expected outcomes.")
        {
            caseArgument, format, output, rules,
        };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(caseArgument)!;
            var ruleSet = CaseFiles.LoadRules(parse.GetValue(rules));
            var (@case, warnings) = CaseFiles.Load(path, context);
            var engine = ReferenceEquals(ruleSet, Core.Rules.RuleSet.Default) ? TumourBoardEngine.Default : new TumourBoardEngine(ruleSet, EvidenceBase.Default);
            var assessment = engine.Assess(@case);
            var text = parse.GetValue(format) switch
            {
                "json" => AssessmentJson.Serialize(assessment, warnings),
                "markdown" => AssessmentText.RenderMarkdown(assessment, @case, warnings),
                "html" => AssessmentText.RenderHtml(assessment, @case, warnings),
                _ => AssessmentText.RenderText(assessment, @case, warnings),
            };
            context.WriteResult(text, parse.GetValue(output));
            return ExitCodes.Success;
        });
        return command;
    }
}
