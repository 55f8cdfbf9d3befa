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

    /// <summary>The two intents a decision records.</summary>
    public static readonly IReadOnlyList<string> Intents = ["curative", "palliative"];

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
    /// Checks a decision against the case as it is now: the date, intent, rationale and attendees are required, and
    /// every chosen therapy must be one the engine listed for that lesion (or for the patient). The current case file,
    /// its assessment and the rule-set version are attached so the decision keeps what it was based on.
    /// </summary>
    public PreparedDecision PrepareDecision(CaseRecord record, DecisionRequest request)
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
            errors["intent"] = ["must be curative or palliative"];
        }
        if (string.IsNullOrWhiteSpace(request.Rationale))
        {
            errors["rationale"] = ["is required"];
        }
        else if (request.Rationale.Length > MaxRationaleLength)
        {
            errors["rationale"] = [$"must be at most {MaxRationaleLength} characters"];
        }
        if (string.IsNullOrWhiteSpace(request.Attendees))
        {
            errors["attendees"] = ["is required"];
        }
        else if (request.Attendees.Length > MaxAttendeesLength)
        {
            errors["attendees"] = [$"must be at most {MaxAttendeesLength} characters"];
        }
        if (request.CaseVersion is null)
        {
            errors["caseVersion"] = ["is required (the version of the case the board looked at)"];
        }
        var choices = request.Choices ?? [];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < choices.Count; i++)
        {
            var choice = choices[i];
            var key = choice.LesionId ?? "(patient)";
            IReadOnlyList<TherapyOption>? options = choice.LesionId is null
                ? assessed.Assessment.PatientOptions
                : assessed.Assessment.Lesions.FirstOrDefault(l => l.LesionId == choice.LesionId)?.Options;
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
        }
        if (errors.Count > 0)
        {
            return new PreparedDecision(null, errors);
        }
        return new PreparedDecision(new NewDecision(
            request.MeetingDate!.Value,
            request.Intent!,
            JsonSerializer.Serialize(choices, DecisionJson.Options),
            request.Rationale!.Trim(),
            request.Attendees!.Trim(),
            assessed.Assessment.RuleSetVersion,
            assessed.Json,
            record.CaseFileJson,
            request.CaseVersion!.Value) { Rediscuss = request.Rediscuss == true }, errors);
    }
}
