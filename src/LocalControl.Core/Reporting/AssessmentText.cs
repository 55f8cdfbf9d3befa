using System.Globalization;
using System.Net;
using System.Text;
using LocalControl.Core.Cases;
using LocalControl.Core.Engine;

namespace LocalControl.Core.Reporting;

/// <summary>Human-readable renderings of an assessment: terminal text, Markdown and a self-contained HTML page.</summary>
public static class AssessmentText
{
    private const string Notice = "Decision support only: options are provisional until the multidisciplinary team validates them.";

    /// <summary>A terminal summary: a table per lesion and for the patient, the criteria that are not met, outcomes, scores and missing data.</summary>
    public static string RenderText(Assessment a, MetastaticCase @case, IReadOnlyList<CaseProblem>? warnings = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(@case);
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"LocalControl assessment: case {a.CaseId}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"Rule set {a.RuleSetVersion}; evidence base {a.EvidenceVersion}");
        sb.AppendLine(Notice);
        sb.AppendLine();
        sb.AppendLine(DiseaseLine(a.Disease));
        foreach (var w in warnings ?? [])
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"warning: {w}");
        }

        for (var i = 0; i < a.Lesions.Count; i++)
        {
            var la = a.Lesions[i];
            sb.AppendLine();
            sb.AppendLine(LesionHeading(la, @case.Lesions[i]));
            AppendOptionTable(sb, la.Options);
        }

        sb.AppendLine();
        sb.AppendLine("Patient-level options");
        AppendOptionTable(sb, a.PatientOptions);
        var curative = a.PatientOptions.First(o => o.Therapy == Therapy.CurativeLocal);
        if (curative.Plan is { } plan && curative.Eligibility != Eligibility.NotEligible)
        {
            sb.AppendLine("  Combination for curative intent (usable local options per lesion, best first):");
            foreach (var p in plan)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"    {p.LesionId}: {(p.Options.Count == 0 ? "none yet (data missing)" : string.Join(", ", p.Options.Select(TherapyNames.DisplayName)))}");
            }
        }

        sb.AppendLine();
        sb.AppendLine("Expected outcomes of the leading options (figure; population; source, grade)");
        foreach (var (owner, option) in LeadingOptions(a))
        {
            foreach (var e in option.ExpectedOutcomes)
            {
                var population = e.Figure.Population ?? e.Item.Population;
                sb.AppendLine(CultureInfo.InvariantCulture, $"  {owner} {TherapyNames.DisplayName(option.Therapy)}: {e.Figure.Label}: {e.Figure.Value}{Partly(e)}{(population is null ? "" : "; " + population)}; {e.Item.ShortName} [{e.Item.Id}], {AssessmentJson.GradeName(e.Item.Grade)}");
            }
        }

        sb.AppendLine();
        sb.AppendLine("Prognostic context (information only, never an exclusion)");
        foreach (var s in new[] { a.Scores.Fong, a.Scores.Game, a.Scores.TumourBurden })
        {
            if (s is not null)
            {
                sb.AppendLine("  " + ScoreLine(s));
            }
        }

        if (a.Scores.Fong is null)
        {
            sb.AppendLine("  No liver metastases: liver scores do not apply.");
        }

        sb.AppendLine();
        if (a.MissingData.Count == 0)
        {
            sb.AppendLine("Missing data: none.");
        }
        else
        {
            sb.AppendLine("Missing data (* can change an eligibility)");
            foreach (var m in a.MissingData)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"  {(m.ChangesEligibility ? "*" : " ")} {m.Field}: needed for {Abbreviate(m.NeededFor)}");
            }
        }

        return sb.ToString();
    }

    /// <summary>A Markdown report with the same content as the text summary, plus every criterion.</summary>
    public static string RenderMarkdown(Assessment a, MetastaticCase @case, IReadOnlyList<CaseProblem>? warnings = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(@case);
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"# LocalControl assessment: case {Md(a.CaseId)}");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Rule set {Md(a.RuleSetVersion)}; evidence base {Md(a.EvidenceVersion)}.");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"> {Notice}");
        sb.AppendLine();
        sb.AppendLine(Md(DiseaseLine(a.Disease)));
        foreach (var w in warnings ?? [])
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"- Warning: `{w.Path}`: {Md(w.Message)}");
        }

        for (var i = 0; i < a.Lesions.Count; i++)
        {
            sb.AppendLine();
            sb.AppendLine(CultureInfo.InvariantCulture, $"## {Md(LesionHeading(a.Lesions[i], @case.Lesions[i]))}");
            sb.AppendLine();
            AppendMarkdownOptions(sb, a.Lesions[i].Options);
        }

        sb.AppendLine();
        sb.AppendLine("## Patient-level options");
        sb.AppendLine();
        AppendMarkdownOptions(sb, a.PatientOptions);
        sb.AppendLine("## Prognostic context");
        sb.AppendLine();
        foreach (var s in new[] { a.Scores.Fong, a.Scores.Game, a.Scores.TumourBurden })
        {
            if (s is not null)
            {
                sb.AppendLine("- " + Md(ScoreLine(s)));
            }
        }

        sb.AppendLine();
        sb.AppendLine("## Missing data");
        sb.AppendLine();
        if (a.MissingData.Count == 0)
        {
            sb.AppendLine("None.");
        }

        foreach (var m in a.MissingData)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"- `{m.Field}`{(m.ChangesEligibility ? " (can change an eligibility)" : "")}: {Md(Abbreviate(m.NeededFor))}");
        }

        return sb.ToString();
    }

    /// <summary>A self-contained, printable HTML page (no external resources); every user text is HTML-encoded.</summary>
    public static string RenderHtml(Assessment a, MetastaticCase @case, IReadOnlyList<CaseProblem>? warnings = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(@case);
        var sb = new StringBuilder();
        sb.AppendLine("<!DOCTYPE html>");
        sb.AppendLine("<html lang=\"en\"><head><meta charset=\"utf-8\">");
        sb.AppendLine(CultureInfo.InvariantCulture, $"<title>LocalControl assessment: {H(a.CaseId)}</title>");
        sb.AppendLine("<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem;color:#222}table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}th{background:#f3f3f3}.eligible{color:#165d1a;font-weight:600}.caution{color:#8a5a00;font-weight:600}.not-eligible{color:#9b1c1c;font-weight:600}.unknown{color:#555;font-weight:600}.met{color:#165d1a}.failed{color:#9b1c1c}.notice{background:#fff6db;padding:.5rem;border-left:4px solid #e0b000}details{margin:.2rem 0}@media print{details{display:block}summary{display:none}}</style>");
        sb.AppendLine("</head><body>");
        sb.AppendLine(CultureInfo.InvariantCulture, $"<h1>LocalControl assessment: case {H(a.CaseId)}</h1>");
        sb.AppendLine(CultureInfo.InvariantCulture, $"<p>Rule set {H(a.RuleSetVersion)}; evidence base {H(a.EvidenceVersion)}.</p>");
        sb.AppendLine(CultureInfo.InvariantCulture, $"<p class=\"notice\">{H(Notice)}</p>");
        sb.AppendLine(CultureInfo.InvariantCulture, $"<p>{H(DiseaseLine(a.Disease))}</p>");
        if (warnings is { Count: > 0 })
        {
            sb.AppendLine("<ul>");
            foreach (var w in warnings)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"<li>Warning: <code>{H(w.Path)}</code>: {H(w.Message)}</li>");
            }

            sb.AppendLine("</ul>");
        }

        for (var i = 0; i < a.Lesions.Count; i++)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"<h2>{H(LesionHeading(a.Lesions[i], @case.Lesions[i]))}</h2>");
            AppendHtmlOptions(sb, a.Lesions[i].Options);
        }

        sb.AppendLine("<h2>Patient-level options</h2>");
        AppendHtmlOptions(sb, a.PatientOptions);
        sb.AppendLine("<h2>Prognostic context</h2><p>Information only, never an exclusion.</p><ul>");
        foreach (var s in new[] { a.Scores.Fong, a.Scores.Game, a.Scores.TumourBurden })
        {
            if (s is not null)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"<li>{H(ScoreLine(s))}</li>");
            }
        }

        sb.AppendLine("</ul><h2>Missing data</h2>");
        if (a.MissingData.Count == 0)
        {
            sb.AppendLine("<p>None.</p>");
        }
        else
        {
            sb.AppendLine("<table><tr><th>Field</th><th>Can change an eligibility</th><th>Needed for</th></tr>");
            foreach (var m in a.MissingData)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"<tr><td><code>{H(m.Field)}</code></td><td>{(m.ChangesEligibility ? "yes" : "no")}</td><td>{H(string.Join("; ", m.NeededFor))}</td></tr>");
            }

            sb.AppendLine("</table>");
        }

        sb.AppendLine("</body></html>");
        return sb.ToString();
    }

    private static void AppendOptionTable(StringBuilder sb, IReadOnlyList<TherapyOption> options)
    {
        sb.AppendLine("  #  Option                            Eligibility    Met  Failed  Unknown");
        foreach (var o in options)
        {
            var met = o.Criteria.Count(c => c.Status == CriterionStatus.Met);
            var failed = o.Criteria.Count(c => c.Status == CriterionStatus.Failed);
            var unknown = o.Criteria.Count(c => c.Status == CriterionStatus.Unknown);
            var name = TherapyNames.DisplayName(o.Therapy) + (o.Setting is null ? "" : $" ({o.Setting})");
            sb.AppendLine(CultureInfo.InvariantCulture, $"  {o.Rank,-2} {name,-33} {TherapyNames.ToJson(o.Eligibility),-14} {met,3}  {failed,6}  {unknown,7}");
            foreach (var c in o.Criteria)
            {
                if (c.Status != CriterionStatus.Met)
                {
                    sb.AppendLine(CultureInfo.InvariantCulture, $"       - {c.Id} {TherapyNames.ToJson(c.Status)} ({TherapyNames.ToJson(c.Severity)}){Observed(c)} [{string.Join(", ", c.Definition.Evidence)}]");
                }
            }
        }
    }

    private static void AppendMarkdownOptions(StringBuilder sb, IReadOnlyList<TherapyOption> options)
    {
        sb.AppendLine("| # | Option | Eligibility | Criteria not met |");
        sb.AppendLine("|---|---|---|---|");
        foreach (var o in options)
        {
            var notMet = o.Criteria.Where(c => c.Status != CriterionStatus.Met)
                .Select(c => $"{c.Id}: {TherapyNames.ToJson(c.Status)} ({TherapyNames.ToJson(c.Severity)}){Observed(c)}");
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {o.Rank} | {Md(TherapyNames.DisplayName(o.Therapy) + (o.Setting is null ? "" : $" ({o.Setting})"))} | **{TherapyNames.ToJson(o.Eligibility)}** | {Md(string.Join("; ", notMet))} |");
        }

        sb.AppendLine();
        foreach (var o in options.Where(o => o.Eligibility != Eligibility.NotEligible))
        {
            if (o.ExpectedOutcomes.Count == 0 && o.Notes.Count == 0)
            {
                continue;
            }

            sb.AppendLine(CultureInfo.InvariantCulture, $"**{Md(TherapyNames.DisplayName(o.Therapy))}**");
            sb.AppendLine();
            foreach (var e in o.ExpectedOutcomes)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"- {Md(e.Figure.Label)}: **{Md(e.Figure.Value)}**{Md(Partly(e))}. {Md(e.Figure.Population ?? e.Item.Population ?? "")}. {Md(e.Item.Citation.Text)} ({AssessmentJson.GradeName(e.Item.Grade)})");
            }

            foreach (var n in o.Notes)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"- Note: {Md(n)}");
            }

            sb.AppendLine();
        }
    }

    private static void AppendHtmlOptions(StringBuilder sb, IReadOnlyList<TherapyOption> options)
    {
        sb.AppendLine("<table><tr><th>#</th><th>Option</th><th>Eligibility</th><th>Criteria</th><th>Expected outcomes</th></tr>");
        foreach (var o in options)
        {
            var elig = TherapyNames.ToJson(o.Eligibility);
            sb.Append(CultureInfo.InvariantCulture, $"<tr><td>{o.Rank}</td><td>{H(TherapyNames.DisplayName(o.Therapy))}{(o.Setting is null ? "" : $" ({H(o.Setting)})")}</td><td class=\"{elig}\">{elig}</td><td><details><summary>{o.Criteria.Count(c => c.Status == CriterionStatus.Met)} of {o.Criteria.Count} met</summary><ul>");
            foreach (var c in o.Criteria)
            {
                var status = TherapyNames.ToJson(c.Status);
                sb.Append(CultureInfo.InvariantCulture, $"<li class=\"{status}\" title=\"{H(c.Definition.Description)}\"><b>{H(c.Id)}</b>: {status} ({TherapyNames.ToJson(c.Severity)}){H(Observed(c))}. {H(c.Definition.Description)} <small>[{H(string.Join(", ", c.Definition.Evidence))}]</small></li>");
            }

            sb.Append("</ul></details></td><td><ul>");
            foreach (var e in o.ExpectedOutcomes)
            {
                sb.Append(CultureInfo.InvariantCulture, $"<li title=\"{H(e.Item.Citation.Text)}\">{H(e.Figure.Label)}: <b>{H(e.Figure.Value)}</b>{H(Partly(e))}; {H(e.Figure.Population ?? e.Item.Population ?? "")}. <small>{H(e.Item.Citation.Text)} ({AssessmentJson.GradeName(e.Item.Grade)})</small></li>");
            }

            foreach (var n in o.Notes)
            {
                sb.Append(CultureInfo.InvariantCulture, $"<li><i>{H(n)}</i></li>");
            }

            sb.AppendLine("</ul></td></tr>");
        }

        sb.AppendLine("</table>");
    }

    private static IEnumerable<(string Owner, TherapyOption Option)> LeadingOptions(Assessment a)
    {
        foreach (var la in a.Lesions)
        {
            foreach (var o in la.Options.Where(o => o.Eligibility is Eligibility.Eligible or Eligibility.Caution).Take(2))
            {
                yield return ($"{la.LesionId}", o);
            }
        }

        foreach (var o in a.PatientOptions.Where(o => o.Eligibility is Eligibility.Eligible or Eligibility.Caution))
        {
            yield return ("patient", o);
        }
    }

    private static string LesionHeading(LesionAssessment la, Lesion l)
    {
        var parts = new List<string> { CaseVocabulary.ToJson(la.Organ) };
        if (l.Location is { Length: > 0 } loc)
        {
            parts.Add(loc);
        }

        parts.Add(l.LongestDiameterMm is { } d ? $"{F(d)} mm" : "size unknown");
        if (l.MeasuredFields is { Count: > 0 } measured)
        {
            parts.Add($"measured from images: {string.Join(", ", measured)}");
        }

        return $"Lesion {la.LesionId} ({string.Join(", ", parts)})";
    }

    private static string DiseaseLine(DiseaseSummary d)
    {
        var organs = string.Join(", ", d.LesionsByOrgan.OrderBy(kv => kv.Key).Select(kv => $"{CaseVocabulary.ToJson(kv.Key)} {kv.Value}"));
        return $"Disease: {d.LesionCount} lesion{(d.LesionCount == 1 ? "" : "s")} ({organs}); {(d.LiverOnly ? "liver-only" : d.ExtrahepaticDisease ? "extrahepatic disease" : "no liver disease")}; oligometastatic: {d.Oligometastatic}.";
    }

    private static string ScoreLine(PrognosticScore s)
    {
        var value = s.Value is { } v ? F(v) + (s.RiskGroup is null ? "" : $" ({s.RiskGroup})") : $"incomplete: between {F(s.Minimum)} and {(double.IsFinite(s.Maximum) ? F(s.Maximum) : "?")}; missing {string.Join(", ", s.Missing)}";
        return $"{s.Name}: {value}";
    }

    private static string Observed(CriterionResult c) =>
        (c.ObservedValue, c.ObservedText) switch
        {
            ({ } v, { } t) => $": {F(v)}, {t}",
            ({ } v, null) => $": {F(v)}",
            (null, { } t) => $": {t}",
            _ => c.MissingFields.Count > 0 ? $": needs {string.Join(", ", c.MissingFields)}" : "",
        };

    private static string Partly(ExpectedOutcome e) =>
        e.Item.Verification == Evidence.Verification.PartlyVerified || e.Figure.Verification == Evidence.Verification.PartlyVerified ? " (partly verified)" : "";

    private static string Abbreviate(IReadOnlyList<string> items) =>
        items.Count <= 3 ? string.Join("; ", items) : string.Join("; ", items.Take(3)) + $"; and {items.Count - 3} more";

    private static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    private static string H(string s) => WebUtility.HtmlEncode(s);

    private static string Md(string s) => s.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
