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

    /// <summary>The chosen options, one per lesion or patient-level (null lesion id): decisions recorded as a flat list.
    /// Empty when <see cref="Strategies"/> are given (they are exported instead).</summary>
    public IReadOnlyList<MdtChoice> Choices { get; init; } = [];

    /// <summary>The strategies in order, each with its steps in sequence (the registry's version-2 decisions).</summary>
    public IReadOnlyList<MdtStrategy> Strategies { get; init; } = [];

    /// <summary>The board's rationale, free text (not exported when pseudonymised: free text may name people).</summary>
    public string? Rationale { get; init; }
}

/// <summary>One chosen option of an MDT decision.</summary>
/// <param name="LesionId">The lesion (one of the case's ids), or null for a patient-level option.</param>
/// <param name="Therapy">The option as the registry spells it (e.g. <c>ablation</c>, <c>resection</c>, <c>systemic</c>).</param>
public sealed record MdtChoice(string? LesionId, string Therapy);

/// <summary>One strategy of an MDT decision: its steps in order; its intent when it differs from the decision's.</summary>
/// <param name="Intent">curative, palliative or disease-control; null for the decision's.</param>
/// <param name="Steps">The steps in sequence.</param>
public sealed record MdtStrategy(string? Intent, IReadOnlyList<MdtStep> Steps);

/// <summary>One step of a strategy: a therapy or action for the named lesions, or for the patient.</summary>
/// <param name="Therapy">The therapy or action id as the registry spells it (mwa, systemic, re-image, portal-vein-embolisation …).</param>
/// <param name="LesionIds">The lesions (ids of the case); empty for the patient.</param>
/// <param name="Text">What and when (re-image, other); null when none. Free text: not exported when pseudonymised.</param>
/// <param name="WithPrevious">Together with the step before ("plus") rather than after it ("then").</param>
public sealed record MdtStep(string Therapy, IReadOnlyList<string> LesionIds, string? Text = null, bool WithPrevious = false);
