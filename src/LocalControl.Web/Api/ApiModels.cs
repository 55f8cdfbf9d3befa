using System.Text.Json;

namespace LocalControl.Web.Api;

/// <summary>A row of the case list.</summary>
public sealed record CaseSummaryDto(string CaseId, string Status, int LesionCount, IReadOnlyList<string> Organs, DateOnly? MeetingDate, DateTime UpdatedUtc);

/// <summary>A page of the case list.</summary>
public sealed record CaseListDto(IReadOnlyList<CaseSummaryDto> Items, int Total, int Page, int PageSize);

/// <summary>A case: registry fields and the case file itself.</summary>
public sealed record CaseDto(string CaseId, string Status, DateOnly? MeetingDate, int Version, DateTime CreatedUtc, DateTime UpdatedUtc, JsonElement CaseFile);

/// <summary>One problem in a case file (same path and message as the CLI's <c>localcontrol validate</c>).</summary>
public sealed record ProblemDto(string Path, string Message);

/// <summary>The result of validating a case file.</summary>
public sealed record ValidationDto(bool Valid, IReadOnlyList<ProblemDto> Errors, IReadOnlyList<ProblemDto> Warnings);

/// <summary>Status and meeting date.</summary>
public sealed record ScheduleRequest(string? Status, DateOnly? MeetingDate);

/// <summary>The option chosen for one lesion (lesionId) or for the patient as a whole (lesionId null).</summary>
public sealed record DecisionChoice(string? LesionId, string Therapy);

/// <summary>An MDT decision as entered.</summary>
/// <param name="MeetingDate">Date of the meeting.</param>
/// <param name="Intent">curative or palliative.</param>
/// <param name="Choices">Chosen options per lesion and for the patient.</param>
/// <param name="Rationale">Why.</param>
/// <param name="Attendees">Who took part (names and disciplines).</param>
/// <param name="CaseVersion">The case version the board looked at; the decision is refused if the case has changed since.</param>
/// <param name="Rediscuss">The board asks to discuss the case again: it is carried over to the next meeting's worklist.</param>
public sealed record DecisionRequest(DateOnly? MeetingDate, string? Intent, IReadOnlyList<DecisionChoice>? Choices, string? Rationale, string? Attendees, int? CaseVersion, bool? Rediscuss = null);

/// <summary>A recorded decision, with the rule-set version and engine output it was based on.</summary>
public sealed record DecisionDto(
    long Id,
    DateOnly MeetingDate,
    string Intent,
    IReadOnlyList<DecisionChoice> Choices,
    string Rationale,
    string Attendees,
    string RuleSetVersion,
    int CaseVersion,
    string RecordedBy,
    DateTime RecordedUtc,
    JsonElement Assessment);

/// <summary>A case file as text, for the editor's live preview (text, so that a JSON syntax error gets the reader's own message).</summary>
public sealed record PreviewRequest(string? CaseFileText);

/// <summary>One option in the preview: therapy, eligibility, rank.</summary>
public sealed record OptionDto(string Therapy, string Eligibility, int Rank);

/// <summary>The options of a lesion (lesionId) or of the patient (lesionId null).</summary>
public sealed record OptionSetDto(string? LesionId, IReadOnlyList<OptionDto> Options);

/// <summary>The editor's live preview: validation, and the options when valid.</summary>
public sealed record PreviewDto(ValidationDto Validation, IReadOnlyList<OptionSetDto>? Options);
