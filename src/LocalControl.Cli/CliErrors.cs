using LocalControl.Imaging;

namespace LocalControl.Cli;

/// <summary>Decides which exceptions are the user's mistake (exit 2) rather than ours (exit 1).</summary>
internal static class CliErrors
{
    public static bool IsUserError(Exception ex) => ex is UserInputException
        or ImagingException
        or FileNotFoundException
        or DirectoryNotFoundException
        or UnauthorizedAccessException
        or Core.LocalControlInputException
        or Core.IO.InputFileException
        or Core.IO.OutputFileException
        or Follow.Fhir.FhirImportException;
}
