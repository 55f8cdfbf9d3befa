using System.Text.Json;
using LocalControl.Core.Cases;
using LocalControl.Core.Engine;
using LocalControl.Core.Reporting;
using LocalControl.Core.Rules;
using LocalControl.Registry;
using LocalControl.Registry.Entities;
using LocalControl.Web.Api;

namespace LocalControl.Web.Infrastructure;

/// <summary>A case file checked by the engine's reader: the read result (errors and warnings, the same as the CLI's)
/// and, when valid, what the registry stores.</summary>
public sealed record CaseFileCheck(CaseReadResult Result, CaseFileContent? Content);

/// <summary>A stored case file read and assessed by the engine.</summary>
/// <param name="Case">The case.</param>
/// <param name="Assessment">The engine's assessment.</param>
/// <param name="Warnings">The reader's warnings (part of the machine-contract JSON).</param>
public sealed record AssessedCase(MetastaticCase Case, Assessment Assessment, IReadOnlyList<CaseProblem> Warnings)
{
    private string? _json;

    /// <summary>The assessment as the machine-contract JSON (what a decision keeps); serialised on first use,
    /// because the pages do not need it and it costs more than the assessment itself.</summary>
    public string Json => _json ??= AssessmentJson.Serialize(Assessment, Warnings);
}

/// <summary>A decision ready to store, or the reasons it cannot be.</summary>
public sealed record PreparedDecision(NewDecision? Decision, Dictionary<string, string[]> Errors);

/// <summary>
/// The one place where the web app meets the engine: reading and validating case files with
/// <see cref="CaseFileReader"/> (so the editor shows exactly the CLI's messages), assessing them with
/// <see cref="TumourBoardEngine"/>, and checking decisions against the options the engine listed.
/// </summary>
public sealed class CaseService
{
    /// <summary>Longest rationale accepted (characters).</summary>
    public const int MaxRationaleLength = 20_000;

    /// <summary>Longest attendee list accepted (characters).</summary>
    public const int MaxAttendeesLength = 4_000;

    /// <summary>The intents a decision (and each of its strategies) records.</summary>
    public static readonly IReadOnlyList<string> Intents = ["curative", "palliative", "disease-control"];

    /// <summary>Most strategies in one decision.</summary>
    public const int MaxStrategies = 10;

    /// <summary>Most steps in one strategy.</summary>
    public const int MaxSteps = 20;

    /// <summary>Longest text of a step (characters).</summary>
    public const int MaxStepTextLength = 1_000;

    /// <summary>Longest discipline of an attendee (characters).</summary>
    public const int MaxDisciplineLength = 64;

    /// <summary>Longest case id the registry stores.</summary>
    public const int MaxCaseIdLength = 128;

    /// <summary>Longest case file the registry accepts (characters): a case file is a few kilobytes.</summary>
    public const int MaxCaseFileChars = 1_000_000;

    /// <summary>
    /// Most lesions a case may list in the registry: the engine's own limit, the rule set's <c>maxLesionsPerCase</c>
    /// (one limit, kept in one place: a case the registry accepts is always one the engine assesses).
    /// </summary>
    public static int MaxLesions { get; } = (int)RuleSet.Default.MaxLesionsPerCase;

    /// <summary>
    /// Reads and validates a case file: the registry's size and lesion-count limits first (checked before the engine
    /// reads anything, so a huge case costs a scan, not an assessment), then the engine's rules (the CLI's messages),
    /// plus the registry's two limits on the case id, which is also the case's address in URLs: at most 128
    /// characters and no slash or backslash.
    /// </summary>
    public CaseFileCheck Check(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (RegistryLimits(json) is { } refused)
        {
            return new CaseFileCheck(new CaseReadResult(null, [refused], []), null);
        }
        var result = CaseFileReader.Read(json);
        if (result.Case is { } read && (read.CaseId.Length > MaxCaseIdLength || read.CaseId.AsSpan().IndexOfAny('/', '\\') >= 0 || read.CaseId.Any(char.IsControl)))
        {
            var problem = new CaseProblem("caseId", read.CaseId.Length > MaxCaseIdLength
                ? $"must be at most {MaxCaseIdLength} characters in the registry"
                : "must not contain a slash, a backslash or a control character in the registry (it is part of the case's web address)");
            result = result with { Case = null, Errors = [.. result.Errors, problem] };
        }
        if (!result.IsValid || result.Case is null)
        {
            return new CaseFileCheck(result, null);
        }
        return new CaseFileCheck(result, CaseFileContent.From(result.Case, json));
    }

    private static CaseProblem? RegistryLimits(string json)
    {
        if (json.Length > MaxCaseFileChars)
        {
            return new CaseProblem("", FormattableString.Invariant($"the case file is {json.Length:N0} characters long; the registry accepts at most {MaxCaseFileChars:N0}"));
        }
        // Count the lesions with a forward-only scan of the top level (linear, no tree); syntax errors are left to the reader.
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(json), new JsonReaderOptions { MaxDepth = 64, CommentHandling = JsonCommentHandling.Skip });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isLesions = reader.ValueTextEquals("lesions"u8);
                if (!reader.Read())
                {
                    return null;
                }
                if (isLesions && reader.TokenType == JsonTokenType.StartArray)
                {
                    var count = 0;
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        if (++count > MaxLesions)
                        {
                            return new CaseProblem("lesions", $"more than {MaxLesions} lesions; the registry accepts at most {MaxLesions} per case");
                        }
                        reader.Skip();
                    }
                    return null;
                }
                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Not JSON, or too deep: the case-file reader says where, in the CLI's words.
        }
        return null;
    }

    /// <summary>Reads and assesses a stored case file; null if it does not read (e.g. stored under an older engine).</summary>
    public AssessedCase? Assess(string caseFileJson)
    {
        var result = CaseFileReader.Read(caseFileJson);
        if (!result.IsValid || result.Case is null)
        {
            return null;
        }
        var assessment = TumourBoardEngine.Default.Assess(result.Case);
        return new AssessedCase(result.Case, assessment, result.Warnings);
    }

    /// <summary>
    /// Checks a decision against the case as it is now: the date, intent, rationale and attendees are required; every
    /// step's therapy must be an option the engine listed for its lesions (or for the patient), or one of the
    /// <see cref="DecisionActions"/>; attendees picked from the users must be among <paramref name="candidates"/>. The
    /// first API shape (<c>choices</c>) is checked as before and stored as one strategy of concurrent steps. The current
    /// case file, its assessment and the rule-set version are attached so the decision keeps what it was based on.
    /// Error keys are the request's JSON paths (<c>strategies[0].steps[1].therapy</c>).
    /// </summary>
    public PreparedDecision PrepareDecision(CaseRecord record, DecisionRequest request, IReadOnlyList<AttendeeCandidate>? candidates = null)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(request);
        var errors = new Dictionary<string, string[]>();
        var assessed = Assess(record.CaseFileJson);
        if (assessed is null)
        {
            errors["case"] = ["The stored case file does not pass validation; fix it before deciding."];
            return new PreparedDecision(null, errors);
        }
        if (request.MeetingDate is null)
        {
            errors["meetingDate"] = ["is required"];
        }
        if (request.Intent is null || !Intents.Contains(request.Intent))
        {
            errors["intent"] = ["must be curative, palliative or disease-control"];
        }
        if (string.IsNullOrWhiteSpace(request.Rationale))
        {
            errors["rationale"] = ["is required"];
        }
        else if (request.Rationale.Length > MaxRationaleLength)
        {
            errors["rationale"] = [$"must be at most {MaxRationaleLength} characters"];
        }
        if (request.CaseVersion is null)
        {
            errors["caseVersion"] = ["is required (the version of the case the board looked at)"];
        }
        var attendees = CheckAttendees(request, candidates ?? [], errors);
        var strategies = (request.Choices is { Count: > 0 }, request.Strategies is { Count: > 0 }) switch
        {
            (true, true) => Refuse(errors, "strategies", "give either choices (the first shape) or strategies, not both"),
            (true, false) => CheckChoices(request.Choices!, assessed.Assessment, errors),
            _ => CheckStrategies(request.Strategies ?? [], assessed.Assessment, errors),
        };
        if (errors.Count > 0)
        {
            return new PreparedDecision(null, errors);
        }
        var rediscuss = request.Rediscuss == true || strategies.Any(s => s.Steps.Any(t => t.Therapy == DecisionActions.Rediscuss));
        var guests = string.IsNullOrWhiteSpace(request.Attendees) ? null : request.Attendees.Trim();
        var content = new DecisionContent(2, strategies, attendees, guests, rediscuss);
        return new PreparedDecision(new NewDecision(
            request.MeetingDate!.Value,
            request.Intent!,
            content.ToJson(),
            request.Rationale!.Trim(),
            content.AttendeesText(),
            assessed.Assessment.RuleSetVersion,
            assessed.Json,
            record.CaseFileJson,
            request.CaseVersion!.Value) { Rediscuss = rediscuss }, errors);
    }

    private static List<DecisionStrategy> Refuse(Dictionary<string, string[]> errors, string key, string message)
    {
        errors[key] = [message];
        return [];
    }

    private static List<DecisionAttendee> CheckAttendees(DecisionRequest request, IReadOnlyList<AttendeeCandidate> candidates, Dictionary<string, string[]> errors)
    {
        var picked = new List<DecisionAttendee>();
        if (request.Attendees is { } guests && guests.Length > MaxAttendeesLength)
        {
            errors["attendees"] = [$"must be at most {MaxAttendeesLength} characters"];
        }
        var users = request.AttendeeUsers ?? [];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < users.Count; i++)
        {
            var key = $"attendeeUsers[{i}]";
            var name = users[i].UserName?.Trim();
            var candidate = name is null ? null : candidates.FirstOrDefault(c => c.UserName == name);
            if (string.IsNullOrEmpty(name))
            {
                errors[key + ".userName"] = ["is required"];
            }
            else if (candidate is null)
            {
                errors[key + ".userName"] = [$"'{name}' is not an enabled user holding a role that signs off decisions ({string.Join(" or ", CaseRegistry.SignOffRoles)}; a viewer-only account reads); name other people as guests"];
            }
            else if (!seen.Add(name))
            {
                errors[key + ".userName"] = [$"{name} is listed twice"];
            }
            var discipline = users[i].Discipline?.Trim();
            if (string.IsNullOrEmpty(discipline))
            {
                errors[key + ".discipline"] = [$"is required for {name ?? "each attendee"} (e.g. surgery, interventional radiology, oncology)"];
            }
            else if (discipline.Length > MaxDisciplineLength)
            {
                errors[key + ".discipline"] = [$"must be at most {MaxDisciplineLength} characters"];
            }
            if (candidate is not null && !string.IsNullOrEmpty(discipline))
            {
                picked.Add(new DecisionAttendee(candidate.UserName, candidate.DisplayName, discipline));
            }
        }
        if (users.Count == 0 && string.IsNullOrWhiteSpace(request.Attendees))
        {
            errors["attendees"] = ["is required: pick the attendees from the users or name them as guests"];
        }
        return picked;
    }

    // The first API shape: a flat list, one option per lesion and one for the patient, checked as before.
    private static List<DecisionStrategy> CheckChoices(IReadOnlyList<DecisionChoice> choices, Assessment assessment, Dictionary<string, string[]> errors)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var steps = new List<DecisionStep>();
        for (var i = 0; i < choices.Count; i++)
        {
            var choice = choices[i];
            var key = choice.LesionId ?? "(patient)";
            IReadOnlyList<TherapyOption>? options = choice.LesionId is null
                ? assessment.PatientOptions
                : assessment.Lesions.FirstOrDefault(l => l.LesionId == choice.LesionId)?.Options;
            if (options is null)
            {
                errors[$"choices[{i}].lesionId"] = [$"no lesion '{choice.LesionId}' in this case"];
            }
            else if (!options.Any(o => TherapyNames.ToJson(o.Therapy) == choice.Therapy))
            {
                errors[$"choices[{i}].therapy"] = [$"'{choice.Therapy}' is not an option the engine listed for {key}"];
            }
            if (!seen.Add(key))
            {
                errors[$"choices[{i}].lesionId"] = [$"{key} is chosen twice"];
            }
            steps.Add(new DecisionStep(choice.Therapy, choice.LesionId is null ? [] : [choice.LesionId], null, WithPrevious: steps.Count > 0));
        }
        return steps.Count == 0 ? [] : [new DecisionStrategy(null, steps)];
    }

    private static List<DecisionStrategy> CheckStrategies(IReadOnlyList<DecisionStrategyRequest> requested, Assessment assessment, Dictionary<string, string[]> errors)
    {
        if (requested.Count > MaxStrategies)
        {
            return Refuse(errors, "strategies", $"at most {MaxStrategies} strategies");
        }
        var strategies = new List<DecisionStrategy>();
        for (var s = 0; s < requested.Count; s++)
        {
            var sk = $"strategies[{s}]";
            var intent = string.IsNullOrWhiteSpace(requested[s].Intent) ? null : requested[s].Intent!.Trim();
            if (intent is not null && !Intents.Contains(intent))
            {
                errors[sk + ".intent"] = ["must be curative, palliative or disease-control (or left out for the decision's intent)"];
            }
            var steps = requested[s].Steps ?? [];
            if (steps.Count == 0)
            {
                errors[sk + ".steps"] = ["a strategy needs at least one step"];
            }
            else if (steps.Count > MaxSteps)
            {
                errors[sk + ".steps"] = [$"at most {MaxSteps} steps"];
            }
            var checkedSteps = new List<DecisionStep>();
            for (var t = 0; t < Math.Min(steps.Count, MaxSteps); t++)
            {
                checkedSteps.Add(CheckStep(steps[t], $"{sk}.steps[{t}]", t, assessment, errors));
            }
            strategies.Add(new DecisionStrategy(intent, checkedSteps));
        }
        return strategies;
    }

    private static readonly string Catalogue = string.Join(", ", TherapyNames.All.Select(t => t.Id));
    private static readonly string ActionList = string.Join(", ", DecisionActions.All.Select(a => a.Id));

    private static DecisionStep CheckStep(DecisionStepRequest step, string key, int index, Assessment assessment, Dictionary<string, string[]> errors)
    {
        var therapy = step.Therapy?.Trim() ?? "";
        var text = string.IsNullOrWhiteSpace(step.Text) ? null : step.Text.Trim();
        var lesions = new List<string>();
        foreach (var (lesion, k) in (step.LesionIds ?? []).Select((l, k) => (l?.Trim() ?? "", k)))
        {
            if (assessment.Lesions.All(l => l.LesionId != lesion))
            {
                errors[$"{key}.lesionIds[{k}]"] = [$"no lesion '{lesion}' in this case"];
            }
            else if (lesions.Contains(lesion))
            {
                errors[$"{key}.lesionIds[{k}]"] = [$"{lesion} is named twice"];
            }
            else
            {
                lesions.Add(lesion);
            }
        }
        if (step.Connector is { } connector && connector != "then" && connector != "plus")
        {
            errors[key + ".connector"] = ["must be then (after the step before) or plus (together with it)"];
        }
        if (text is { Length: > MaxStepTextLength })
        {
            errors[key + ".text"] = [$"must be at most {MaxStepTextLength} characters"];
        }
        var definition = TherapyNames.All.FirstOrDefault(d => d.Id == therapy);
        if (therapy.Length == 0)
        {
            errors[key + ".therapy"] = ["is required"];
        }
        else if (DecisionActions.IsAction(therapy))
        {
            if (DecisionActions.NeedsText(therapy) && text is null)
            {
                errors[key + ".text"] = [therapy == DecisionActions.Reimage
                    ? "re-image needs what and when (e.g. \"liver MRI with contrast in 8 weeks\")"
                    : "other needs a description of what is to be done"];
            }
        }
        else if (definition is null)
        {
            errors[key + ".therapy"] = [$"'{therapy}' is not a therapy of the engine's catalogue ({Catalogue}) nor an action ({ActionList})"];
        }
        else if (definition.Scope == TherapyScope.Lesion)
        {
            if ((step.LesionIds ?? []).Count == 0)
            {
                errors[key + ".lesionIds"] = [$"'{therapy}' is a lesion therapy: name the lesions it treats"];
            }
            foreach (var lesion in lesions)
            {
                if (assessment.Lesions.First(l => l.LesionId == lesion).Options.All(o => o.Therapy != definition.Therapy))
                {
                    errors[key + ".therapy"] = [$"'{therapy}' is not an option the engine listed for {lesion}"];
                }
            }
        }
        else if ((step.LesionIds ?? []).Count > 0)
        {
            errors[key + ".lesionIds"] = [$"'{therapy}' is a patient-level therapy: name no lesions"];
        }
        else if (assessment.PatientOptions.All(o => o.Therapy != definition.Therapy))
        {
            errors[key + ".therapy"] = [$"'{therapy}' is not an option the engine listed for the patient"];
        }
        return new DecisionStep(therapy, lesions, text, WithPrevious: index > 0 && step.Connector == "plus");
    }
}
