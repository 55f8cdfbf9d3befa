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

/// <summary>One step of a strategy as entered.</summary>
/// <param name="Therapy">A therapy of the engine's catalogue (resection, rfa, mwa, cryoablation, ire, sbrt, curative-local,
/// haic, sirt, systemic) or an action: re-image, re-discuss, portal-vein-embolisation, two-stage-hepatectomy, other.</param>
/// <param name="LesionIds">The lesions it is for (a lesion therapy needs at least one); empty or null for the patient.</param>
/// <param name="Text">What and when (re-image), what (other: required); optional otherwise.</param>
/// <param name="Connector">"then" (after the step before; the default) or "plus" (together with it).</param>
public sealed record DecisionStepRequest(string? Therapy, IReadOnlyList<string>? LesionIds = null, string? Text = null, string? Connector = null);

/// <summary>One strategy as entered: its steps in order, its intent when it differs from the decision's.</summary>
public sealed record DecisionStrategyRequest(string? Intent, IReadOnlyList<DecisionStepRequest>? Steps);

/// <summary>An attendee picked from the app's users, with their discipline at this meeting.</summary>
public sealed record DecisionAttendeeRequest(string? UserName, string? Discipline);

/// <summary>An MDT decision as entered.</summary>
/// <param name="MeetingDate">Date of the meeting.</param>
/// <param name="Intent">curative, palliative or disease-control.</param>
/// <param name="Choices">Version 1: chosen options per lesion and for the patient (one concurrent strategy). Give either these or <paramref name="Strategies"/>.</param>
/// <param name="Rationale">Why.</param>
/// <param name="Attendees">Guests: who else took part (names and disciplines), free text. Required when no <paramref name="AttendeeUsers"/> are given.</param>
/// <param name="CaseVersion">The case version the board looked at; the decision is refused if the case has changed since.</param>
/// <param name="Rediscuss">The board asks to discuss the case again: it is carried over to the next meeting's worklist (as a re-discuss step does).</param>
/// <param name="Strategies">The strategies in order, each with its steps in sequence.</param>
/// <param name="AttendeeUsers">Attendees picked from the users holding a clinical role; each may sign off the decision later.</param>
public sealed record DecisionRequest(DateOnly? MeetingDate, string? Intent, IReadOnlyList<DecisionChoice>? Choices, string? Rationale, string? Attendees, int? CaseVersion, bool? Rediscuss = null,
    IReadOnlyList<DecisionStrategyRequest>? Strategies = null, IReadOnlyList<DecisionAttendeeRequest>? AttendeeUsers = null);

/// <summary>A step of a recorded strategy; <c>connector</c> is null on the first step, else "then" or "plus".</summary>
public sealed record DecisionStepDto(string Therapy, IReadOnlyList<string> LesionIds, string? Text, string? Connector);

/// <summary>A recorded strategy; <c>intent</c> null means the decision's.</summary>
public sealed record DecisionStrategyDto(string? Intent, IReadOnlyList<DecisionStepDto> Steps);

/// <summary>A recorded attendee picked from the users, and when they signed off (null: not yet).</summary>
public sealed record DecisionAttendeeDto(string UserName, string DisplayName, string Discipline, DateTime? SignedOffUtc);

/// <summary>A recorded decision, with the rule-set version and engine output it was based on.</summary>
/// <param name="Choices">The strategies flattened (one entry per lesion of each step, null for the patient): the first API shape.</param>
/// <param name="Attendees">The attendees as text (version 1: as entered; version 2: users and guests in one line).</param>
/// <param name="Format">1: recorded as a flat list of choices; 2: with strategies and attendees picked from the users.</param>
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
    JsonElement Assessment,
    int Format,
    IReadOnlyList<DecisionStrategyDto> Strategies,
    IReadOnlyList<DecisionAttendeeDto> AttendeeUsers,
    string? Guests,
    bool Rediscuss);

/// <summary>A sign-off as recorded.</summary>
public sealed record DecisionSignOffDto(long DecisionId, string UserName, DateTime SignedUtc);

/// <summary>A case file as text, for the editor's live preview (text, so that a JSON syntax error gets the reader's own message).</summary>
public sealed record PreviewRequest(string? CaseFileText);

/// <summary>One option in the preview: therapy, eligibility, rank.</summary>
public sealed record OptionDto(string Therapy, string Eligibility, int Rank);

/// <summary>The options of a lesion (lesionId) or of the patient (lesionId null).</summary>
public sealed record OptionSetDto(string? LesionId, IReadOnlyList<OptionDto> Options);

/// <summary>The editor's live preview: validation, and the options when valid.</summary>
public sealed record PreviewDto(ValidationDto Validation, IReadOnlyList<OptionSetDto>? Options);
