using System.CommandLine;
using LocalControl.Core.Cases;
using LocalControl.Follow.Fhir;

namespace LocalControl.Cli.Commands;

/// <summary>
/// <c>localcontrol import fhir BUNDLE.json [-o CASE.json]</c>: a bundle written by <c>export fhir</c> back into a case
/// file. The whole bundle is read and checked (references, codes, units, then every case-file rule) before anything is
/// written; a bundle that fails any check writes nothing and exits 2 naming the resource and the field.
/// </summary>
internal static class ImportCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("import", "Read cases back from other systems' formats.");
        command.Subcommands.Add(Fhir(context));
        return command;
    }

    private static Command Fhir(CliContext context)
    {
        var bundle = new Argument<string>("bundle") { Description = "A FHIR R4 bundle (JSON) written by localcontrol export fhir." };
        var output = CommonOptions.Output();
        var command = new Command("fhir", "A LocalControl FHIR bundle back into a case file (lesions, treatments, follow-ups, RECIST baseline, survival).")
        {
            bundle, output,
        };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(bundle)!;
            var text = CaseFiles.ReadText(path, "FHIR bundle", CaseBundleImporter.MaxLength);
            MetastaticCase imported;
            try
            {
                imported = CaseBundleImporter.Import(CaseBundleImporter.Parse(text));
            }
            catch (FhirImportException ex)
            {
                throw new UserInputException($"{(path == Core.IO.InputFiles.StandardStream ? "standard input" : path)}: {ex.Message}", ex);
            }

            context.WriteResult(CaseFileWriter.Write(imported), parse.GetValue(output));
            return ExitCodes.Success;
        });
        return command;
    }
}
