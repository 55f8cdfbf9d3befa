namespace LocalControl.Core.Cases;

/// <summary>The follow-up part of a case (issue 13), kept in its own file beside the tumour-board model.</summary>
public sealed partial record MetastaticCase
{
    /// <summary>Treatments, follow-up imaging, RECIST baseline and vital status; null when the file records none.</summary>
    public FollowUpHistory? FollowUp { get; init; }
}

/// <summary>The follow-up part of a lesion.</summary>
public sealed partial record Lesion
{
    /// <summary>Short axis in mm (lymph nodes; RECIST 1.1 measures nodes by their short axis).</summary>
    public double? ShortAxisMm { get; init; }
}
