using System.CommandLine;
using LocalControl.Follow.Export;

namespace LocalControl.Cli.Commands;

/// <summary>
/// <c>localcontrol export csv CASE.json… [-o FILE] [--pseudonymise --key KEY]</c>: the statisticians' table, one row
/// per lesion × treatment (columns in docs/follow.md).
/// </summary>
internal static class ExportCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("export", "Export cases for statisticians (CSV) or other systems.");
        command.Subcommands.Add(Csv(context));
        return command;
    }

    internal static Option<bool> PseudonymiseOption() => new("--pseudonymise")
    {
        Description = "Replace case ids by keyed pseudonyms and shift every date of a case by the same keyed number of days (±180).",
    };

    internal static Option<string?> KeyOption() => new("--key")
    {
        Description = "The centre's pseudonymisation secret (required with --pseudonymise; the same key gives the same pseudonyms).",
    };

    internal static Pseudonymisation? Pseudonymisation(bool pseudonymise, string? key)
    {
        if (!pseudonymise)
        {
            return key is null ? null : throw new UserInputException("--key is only used with --pseudonymise");
        }

        if (string.IsNullOrWhiteSpace(key) || key.Length < 12)
        {
            throw new UserInputException("--pseudonymise needs --key with a secret of at least 12 characters (keep it: it links pseudonyms across exports)");
        }

        return new Pseudonymisation(key);
    }

    private static Command Csv(CliContext context)
    {
        var cases = new Argument<string[]>("cases") { Description = "Case files (JSON).", Arity = ArgumentArity.OneOrMore };
        var output = CommonOptions.Output();
        var pseudonymise = PseudonymiseOption();
        var key = KeyOption();
        var command = new Command("csv", "One row per lesion × treatment with response, local tumour progression and survival columns.")
        {
            cases, output, pseudonymise, key,
        };
        command.SetAction(parse =>
        {
            var p = Pseudonymisation(parse.GetValue(pseudonymise), parse.GetValue(key));
            var loaded = parse.GetValue(cases)!.Select(path => CaseFiles.Load(path, context).Case).ToList();
            context.WriteResult(OutcomeCsv.Write(loaded, p), parse.GetValue(output));
            return ExitCodes.Success;
        });
        return command;
    }
}
