namespace LocalControl.Cli;

/// <summary>Where a command writes: data to <see cref="Out"/>, diagnostics to <see cref="Error"/>.
/// Tests pass string writers; the real program passes the console.</summary>
public sealed class CliContext(TextWriter output, TextWriter error)
{
    /// <summary>Standard output (data).</summary>
    public TextWriter Out { get; } = output;

    /// <summary>Standard error (warnings, errors).</summary>
    public TextWriter Error { get; } = error;

    /// <summary>
    /// Writes <paramref name="content"/> to <paramref name="outputPath"/> if given (by the rules of
    /// <see cref="Core.IO.OutputFiles"/>: temp-then-rename for files, straight to a device or FIFO, a folder refused),
    /// else, or for <c>-</c>, to <see cref="Out"/>.
    /// </summary>
    public void WriteResult(string content, string? outputPath)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (string.IsNullOrEmpty(outputPath) || outputPath == Core.IO.InputFiles.StandardStream)
        {
            Out.Write(content);
            if (!content.EndsWith('\n'))
            {
                Out.WriteLine();
            }

            return;
        }

        Core.IO.OutputFiles.WriteText(outputPath, content);
    }
}

/// <summary>A mistake in the user's input (file, argument). The CLI prints the message and exits with 2.</summary>
public sealed class UserInputException : Exception
{
    /// <summary>Creates the exception.</summary>
    public UserInputException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a cause.</summary>
    public UserInputException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>Creates the exception with no message.</summary>
    public UserInputException()
    {
    }
}
