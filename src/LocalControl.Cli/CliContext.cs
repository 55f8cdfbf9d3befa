namespace LocalControl.Cli;

/// <summary>Where a command writes: data to <see cref="Out"/>, diagnostics to <see cref="Error"/>.
/// Tests pass string writers; the real program passes the console.</summary>
public sealed class CliContext(TextWriter output, TextWriter error)
{
    /// <summary>Standard output (data).</summary>
    public TextWriter Out { get; } = output;

    /// <summary>Standard error (warnings, errors).</summary>
    public TextWriter Error { get; } = error;

    /// <summary>Writes <paramref name="content"/> to <paramref name="outputPath"/> if given, else to <see cref="Out"/>.</summary>
    public void WriteResult(string content, string? outputPath)
    {
        if (string.IsNullOrEmpty(outputPath))
        {
            Out.Write(content);
            if (!content.EndsWith('\n'))
            {
                Out.WriteLine();
            }

            return;
        }

        var full = Path.GetFullPath(outputPath);
        var dir = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(dir) && !Directory.Exists(dir))
        {
            throw new UserInputException($"{outputPath}: the folder {dir} does not exist.");
        }

        // Write to a temporary file then move it, so a failure never leaves a half-written report.
        var tmp = full + ".tmp-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        File.WriteAllText(tmp, content);
        File.Move(tmp, full, overwrite: true);
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
