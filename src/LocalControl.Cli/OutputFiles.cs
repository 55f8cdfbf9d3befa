namespace LocalControl.Cli;

/// <summary>Writes binary outputs (images, bundles) through a temporary file and a rename: never a half-written file.</summary>
internal static class OutputFiles
{
    public static void WriteBytes(byte[] content, string outputPath)
    {
        var full = Path.GetFullPath(outputPath);
        var dir = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(dir) && !Directory.Exists(dir))
        {
            throw new UserInputException($"{outputPath}: the folder {dir} does not exist.");
        }

        var tmp = full + ".tmp-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            File.WriteAllBytes(tmp, content);
            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            File.Delete(tmp);
        }
    }
}
