namespace LocalControl.Cli;

/// <summary>The documented exit codes of <c>localcontrol</c> (docs/cli.md).</summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Success = 0;

    /// <summary>An internal error: a bug in LocalControl, reported with a short message.</summary>
    public const int InternalError = 1;

    /// <summary>Invalid input: a bad file, field or argument. Every problem is listed on stderr.</summary>
    public const int InvalidInput = 2;
}
