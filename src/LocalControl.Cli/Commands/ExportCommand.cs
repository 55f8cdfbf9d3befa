using System.CommandLine;
using System.Text;
using LocalControl.Core.Cases;
using LocalControl.Follow.Export;
using LocalControl.Follow.Fhir;

namespace LocalControl.Cli.Commands;

/// <summary>
/// <c>localcontrol export csv CASE.json… [-o FILE] [--pseudonymise --key KEY]</c>: the statisticians' table, one row
/// per lesion × treatment (columns in docs/follow.md); <c>localcontrol export fhir CASE.json… [-o FILE|DIR]
/// [--pseudonymise --key KEY]</c>: one FHIR R4 bundle per patient (mCODE where it fits; docs/follow.md, "FHIR bundle").
/// </summary>
internal static class ExportCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("export", "Export cases for statisticians (CSV) or other systems.");
        command.Subcommands.Add(Csv(context));
        command.Subcommands.Add(Fhir(context));
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

    private static Command Fhir(CliContext context)
    {
        var cases = new Argument<string[]>("cases") { Description = "Case files (JSON); one bundle per case.", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string?>("--output", "-o")
        {
            Description = "One case: the bundle file (default: standard output). Several cases: an existing folder, one CASEID.json each (the pseudonym when pseudonymised).",
        };
        var pseudonymise = PseudonymiseOption();
        var key = KeyOption();
        var command = new Command("fhir", "One FHIR R4 bundle per patient (mCODE where it fits): lesions, treatments, follow-up sizes, RECIST status, survival.")
        {
            cases, output, pseudonymise, key,
        };
        command.SetAction(parse =>
        {
            var p = Pseudonymisation(parse.GetValue(pseudonymise), parse.GetValue(key));
            var paths = parse.GetValue(cases)!;
            var target = parse.GetValue(output);
            var toFolder = target is not null && Directory.Exists(target);
            if (paths.Length > 1 && !toFolder)
            {
                throw new UserInputException(target is null
                    ? $"{paths.Length} cases give {paths.Length} bundles: name an existing folder with -o"
                    : $"-o {target}: {paths.Length} cases give {paths.Length} bundles; -o must be an existing folder");
            }

            // Every case is read and exported before anything is written: a bad file leaves no partial set of bundles.
            var loaded = paths.Select(path => CaseFiles.Load(path, context).Case).ToList();
            var bundles = loaded.Select(c => (Name: p?.Pseudonym(c.CaseId) ?? c.CaseId, Json: CaseBundleExporter.ToJson(CaseBundleExporter.Export(c, p)))).ToList();
            if (!toFolder)
            {
                context.WriteResult(bundles[0].Json, target);
                return ExitCodes.Success;
            }

            var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < bundles.Count; i++)
            {
                var file = SafeFileName(bundles[i].Name) + ".json";
                if (!names.TryAdd(file, paths[i]))
                {
                    throw new UserInputException($"{paths[i]}: its bundle would be {file}, the same file as the bundle of {names[file]} (two cases with one id)");
                }
            }

            foreach (var (name, json) in bundles)
            {
                context.WriteResult(json, Path.Combine(target!, SafeFileName(name) + ".json"));
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>A case id as a file name: letters, digits, '.', '-' and '_' kept, anything else '_'.</summary>
    internal static string SafeFileName(string caseId)
    {
        var sb = new StringBuilder(caseId.Length);
        foreach (var ch in caseId)
        {
            sb.Append(char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' || (ch == '.' && sb.Length > 0) ? ch : '_');
        }

        return sb.Length == 0 ? "_" : sb.ToString();
    }
}
