using System.Text;
using LocalControl.Core;
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

    /// <summary>Reads a UTF-8 text file with a size limit, naming the file in every error.</summary>
    public static string ReadText(string path, string what)
    {
        if (Directory.Exists(path))
        {
            throw new UserInputException($"{path}: is a folder, not a {what}");
        }

        if (!File.Exists(path))
        {
            throw new UserInputException($"{path}: no such {what}");
        }

        var length = new FileInfo(path).Length;
        if (length > MaxFileBytes)
        {
            throw new UserInputException($"{path}: {length} bytes is too large for a {what} (at most {MaxFileBytes})");
        }

        var bytes = File.ReadAllBytes(path);
        try
        {
            return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes).TrimStart('\uFEFF');
        }
        catch (DecoderFallbackException ex)
        {
            throw new UserInputException($"{path}: not UTF-8 text (invalid byte at offset {ex.Index}); a {what} is JSON text");
        }
    }
}

/// <summary>A case file with errors (already printed one per line).</summary>
internal sealed class CaseInvalidException(string message) : LocalControlInputException(message);
