namespace LocalControl.Core.Cases;

/// <summary>One problem found in a case file: the JSON path of the field (e.g. <c>lesions[1].longestDiameterMm</c>) and what is wrong.</summary>
/// <param name="Path">JSON path of the field; empty for the whole document.</param>
/// <param name="Message">What is wrong, in words a clinician can act on.</param>
public sealed record CaseProblem(string Path, string Message)
{
    /// <inheritdoc />
    public override string ToString() => Path.Length == 0 ? Message : $"{Path}: {Message}";
}

/// <summary>The outcome of reading a case file: the case (null when any error was found), every error and every warning.</summary>
public sealed record CaseReadResult(MetastaticCase? Case, IReadOnlyList<CaseProblem> Errors, IReadOnlyList<CaseProblem> Warnings)
{
    /// <summary>True when the case was read without errors.</summary>
    public bool IsValid => Case is not null && Errors.Count == 0;
}
