namespace LocalControl.Core.Cases;

/// <summary>The JSON Schema (draft 2020-12) of the case file, as published by <c>localcontrol schema</c>.</summary>
public static class CaseSchema
{
    private static readonly Lazy<string> Text = new(() =>
    {
        using var stream = typeof(CaseSchema).Assembly.GetManifestResourceStream("LocalControl.Core.case.schema.json")
            ?? throw new InvalidOperationException("The embedded case schema is missing from this build.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    /// <summary>The schema text.</summary>
    public static string Json => Text.Value;
}
