using System.CommandLine;

namespace LocalControl.Cli.Commands;

/// <summary>Shared options: <c>--format</c> and <c>-o/--output</c>.</summary>
internal static class CommonOptions
{
    public static Option<string> Format(string defaultValue, params string[] allowed)
    {
        var option = new Option<string>("--format", "-f")
        {
            Description = $"Output format: {string.Join(", ", allowed)} (default {defaultValue}).",
            DefaultValueFactory = _ => defaultValue,
        };
        option.AcceptOnlyFromAmong(allowed);
        return option;
    }

    public static Option<string?> Output() => new("--output", "-o")
    {
        Description = "Write the result to this file instead of standard output.",
    };
}
