using LocalControl.Core;
using LocalControl.Core.IO;
using LocalControl.Core.Cases;
using LocalControl.Core.Rules;

namespace LocalControl.Cli;

/// <summary>Reads case files and rule-set overrides from disk, turning every problem into a message that names the file and field.</summary>
internal static class CaseFiles
{
    /// <summary>Largest file accepted as a case file or rule-set override (bytes).</summary>
    public const long MaxFileBytes = 8L * 1024 * 1024;

    /// <summary>Reads and validates a case file. Prints warnings; on errors prints every one and throws (exit 2).</summary>
    public static (MetastaticCase Case, IReadOnlyList<CaseProblem> Warnings) Load(string path, CliContext context)
    {
        var result = Read(path);
        foreach (var w in result.Warnings)
        {
            context.Error.WriteLine($"warning: {path}: {w}");
        }

        if (!result.IsValid)
        {
            foreach (var e in result.Errors)
            {
                context.Error.WriteLine($"error: {path}: {e}");
            }

            throw new CaseInvalidException($"{path}: {result.Errors.Count} problem{(result.Errors.Count == 1 ? "" : "s")} found; the case was not assessed.");
        }

        return (result.Case!, result.Warnings);
    }

    /// <summary>Reads a case file without printing anything.</summary>
    public static CaseReadResult Read(string path) => CaseFileReader.Read(ReadText(path, "case file"));

    /// <summary>The rule set to use: the default, or the default with a centre's overrides.</summary>
    public static RuleSet LoadRules(string? overridePath) =>
        overridePath is null ? RuleSet.Default : RuleSet.Default.WithOverrides(ReadText(overridePath, "rule-set override"), overridePath);

    /// <summary>
    /// Reads a UTF-8 text file (or standard input for <c>-</c>) with a size limit enforced while reading, naming the
    /// file in every error and saying precisely what is wrong: missing, a folder, a FIFO or device, empty, too large.
    /// </summary>
    public static string ReadText(string path, string what, long maxBytes = MaxFileBytes)
    {
        var shown = path == InputFiles.StandardStream ? "standard input" : path;
        try
        {
            return InputFiles.ReadAllTextCapped(path, maxBytes, shown);
        }
        catch (InputFileException ex)
        {
            throw new UserInputException(ex.Kind switch
            {
                FileKind.Missing when ex.Problem.StartsWith("the file does not exist", StringComparison.Ordinal) => $"{shown}: no such {what} (the file does not exist)",
                FileKind.Directory => $"{shown}: is a folder, not a {what}",
                FileKind.Regular when ex.Problem.StartsWith("the file is empty", StringComparison.Ordinal) => $"{shown}: the file is empty; a {what} is JSON text",
                FileKind.Regular when ex.Problem.StartsWith("is larger than", StringComparison.Ordinal) => $"{shown}: too large for a {what} (at most {InputFiles.FormatBytes(maxBytes)})",
                FileKind.Regular when ex.Problem.StartsWith("is not UTF-8", StringComparison.Ordinal) => $"{shown}: not UTF-8 text{ex.Problem["is not UTF-8 text".Length..].TrimEnd('.')}; a {what} is JSON text",
                _ => $"{shown}: {ex.Problem.TrimEnd('.')} (a {what} was expected)",
            }, ex);
        }
    }
}

/// <summary>A case file with errors (already printed one per line).</summary>
internal sealed class CaseInvalidException(string message) : LocalControlInputException(message);
