using System.Text.Json;
using LocalControl.Core.Engine;
using LocalControl.Registry;
using LocalControl.Registry.Entities;
using LocalControl.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace LocalControl.Web.Api;

/// <summary>
/// The REST API: cases, assessments, decisions. Cookie-authenticated like the pages; writes take JSON bodies only
/// (a cross-site form cannot send application/json, and the cookie is SameSite=Strict), so no anti-forgery token is needed.
/// Errors are RFC 9457 problem details.
/// </summary>
public static class CasesApi
{
    /// <summary>Maps /api/cases.</summary>
    public static IEndpointRouteBuilder MapCasesApi(this IEndpointRouteBuilder app)
    {
        // A case file is at most CaseService.MaxCaseFileChars characters: bodies are cut off at twice that in bytes.
        var api = app.MapGroup("/api/cases").WithTags("Cases").RequireAuthorization(Policies.Read).DisableAntiforgery()
            .WithMetadata(new RequestSizeLimitAttribute(2L * CaseService.MaxCaseFileChars));

        api.MapGet("/", ListCases).WithName("ListCases").WithSummary("Lists cases, newest change first; search on case id and organ, filter by status.");
        api.MapPost("/validate", Validate).WithName("ValidateCaseFile").WithSummary("Validates a case file with the engine's reader (same messages as `localcontrol validate`).");
        api.MapPost("/preview", Preview).WithName("PreviewCaseFile")
            .WithSummary("Validates case-file text and, when valid, lists each lesion's and the patient's options (the editor's live preview). Stores nothing.");
        api.MapGet("/{caseId}", GetCase).WithName("GetCase").WithSummary("A case with its case file.");
        api.MapPost("/", CreateCase).WithName("CreateCase").WithSummary("Creates a case from a case file.").RequireAuthorization(Policies.Create);
        api.MapPut("/{caseId}", UpdateCase).WithName("UpdateCase")
            .WithSummary("Replaces the case file. Send the version you edited in If-Match; a newer version on the server answers 412.")
            .RequireAuthorization(Policies.Edit);
        api.MapPut("/{caseId}/schedule", Schedule).WithName("ScheduleCase").WithSummary("Sets status and meeting date.").RequireAuthorization(Policies.Schedule);
        api.MapGet("/{caseId}/assessment", GetAssessment).WithName("GetAssessment").WithSummary("The engine's assessment of the current case file (machine contract JSON).");
        api.MapGet("/{caseId}/decisions", ListDecisions).WithName("ListDecisions").WithSummary("MDT decisions, newest first, each with the engine output it was based on.");
        api.MapPost("/{caseId}/decisions", RecordDecision).WithName("RecordDecision").WithSummary("Records an MDT decision.").RequireAuthorization(Policies.Decide);
        api.MapPost("/{caseId}/decisions/{decisionId:long}/signoffs", SignOff).WithName("SignOffDecision")
            .WithSummary("The signed-in user signs off a decision: only an attendee picked from the users who holds the clinician or coordinator role now, only for themselves, once.");
        return app;
    }

    private static async Task<Ok<CaseListDto>> ListCases(CaseRegistry registry, string? search, string? status, int? page, int? pageSize, CancellationToken ct)
    {
        CaseStatus? filter = CaseStatusNames.TryParse(status, out var s) ? s : null;
        var result = await registry.ListAsync(new CaseQuery(search, filter, page ?? 1, pageSize ?? 50), ct).ConfigureAwait(false);
        return TypedResults.Ok(new CaseListDto(
            [.. result.Items.Select(i => new CaseSummaryDto(i.CaseId, i.Status.ToName(), i.LesionCount, SplitOrgans(i.Organs), i.MeetingDate, i.UpdatedUtc))],
            result.Total, result.Page, result.PageSize));
    }

    private static Ok<ValidationDto> Validate([FromBody] JsonElement caseFile, CaseService cases) =>
        TypedResults.Ok(ToValidation(cases.Check(caseFile.GetRawText())));

    private static Ok<PreviewDto> Preview(PreviewRequest request, CaseService cases)
    {
        var check = cases.Check(request.CaseFileText ?? "");
        var validation = ToValidation(check);
        if (check.Content is null)
        {
            return TypedResults.Ok(new PreviewDto(validation, null));
        }
        var a = cases.Assess(check.Content.CaseFileJson)!.Assessment;
        static List<OptionDto> Map(IEnumerable<LocalControl.Core.Engine.TherapyOption> options) =>
            [.. options.Select(o => new OptionDto(TherapyNames.ToJson(o.Therapy), TherapyNames.ToJson(o.Eligibility), o.Rank))];
        var sets = a.Lesions.Select(l => new OptionSetDto(l.LesionId, Map(l.Options))).ToList();
        sets.Add(new OptionSetDto(null, Map(a.PatientOptions)));
        return TypedResults.Ok(new PreviewDto(validation, sets));
    }

    private static async Task<Results<Ok<CaseDto>, ProblemHttpResult>> GetCase(string caseId, CaseRegistry registry, HttpContext http, CancellationToken ct)
    {
        var record = await registry.ViewAsync(caseId, http.User.UserName(), "api case", ct).ConfigureAwait(false);
        if (record is null)
        {
            return CaseNotFound();
        }
        http.Response.Headers.ETag = $"\"{record.Version}\"";
        return TypedResults.Ok(ToDto(record));
    }

    private static async Task<Results<Created<CaseDto>, ValidationProblem, ProblemHttpResult>> CreateCase(
        [FromBody] JsonElement caseFile, CaseService cases, CaseRegistry registry, HttpContext http, ILogger<CaseService> logger, CancellationToken ct)
    {
        var check = cases.Check(caseFile.GetRawText());
        if (check.Content is null)
        {
            return InvalidCaseFile(check);
        }
        var outcome = await registry.CreateAsync(check.Content, http.User.UserName(), ct).ConfigureAwait(false);
        if (outcome == WriteOutcome.Conflict)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "A case with this caseId already exists.");
        }
        var record = (await registry.FindAsync(check.Content.CaseId, ct).ConfigureAwait(false))!;
        logger.CaseCreated(record.Id);
        http.Response.Headers.ETag = $"\"{record.Version}\"";
        return TypedResults.Created($"/api/cases/{Uri.EscapeDataString(record.CaseId)}", ToDto(record));
    }

    private static async Task<Results<Ok<CaseDto>, ValidationProblem, ProblemHttpResult>> UpdateCase(
        string caseId, [FromBody] JsonElement caseFile, [FromHeader(Name = "If-Match")] string? ifMatch,
        CaseService cases, CaseRegistry registry, HttpContext http, ILogger<CaseService> logger, CancellationToken ct)
    {
        if (!TryParseVersion(ifMatch, out var expected))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status428PreconditionRequired,
                title: "Send If-Match with the version you edited (the ETag of GET /api/cases/{caseId}).");
        }
        var check = cases.Check(caseFile.GetRawText());
        if (check.Content is null)
        {
            return InvalidCaseFile(check);
        }
        var (outcome, version) = await registry.UpdateAsync(caseId, expected, check.Content, http.User.UserName(), ct).ConfigureAwait(false);
        switch (outcome)
        {
            case WriteOutcome.NotFound:
                return CaseNotFound();
            case WriteOutcome.Stale:
                return TypedResults.Problem(statusCode: StatusCodes.Status412PreconditionFailed,
                    title: "The case has changed since you read it.", detail: $"The current version is {version}; reload and edit again.");
            case WriteOutcome.Conflict:
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Another case already has this caseId.");
        }
        var record = (await registry.FindAsync(check.Content.CaseId, ct).ConfigureAwait(false))!;
        logger.CaseUpdated(record.Id, version);
        http.Response.Headers.ETag = $"\"{record.Version}\"";
        return TypedResults.Ok(ToDto(record));
    }

    private static async Task<Results<Ok<CaseDto>, ValidationProblem, ProblemHttpResult>> Schedule(
        string caseId, ScheduleRequest request, CaseRegistry registry, HttpContext http, ILogger<CaseService> logger, CancellationToken ct)
    {
        if (!CaseStatusNames.TryParse(request.Status, out var status))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["status"] = [$"must be one of {string.Join(", ", CaseStatusNames.All.Select(x => x.ToName()))}"],
            });
        }
        var outcome = await registry.ScheduleAsync(caseId, status, request.MeetingDate, http.User.UserName(), ct).ConfigureAwait(false);
        if (outcome == WriteOutcome.NotFound)
        {
            return CaseNotFound();
        }
        if (outcome == WriteOutcome.Stale)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The case changed while scheduling; try again.");
        }
        var record = (await registry.FindAsync(caseId, ct).ConfigureAwait(false))!;
        logger.CaseScheduled(record.Id);
        return TypedResults.Ok(ToDto(record));
    }

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> GetAssessment(string caseId, CaseRegistry registry, CaseService cases, HttpContext http, CancellationToken ct)
    {
        var record = await registry.ViewAsync(caseId, http.User.UserName(), "api assessment", ct).ConfigureAwait(false);
        if (record is null)
        {
            return CaseNotFound();
        }
        var assessed = cases.Assess(record.CaseFileJson);
        if (assessed is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "The stored case file no longer passes validation with this engine version.");
        }
        return TypedResults.Text(assessed.Json, "application/json");
    }

    private static async Task<Results<Ok<List<DecisionDto>>, ProblemHttpResult>> ListDecisions(string caseId, CaseRegistry registry, HttpContext http, CancellationToken ct)
    {
        var record = await registry.ViewAsync(caseId, http.User.UserName(), "api decisions", ct).ConfigureAwait(false);
        if (record is null)
        {
            return CaseNotFound();
        }
        var decisions = await registry.DecisionsAsync(caseId, ct).ConfigureAwait(false);
        var signOffs = await registry.SignOffsAsync([.. decisions.Select(d => d.Id)], ct).ConfigureAwait(false);
        return TypedResults.Ok(decisions.Select(d => ToDto(d, signOffs)).ToList());
    }

    private static async Task<Results<Created<DecisionDto>, ValidationProblem, ProblemHttpResult>> RecordDecision(
        string caseId, DecisionRequest request, CaseService cases, CaseRegistry registry, HttpContext http, ILogger<CaseService> logger, CancellationToken ct)
    {
        var record = await registry.FindAsync(caseId, ct).ConfigureAwait(false);
        if (record is null)
        {
            return CaseNotFound();
        }
        var prepared = cases.PrepareDecision(record, request, await registry.AttendeeCandidatesAsync(ct).ConfigureAwait(false));
        if (prepared.Errors.Count > 0)
        {
            return TypedResults.ValidationProblem(prepared.Errors);
        }
        var (outcome, id) = await registry.RecordDecisionAsync(caseId, prepared.Decision!, http.User.UserName(), ct).ConfigureAwait(false);
        if (outcome != WriteOutcome.Done)
        {
            logger.WriteRefused(record.Id, outcome.ToString());
            return outcome == WriteOutcome.NotFound
                ? CaseNotFound()
                : TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The case has changed since the board looked at it.",
                    detail: "Reload the case, review the new assessment and decide again.");
        }
        logger.DecisionRecorded(id, record.Id);
        var saved = (await registry.DecisionsAsync(caseId, ct).ConfigureAwait(false)).First(d => d.Id == id);
        return TypedResults.Created($"/api/cases/{Uri.EscapeDataString(caseId)}/decisions", ToDto(saved, []));
    }

    private static async Task<Results<Created<DecisionSignOffDto>, ProblemHttpResult>> SignOff(
        string caseId, long decisionId, CaseRegistry registry, HttpContext http, CancellationToken ct)
    {
        var (outcome, signOff) = await registry.SignOffAsync(caseId, decisionId, http.User.UserName(), ct).ConfigureAwait(false);
        return outcome switch
        {
            SignOffOutcome.Done => TypedResults.Created($"/api/cases/{Uri.EscapeDataString(caseId)}/decisions",
                new DecisionSignOffDto(signOff!.DecisionId, signOff.UserName, signOff.SignedUtc)),
            SignOffOutcome.NotFound => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No decision with this id on this case."),
            SignOffOutcome.NotAttendee => TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Only an attendee picked from the users signs off a decision.",
                detail: "You are not listed among this decision's attendees; guests and other users cannot sign it."),
            SignOffOutcome.NoSignOffRole => TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Only an attendee holding the clinician or coordinator role signs off a decision.",
                detail: "You are listed among this decision's attendees, but your account does not hold the clinician or coordinator role now (a viewer reads)."),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "You signed off this decision already."),
        };
    }

    internal static ValidationDto ToValidation(CaseFileCheck check) => new(
        check.Content is not null,
        [.. check.Result.Errors.Select(e => new ProblemDto(e.Path, e.Message))],
        [.. check.Result.Warnings.Select(e => new ProblemDto(e.Path, e.Message))]);

    private static ValidationProblem InvalidCaseFile(CaseFileCheck check) =>
        TypedResults.ValidationProblem(
            check.Result.Errors.GroupBy(e => e.Path.Length == 0 ? "$" : e.Path).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()),
            title: "The case file is not valid.");

    private static ProblemHttpResult CaseNotFound() =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No case with this id.");

    private static bool TryParseVersion(string? ifMatch, out int version)
    {
        version = 0;
        return ifMatch is not null && int.TryParse(ifMatch.Trim().Trim('"'), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out version);
    }

    private static IReadOnlyList<string> SplitOrgans(string organs) =>
        organs.Length == 0 ? [] : organs.Split(',');

    private static CaseDto ToDto(CaseRecord r)
    {
        using var doc = JsonDocument.Parse(r.CaseFileJson);
        return new CaseDto(r.CaseId, r.Status.ToName(), r.MeetingDate, r.Version, r.CreatedUtc, r.UpdatedUtc, doc.RootElement.Clone());
    }

    internal static DecisionDto ToDto(DecisionRecord d, IReadOnlyList<DecisionSignOff> signOffs)
    {
        using var assessment = JsonDocument.Parse(d.AssessmentJson);
        var content = DecisionContent.Parse(d.ChoicesJson);
        return new DecisionDto(d.Id, d.MeetingDate, d.Intent,
            [.. content.FlatChoices().Select(c => new DecisionChoice(c.LesionId, c.Therapy))],
            d.Rationale, d.Attendees, d.RuleSetVersion, d.CaseVersion, d.RecordedBy, d.RecordedUtc, assessment.RootElement.Clone(),
            content.Version,
            [.. content.Strategies.Select(s => new DecisionStrategyDto(s.Intent,
                [.. s.Steps.Select((t, i) => new DecisionStepDto(t.Therapy, t.LesionIds, t.Text, i == 0 ? null : t.WithPrevious ? "plus" : "then"))]))],
            [.. content.Attendees.Select(a => new DecisionAttendeeDto(a.UserName, a.DisplayName, a.Discipline,
                signOffs.FirstOrDefault(x => x.DecisionId == d.Id && x.UserName == a.UserName)?.SignedUtc))],
            content.Guests, content.Rediscuss);
    }
}
