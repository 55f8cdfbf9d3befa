using LocalControl.Core.Cases;

namespace LocalControl.Follow.Fhir;

/// <summary>
/// A tumour-board (MDT) decision as the registry records it (meeting date, intent, the chosen option per lesion, the
/// rationale). A case file holds none, so <c>localcontrol export fhir</c> exports none; callers that hold decisions
/// (the registry) pass them to <see cref="CaseBundleExporter.Export(MetastaticCase, Follow.Export.Pseudonymisation?, IReadOnlyList{MdtDecision}?)"/>.
/// </summary>
public sealed record MdtDecision
{
    /// <summary>Date of the meeting.</summary>
    public required DateOnly MeetingDate { get; init; }

    /// <summary>Intent as recorded (e.g. <c>curative</c>, <c>palliative</c>); null when not recorded.</summary>
    public string? Intent { get; init; }

    /// <summary>The chosen options, one per lesion or patient-level (null lesion id).</summary>
    public IReadOnlyList<MdtChoice> Choices { get; init; } = [];

    /// <summary>The board's rationale, free text (not exported when pseudonymised: free text may name people).</summary>
    public string? Rationale { get; init; }
}

/// <summary>One chosen option of an MDT decision.</summary>
/// <param name="LesionId">The lesion (one of the case's ids), or null for a patient-level option.</param>
/// <param name="Therapy">The option as the registry spells it (e.g. <c>ablation</c>, <c>resection</c>, <c>systemic</c>).</param>
public sealed record MdtChoice(string? LesionId, string Therapy);
