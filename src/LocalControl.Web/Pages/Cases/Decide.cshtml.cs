using System.Text.RegularExpressions;
using LocalControl.Registry;
using LocalControl.Web.Api;
using LocalControl.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace LocalControl.Web.Pages.Cases;

/// <summary>One step row of the decision form.</summary>
public sealed class DecisionStepForm
{
    /// <summary>"then" or "plus" (ignored on the first row).</summary>
    public string? Connector { get; set; }

    /// <summary>Therapy or action id; empty for an unused row.</summary>
    public string? Therapy { get; set; }

    /// <summary>Lesions ticked (none: for the patient).</summary>
    public List<string> Lesions { get; set; } = [];

    /// <summary>What and when (re-image), what (other).</summary>
    public string? Text { get; set; }

    /// <summary>Nothing entered on this row.</summary>
    public bool IsEmpty => string.IsNullOrWhiteSpace(Therapy) && string.IsNullOrWhiteSpace(Text) && Lesions.Count == 0;
}

/// <summary>One strategy block of the decision form.</summary>
public sealed class DecisionStrategyForm
{
    /// <summary>Empty: the decision's intent.</summary>
    public string? Intent { get; set; }

    /// <summary>The step rows.</summary>
    public List<DecisionStepForm> Steps { get; set; } = [];
}

public sealed partial class DecideModel(CaseService cases, CaseRegistry registry, IdentityReader identities, TimeProvider clock, ILogger<DecideModel> logger) : PageModel
{
    /// <summary>Strategy blocks on the form.</summary>
    public const int StrategyRows = 3;

    /// <summary>Step rows per strategy block.</summary>
    public const int StepRows = 4;

    /// <summary>Disciplines offered beside each attendee (free text is accepted too).</summary>
    public static readonly IReadOnlyList<string> Disciplines =
    [
        "hepatobiliary surgery", "colorectal surgery", "thoracic surgery", "interventional radiology", "diagnostic radiology",
        "medical oncology", "radiation oncology", "pathology", "gastroenterology / hepatology", "nuclear medicine", "specialist nurse",
    ];

    /// <summary>Whose decision this is: the patient identity line (the decision form is where a wrong patient costs most).</summary>
    public string IdentityLine { get; private set; } = "";

    [FromRoute]
    public string CaseId { get; set; } = "";

    public int Version { get; private set; }

    public AssessedCase Assessed { get; private set; } = null!;

    /// <summary>The users who may be picked as attendees.</summary>
    public IReadOnlyList<AttendeeCandidate> Candidates { get; private set; } = [];

    [BindProperty]
    public DateOnly? MeetingDate { get; set; }

    [BindProperty]
    public string? Intent { get; set; }

    /// <summary>The strategy blocks (form names S[i].Intent, S[i].Steps[j].Therapy …).</summary>
    [BindProperty(Name = "S")]
    public List<DecisionStrategyForm> Strategies { get; set; } = [];

    [BindProperty]
    public string? Rationale { get; set; }

    /// <summary>Guests: attendees who are not users of the app (free text).</summary>
    [BindProperty]
    public string? Attendees { get; set; }

    /// <summary>User names of the attendees ticked.</summary>
    [BindProperty(Name = "AttendeeUser")]
    public List<string> AttendeeUsers { get; set; } = [];

    /// <summary>Discipline per user name.</summary>
    [BindProperty(Name = "Discipline")]
    public Dictionary<string, string> AttendeeDisciplines { get; set; } = [];

    [BindProperty]
    public int? CaseVersion { get; set; }

    /// <summary>"Re-discuss at the next meeting": carried over to the next meeting's worklist.</summary>
    [BindProperty]
    public bool Rediscuss { get; set; }

    /// <summary>Messages by field, with the form's own positions (strategies[1].steps[0].therapy is block 2, row 1).</summary>
    public Dictionary<string, string[]> Errors { get; private set; } = [];

    /// <summary>The messages of one field, empty when none.</summary>
    public IEnumerable<string> ErrorsFor(string key) => Errors.TryGetValue(key, out var m) ? m : [];

    /// <summary>The strategy row s, step t as posted (empty when not posted).</summary>
    public DecisionStepForm StepAt(int s, int t) => s < Strategies.Count && t < Strategies[s].Steps.Count ? Strategies[s].Steps[t] : new DecisionStepForm();

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var record = await registry.ViewAsync(CaseId, User.UserName(), "decision form", ct);
        if (record is null)
        {
            return NotFound();
        }
        var assessed = cases.Assess(record.CaseFileJson);
        if (assessed is null)
        {
            return Redirect($"/cases/{Uri.EscapeDataString(CaseId)}");
        }
        Assessed = assessed;
        Version = record.Version;
        Candidates = await registry.AttendeeCandidatesAsync(ct);
        IdentityLine = await SummaryIdentity.LineAsync(identities, User, CaseId, ct);
        MeetingDate = record.MeetingDate ?? DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var record = await registry.FindAsync(CaseId, ct);
        if (record is null)
        {
            return NotFound();
        }
        // Blocks and rows left empty are not part of the decision; the positions kept map messages back to the form.
        var strategies = new List<DecisionStrategyRequest>();
        var positions = new List<(int Block, List<int> Rows)>();
        for (var s = 0; s < Strategies.Count; s++)
        {
            var rows = Enumerable.Range(0, Strategies[s].Steps.Count).Where(t => !Strategies[s].Steps[t].IsEmpty).ToList();
            if (rows.Count == 0)
            {
                continue;
            }
            positions.Add((s, rows));
            strategies.Add(new DecisionStrategyRequest(string.IsNullOrEmpty(Strategies[s].Intent) ? null : Strategies[s].Intent,
                [.. rows.Select(t => Strategies[s].Steps[t]).Select(x => new DecisionStepRequest(x.Therapy, x.Lesions, x.Text, x.Connector))]));
        }
        var users = AttendeeUsers.Distinct(StringComparer.Ordinal)
            .Select(u => new DecisionAttendeeRequest(u, AttendeeDisciplines.GetValueOrDefault(u))).ToList();
        var request = new DecisionRequest(MeetingDate, Intent, null, Rationale, Attendees, CaseVersion, Rediscuss, strategies, users);
        Candidates = await registry.AttendeeCandidatesAsync(ct);
        var prepared = cases.PrepareDecision(record, request, Candidates);
        if (prepared.Errors.Count == 0)
        {
            var (outcome, id) = await registry.RecordDecisionAsync(CaseId, prepared.Decision!, User.UserName(), ct);
            if (outcome == WriteOutcome.Done)
            {
                logger.DecisionRecorded(id, record.Id);
                return Redirect($"/cases/{Uri.EscapeDataString(CaseId)}#h-decisions");
            }
            logger.WriteRefused(record.Id, outcome.ToString());
            prepared.Errors["case"] = ["The case changed after you opened this form. Review the current assessment below and decide again."];
            record = (await registry.FindAsync(CaseId, ct))!;
        }
        Errors = ToFormPositions(prepared.Errors, positions, users);
        var assessed = cases.Assess(record.CaseFileJson);
        if (assessed is null)
        {
            return Redirect($"/cases/{Uri.EscapeDataString(CaseId)}");
        }
        Assessed = assessed;
        Version = record.Version;
        IdentityLine = await SummaryIdentity.LineAsync(identities, User, CaseId, ct);
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return Page();
    }

    private static Dictionary<string, string[]> ToFormPositions(Dictionary<string, string[]> errors, List<(int Block, List<int> Rows)> positions, List<DecisionAttendeeRequest> users)
    {
        var mapped = new Dictionary<string, string[]>();
        foreach (var (key, messages) in errors)
        {
            var k = StepKey().Replace(key, m =>
            {
                var s = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                if (s >= positions.Count)
                {
                    return m.Value;
                }
                var block = positions[s].Block;
                if (!m.Groups[2].Success)
                {
                    return $"strategies[{block}]";
                }
                var t = int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
                return t < positions[s].Rows.Count ? $"strategies[{block}].steps[{positions[s].Rows[t]}]" : m.Value;
            });
            // Attendees by user name, so the message stands beside that user's row.
            k = AttendeeKey().Replace(k, m =>
            {
                var i = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                return i < users.Count ? $"attendee[{users[i].UserName}]" : m.Value;
            });
            mapped[k] = mapped.TryGetValue(k, out var before) ? [.. before, .. messages] : messages;
        }
        return mapped;
    }

    [GeneratedRegex(@"^strategies\[(\d+)\](?:\.steps\[(\d+)\])?")]
    private static partial Regex StepKey();

    [GeneratedRegex(@"^attendeeUsers\[(\d+)\]")]
    private static partial Regex AttendeeKey();
}
