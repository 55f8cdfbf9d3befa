using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace LocalControl.Cli.Commands;

/// <summary><c>localcontrol validate CASE.json [--format text|json]</c>: every problem with its JSON path; exit 2 if any error.</summary>
internal static class ValidateCommand
{
    public static Command Create(CliContext context)
    {
        var caseArgument = new Argument<string>("case") { Description = "Case file (JSON)." };
        var format = CommonOptions.Format("text", "text", "json");
        var command = new Command("validate", "Check a case file: every error and warning with its JSON path.") { caseArgument, format };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(caseArgument)!;
            var result = CaseFiles.Read(path);
            if (parse.GetValue(format) == "json")
            {
                var json = JsonSerializer.Serialize(
                    new
                    {
                        file = path,
                        valid = result.IsValid,
                        errors = result.Errors.Select(e => new { field = e.Path, message = e.Message }),
                        warnings = result.Warnings.Select(e => new { field = e.Path, message = e.Message }),
                    },
                    new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
                context.Out.WriteLine(json);
            }
            else
            {
                foreach (var e in result.Errors)
                {
                    context.Error.WriteLine($"error: {path}: {e}");
                }

                foreach (var w in result.Warnings)
                {
                    context.Error.WriteLine($"warning: {path}: {w}");
                }

                if (result.IsValid)
                {
                    context.Out.WriteLine($"{path}: valid ({result.Case!.Lesions.Count} lesion{(result.Case.Lesions.Count == 1 ? "" : "s")}, {result.Warnings.Count} warning{(result.Warnings.Count == 1 ? "" : "s")})");
                }
            }

            return result.IsValid ? ExitCodes.Success : ExitCodes.InvalidInput;
        });
        return command;
    }
}
