using System.Text.Json;
using System.Text.Json.Serialization;

namespace LocalControl.Registry;

/// <summary>
/// One step of a strategy: a therapy of the engine's catalogue (<c>resection</c>, <c>mwa</c>, <c>systemic</c> …) or
/// an action (<see cref="DecisionActions"/>), for the named lesions or, with none, for the patient.
/// </summary>
/// <param name="Therapy">The therapy or action id.</param>
/// <param name="LesionIds">The lesions it treats; empty for the patient.</param>
/// <param name="Text">Free text: what and when to re-image, what "other" is; null when none.</param>
/// <param name="WithPrevious">Done together with the step before ("plus"), not after it ("then"). Ignored on the first step.</param>
public sealed record DecisionStep(string Therapy, IReadOnlyList<string> LesionIds, string? Text = null, bool WithPrevious = false);

/// <summary>One strategy of a decision: its steps in order, and its intent when it differs from the decision's.</summary>
/// <param name="Intent">curative, palliative or disease-control; null for the decision's intent.</param>
/// <param name="Steps">The steps in sequence.</param>
public sealed record DecisionStrategy(string? Intent, IReadOnlyList<DecisionStep> Steps);

/// <summary>A user of the app who attended, as named at the time of the decision.</summary>
/// <param name="UserName">The account's user name (the one who may sign off).</param>
/// <param name="DisplayName">The name shown, as it was when the decision was recorded.</param>
/// <param name="Discipline">Their discipline at this meeting (surgery, interventional radiology …).</param>
public sealed record DecisionAttendee(string UserName, string DisplayName, string Discipline);

/// <summary>The actions a board decides besides therapies (ids beside the engine's therapy ids).</summary>
public static class DecisionActions
{
    /// <summary>Image again (what and when in the step's text).</summary>
    public const string Reimage = "re-image";
    /// <summary>Discuss again at the next meeting (carries the case over on the worklist).</summary>
    public const string Rediscuss = "re-discuss";
    /// <summary>Portal vein embolisation (to grow the future liver remnant).</summary>
    public const string PortalVeinEmbolisation = "portal-vein-embolisation";
    /// <summary>Two-stage hepatectomy.</summary>
    public const string TwoStageHepatectomy = "two-stage-hepatectomy";
    /// <summary>Anything else (the step's text says what).</summary>
    public const string Other = "other";

    /// <summary>Every action id, with its name for people.</summary>
    public static IReadOnlyList<(string Id, string Name)> All { get; } =
    [
        (Reimage, "Re-image"),
        (Rediscuss, "Re-discuss"),
        (PortalVeinEmbolisation, "Portal vein embolisation"),
        (TwoStageHepatectomy, "Two-stage hepatectomy"),
        (Other, "Other"),
    ];

    /// <summary>Whether the action needs its text (re-image: what and when; other: what).</summary>
    public static bool NeedsText(string id) => id is Reimage or Other;

    /// <summary>True for an action id.</summary>
    public static bool IsAction(string id) => All.Any(a => a.Id == id);
}

/// <summary>
/// What a decision chose, as kept in <see cref="Entities.DecisionRecord.ChoicesJson"/> (so inside the decision's row
/// hash). Two shapes are read: version 1, a flat list <c>[{"lesionId":"L1","therapy":"mwa"}]</c> (decisions recorded
/// before strategies), and version 2, an object <c>{"format":"localcontrol-decision","version":2,"strategies":[…],
/// "attendees":[…],"guests":…,"rediscuss":…}</c>. A version-1 list reads as one strategy of concurrent steps, one per
/// choice, with no attendee picked from the users (its attendees are the free text of the row).
/// </summary>
/// <param name="Version">1 or 2: the shape it was read from.</param>
/// <param name="Strategies">The strategies in order.</param>
/// <param name="Attendees">Attendees picked from the app's users (empty for version 1).</param>
/// <param name="Guests">Other attendees, free text; null when none (version 1: see the row's Attendees).</param>
/// <param name="Rediscuss">The board asked to discuss the case again.</param>
public sealed record DecisionContent(int Version, IReadOnlyList<DecisionStrategy> Strategies, IReadOnlyList<DecisionAttendee> Attendees, string? Guests, bool Rediscuss)
{
    /// <summary>The format marker of version 2.</summary>
    public const string Format = "localcontrol-decision";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Reads either shape; throws <see cref="JsonException"/> on anything else.</summary>
    public static DecisionContent Parse(string choicesJson)
    {
        ArgumentNullException.ThrowIfNull(choicesJson);
        using var doc = JsonDocument.Parse(choicesJson);
        if (doc.RootElement.ValueKind == JsonValueKind.Array)
        {
            var steps = new List<DecisionStep>();
            foreach (var c in doc.RootElement.EnumerateArray())
            {
                var lesion = c.TryGetProperty("lesionId", out var l) && l.ValueKind == JsonValueKind.String ? l.GetString() : null;
                var therapy = c.GetProperty("therapy").GetString() ?? throw new JsonException("therapy is null");
                steps.Add(new DecisionStep(therapy, lesion is null ? [] : [lesion], null, WithPrevious: steps.Count > 0));
            }
            return new DecisionContent(1, steps.Count == 0 ? [] : [new DecisionStrategy(null, steps)], [], null, false);
        }
        var stored = doc.RootElement.Deserialize<Stored>(Json) ?? throw new JsonException("empty decision");
        if (stored.Format != Format || stored.Version != 2)
        {
            throw new JsonException($"not a decision of format {Format} version 2");
        }
        return new DecisionContent(2,
            [.. (stored.Strategies ?? []).Select(s => new DecisionStrategy(s.Intent,
                [.. (s.Steps ?? []).Select(t => new DecisionStep(t.Therapy, t.LesionIds ?? [], t.Text, t.Connector == "plus"))]))],
            stored.Attendees ?? [], stored.Guests, stored.Rediscuss);
    }

    /// <summary>The version-2 JSON of this content (what a new decision stores).</summary>
    public string ToJson() => JsonSerializer.Serialize(new Stored
    {
        Format = Format,
        Version = 2,
        Strategies = [.. Strategies.Select(s => new StoredStrategy
        {
            Intent = s.Intent,
            Steps = [.. s.Steps.Select((t, i) => new StoredStep
            {
                Connector = i == 0 ? null : t.WithPrevious ? "plus" : "then",
                Therapy = t.Therapy,
                LesionIds = [.. t.LesionIds],
                Text = t.Text,
            })],
        })],
        Attendees = [.. Attendees],
        Guests = Guests,
        Rediscuss = Rediscuss,
    }, Json);

    /// <summary>
    /// The decision as the version-1 flat list (one entry per lesion of each step, null for the patient), for
    /// clients of the first API shape. Order, intents, texts and grouping are in <see cref="Strategies"/> only.
    /// </summary>
    public IReadOnlyList<(string? LesionId, string Therapy)> FlatChoices() =>
    [
        .. Strategies.SelectMany(s => s.Steps).SelectMany(t => t.LesionIds.Count == 0
            ? [((string?)null, t.Therapy)]
            : t.LesionIds.Select(l => ((string?)l, t.Therapy))),
    ];

    /// <summary>The attendees as one line of text (what the row's Attendees column keeps for a version-2 decision).</summary>
    public string AttendeesText()
    {
        if (Attendees.Count == 0)
        {
            return Guests?.Trim() ?? "";
        }
        var parts = Attendees.Select(a => $"{a.DisplayName} ({a.Discipline}; user {a.UserName})").ToList();
        if (!string.IsNullOrWhiteSpace(Guests))
        {
            parts.Add("guests: " + Guests.Trim());
        }
        return string.Join("; ", parts);
    }

    private sealed class Stored
    {
        public string? Format { get; set; }
        public int Version { get; set; }
        public List<StoredStrategy>? Strategies { get; set; }
        public List<DecisionAttendee>? Attendees { get; set; }
        public string? Guests { get; set; }
        public bool Rediscuss { get; set; }
    }

    private sealed class StoredStrategy
    {
        public string? Intent { get; set; }
        public List<StoredStep>? Steps { get; set; }
    }

    private sealed class StoredStep
    {
        public string? Connector { get; set; }
        public required string Therapy { get; set; }
        public List<string>? LesionIds { get; set; }
        public string? Text { get; set; }
    }
}
