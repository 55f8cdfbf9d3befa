namespace LocalControl.Imaging.Formats;

/// <summary>How serious a reported oddity in a file is.</summary>
public enum WarningSeverity
{
    /// <summary>Worth knowing; results are unaffected.</summary>
    Info,
    /// <summary>Results may differ between tools (e.g. qform and sform disagree).</summary>
    Warning,
}

/// <summary>An oddity in a file that did not stop reading it, with a stable code (e.g. <c>LC-NIFTI-W01</c>).</summary>
/// <param name="Code">Stable code, documented in docs/imaging.md.</param>
/// <param name="Message">What was found and what was done about it.</param>
/// <param name="Severity">How serious it is.</param>
public sealed record ImagingWarning(string Code, string Message, WarningSeverity Severity = WarningSeverity.Warning);
