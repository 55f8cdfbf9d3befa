using System.CommandLine;

namespace LocalControl.Cli;

/// <summary>Builds the command tree and runs it with the exit-code contract: 0 success, 2 invalid input, 1 internal error.</summary>
public static class CliApp
{
    /// <summary>Parses and runs <paramref name="args"/>, writing to the given writers. Never throws.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        var context = new CliContext(stdout, stderr);
        var root = BuildRoot(context);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                stderr.WriteLine($"error: {error.Message}");
            }

            stderr.WriteLine("Run 'localcontrol --help' for usage.");
            return ExitCodes.InvalidInput;
        }

        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (Exception ex) when (CliErrors.IsUserError(ex))
        {
            stderr.WriteLine($"error: {ex.Message}");
            return ExitCodes.InvalidInput;
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C or SIGTERM abandoned the outputs (Program.Main): nothing partial was left.
            stderr.WriteLine("interrupted: no partial output was left.");
            return Program.Interrupted;
        }
        catch (IOException ex)
        {
            // An I/O failure outside the output writer (which names the path itself) is the machine's state, not a bug.
            stderr.WriteLine($"error: {Core.IO.IoErrors.Describe(ex)}");
            return ExitCodes.InvalidInput;
        }
#pragma warning disable CA1031 // The CLI must never show a stack trace: any other failure is reported as an internal error.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            stderr.WriteLine($"internal error: {ex.GetType().Name}: {ex.Message}");
            stderr.WriteLine("This is a bug in LocalControl; please report it with the command you ran.");
            return ExitCodes.InternalError;
        }
    }

    /// <summary>The root command with every subcommand.</summary>
    public static RootCommand BuildRoot(CliContext context)
    {
        var root = new RootCommand("LocalControl: tumour-board decision support for image-guided local therapy of colorectal cancer metastases.");
        foreach (var command in CommandCatalog.Create(context))
        {
            root.Subcommands.Add(command);
        }

        return root;
    }
}
