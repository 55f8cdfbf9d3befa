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
        sb.AppendLine(CultureInfo.InvariantCulture, $"LocalControl assessment: case {Plain(a.CaseId)}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"Rule set {Plain(a.RuleSetVersion)}; evidence base {Plain(a.EvidenceVersion)}");
        sb.AppendLine(Notice);
        sb.AppendLine();
        sb.AppendLine(DiseaseLine(a.Disease));
        foreach (var w in warnings ?? [])
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"warning: {Plain(w.ToString())}");
        }

        var shownOutcomes = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < a.Lesions.Count; i++)
        {
            var la = a.Lesions[i];
            sb.AppendLine();
            sb.AppendLine(Plain(LesionHeading(la, @case.Lesions[i])));
            AppendTextOptions(sb, la.Options, "lesion " + la.LesionId, shownOutcomes);
        }

        sb.AppendLine();
        sb.AppendLine("Patient-level options");
        AppendTextOptions(sb, a.PatientOptions, "patient", shownOutcomes);
        if (CurativePlan(a) is { } plan)
        {
            sb.AppendLine("  " + PlanHeading);
            foreach (var p in plan)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"    {Plain(p.LesionId)}: {PlanLine(p)}");
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
            sb.AppendLine("Missing data: none that would change an eligibility.");
        }
        else
        {
            sb.AppendLine("Missing data that would change an eligibility");
            foreach (var m in a.MissingData)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"  - {Plain(m.Label)}: for {Plain(NeedsLine(m))}");
            }
        }

        return sb.ToString();
    }

    /// <summary>Each option in one line (rank, name, eligibility with the number of concerns), then its reasons,
    /// notes and outcome figures. Figures repeated from an earlier lesion are referred to, not printed again.</summary>
    private static void AppendTextOptions(StringBuilder sb, IReadOnlyList<TherapyOption> options, string owner, Dictionary<string, string> shownOutcomes)
    {
        var notesShown = new HashSet<string>(StringComparer.Ordinal);
        foreach (var o in options)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"  {o.Rank}. {OptionName(o)}: {EligibilityWords(o)}");
            foreach (var c in o.Criteria)
            {
                // A not-eligible option shows what excludes it; its lesser concerns would only add noise.
                if (c.Status != CriterionStatus.Met && (o.Eligibility != Eligibility.NotEligible || (c.Status == CriterionStatus.Failed && c.Severity == CriterionSeverity.Required)))
                {
                    sb.AppendLine(CultureInfo.InvariantCulture, $"       {Mark(c)} {Plain(c.Reason)}{Sources(c)}");
                }
            }

            if (o.Eligibility == Eligibility.NotEligible)
            {
                continue;
            }

            foreach (var n in o.Notes)
            {
                if (notesShown.Add(n))
                {
                    sb.AppendLine(CultureInfo.InvariantCulture, $"       Note: {Plain(n)}");
                }
            }

            if (o.ExpectedOutcomes.Count > 0)
            {
                var key = TherapyNames.ToJson(o.Therapy) + ":" + string.Join(",", o.ExpectedOutcomes.Select(e => e.Reference));
                if (shownOutcomes.TryGetValue(key, out var first))
                {
                    sb.AppendLine(CultureInfo.InvariantCulture, $"       Expected outcomes: as for {first}.");
                }
                else
                {
                    shownOutcomes[key] = $"{owner}, {TherapyNames.DisplayName(o.Therapy)}";
                    sb.AppendLine("       Expected outcomes (population; source, grade):");
                    foreach (var e in o.ExpectedOutcomes)
                    {
                        sb.AppendLine(CultureInfo.InvariantCulture, $"         {OutcomeLine(e)}");
                    }
                }
            }
        }

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
            sb.AppendLine(CultureInfo.InvariantCulture, $"- Warning: {Md(w.Path)}: {Md(w.Message)}");
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
        if (CurativePlan(a) is { } plan)
        {
            sb.AppendLine(PlanHeading);
            sb.AppendLine();
            foreach (var p in plan)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"- {Md(p.LesionId)}: {Md(PlanLine(p))}");
            }

            sb.AppendLine();
        }

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
            sb.AppendLine("None that would change an eligibility.");
        }

        foreach (var m in a.MissingData)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"- {Md(m.Label)}: for {Md(NeedsLine(m))}");
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
        sb.AppendLine("<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem;color:#222}table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}th{background:#f3f3f3}.eligible{color:#165d1a;font-weight:600}.caution{color:#8a5a00;font-weight:600}.not-eligible{color:#9b1c1c;font-weight:600}.unknown{color:#555;font-weight:600}.met{color:#165d1a}.failed{color:#9b1c1c}ul.criteria li.caution{color:#8a5a00}ul.criteria{margin:0;padding-left:1rem}.notice{background:#fff6db;padding:.5rem;border-left:4px solid #e0b000}@media print{body{margin:0;max-width:none}tr{break-inside:avoid}}</style>");
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
        if (CurativePlan(a) is { } plan)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"<p>{H(PlanHeading)}</p>");
            sb.AppendLine("<ul class=\"plan\">" + string.Concat(plan.Select(p => $"<li>{H(p.LesionId)}: {H(PlanLine(p))}</li>")) + "</ul>");
        }

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
            sb.AppendLine("<p>None that would change an eligibility.</p>");
        }
        else
        {
            sb.AppendLine("<p>Data that would change an eligibility:</p><table><tr><th>Data</th><th>Needed for</th></tr>");
            foreach (var m in a.MissingData)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"<tr><td>{H(m.Label)}</td><td>{H(string.Join("; ", m.Needs.Select(n => n.Describe()).Distinct()))}</td></tr>");
            }

            sb.AppendLine("</table>");
        }

        sb.AppendLine("</body></html>");
        return sb.ToString();
    }

    private static void AppendMarkdownOptions(StringBuilder sb, IReadOnlyList<TherapyOption> options)
    {
        sb.AppendLine("| # | Option | Eligibility | Why |");
        sb.AppendLine("|---|---|---|---|");
        foreach (var o in options)
        {
            var why = o.Criteria.Where(c => c.Status != CriterionStatus.Met
                && (o.Eligibility != Eligibility.NotEligible || (c.Status == CriterionStatus.Failed && c.Severity == CriterionSeverity.Required)))
                .Select(c => $"{Mark(c)} {c.Reason}").ToList();
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {o.Rank} | {Md(OptionName(o))} | **{Md(EligibilityWords(o))}** | {Md(why.Count == 0 ? "every criterion met" : string.Join("; ", why))} |");
        }

        sb.AppendLine();
        foreach (var o in options)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"**{Md(OptionName(o))}**: {Md(EligibilityWords(o))}");
            sb.AppendLine();
            foreach (var c in o.Criteria)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"- {Mark(c)} {Md(c.Reason)} ({Md(string.Join(", ", c.Definition.Evidence))})");
            }

            if (o.Eligibility != Eligibility.NotEligible)
            {
                foreach (var e in o.ExpectedOutcomes)
                {
                    sb.AppendLine(CultureInfo.InvariantCulture, $"- Expected: {Md(OutcomeLine(e))}");
                }

                foreach (var n in o.Notes)
                {
                    sb.AppendLine(CultureInfo.InvariantCulture, $"- Note: {Md(n)}");
                }
            }

            sb.AppendLine();
        }
    }

    private static void AppendHtmlOptions(StringBuilder sb, IReadOnlyList<TherapyOption> options)
    {
        sb.AppendLine("<table><tr><th>#</th><th>Option</th><th>Eligibility</th><th>Criteria</th><th>Expected outcomes and notes</th></tr>");
        foreach (var o in options)
        {
            var elig = TherapyNames.ToJson(o.Eligibility);
            sb.Append(CultureInfo.InvariantCulture, $"<tr><td>{o.Rank}</td><td>{H(OptionName(o))}</td><td class=\"{elig}\">{H(EligibilityWords(o))}</td><td><ul class=\"criteria\">");
            foreach (var c in o.Criteria)
            {
                var status = c.Status == CriterionStatus.Failed && c.Severity == CriterionSeverity.Advisory ? "caution" : TherapyNames.ToJson(c.Status);
                sb.Append(CultureInfo.InvariantCulture, $"<li class=\"{status}\" title=\"{H(c.Definition.Description)}\">{H(Mark(c))} {H(c.Reason)} <small>[{H(string.Join(", ", c.Definition.Evidence))}]</small></li>");
            }

            sb.Append("</ul></td><td><ul>");
            if (o.Eligibility != Eligibility.NotEligible)
            {
                foreach (var e in o.ExpectedOutcomes)
                {
                    sb.Append(CultureInfo.InvariantCulture, $"<li title=\"{H(e.Item.Citation.Text)}\">{H(OutcomeLine(e))}</li>");
                }

                foreach (var n in o.Notes)
                {
                    sb.Append(CultureInfo.InvariantCulture, $"<li><i>Note: {H(n)}</i></li>");
                }
            }

            sb.AppendLine("</ul></td></tr>");
        }

        sb.AppendLine("</table>");
    }

    private static string Sources(CriterionResult c) => c.Definition.Evidence.Count == 0 ? "" : $" [{string.Join(", ", c.Definition.Evidence)}]";

    /// <summary>The option's name with its setting in words (e.g. <c>HAIC (oxaliplatin rechallenge)</c>).</summary>
    public static string OptionName(TherapyOption o) =>
        TherapyNames.DisplayName(o.Therapy) + (o.Setting is null ? "" : $" ({o.Setting.Replace('-', ' ')})");

    /// <summary>The eligibility in words, with the number of advisory concerns behind a caution.</summary>
    public static string EligibilityWords(TherapyOption o) => o.Eligibility switch
    {
        Eligibility.Eligible => "eligible",
        Eligibility.Caution => o.AdvisoryFailures == 1 ? "caution (1 concern)" : $"caution ({o.AdvisoryFailures} concerns)",
        Eligibility.Unknown => "unknown (data missing)",
        _ => "not eligible",
    };

    /// <summary>A mark for a criterion: ✓ met, ! concern (advisory failure), ✗ excludes (required failure), ? unknown.</summary>
    public static string Mark(CriterionResult c) => c.Status switch
    {
        CriterionStatus.Met => "✓",
        CriterionStatus.Unknown => "?",
        _ => c.Severity == CriterionSeverity.Advisory ? "!" : "✗",
    };

    /// <summary>One outcome figure in words: label, value, population (when given), source and grade.</summary>
    public static string OutcomeLine(ExpectedOutcome e)
    {
        var population = e.Figure.Population ?? e.Item.Population;
        return $"{e.Figure.Label}: {e.Figure.Value}{Partly(e)}{(string.IsNullOrWhiteSpace(population) ? "" : "; " + population)}; {e.Item.ShortName} [{e.Item.Id}], {AssessmentJson.GradeName(e.Item.Grade)}";
    }

    private const string PlanHeading = "Combination for curative intent (usable local options per lesion, best first):";

    /// <summary>The per-lesion plan of curative-intent local treatment, shown in every format unless that option is not eligible.</summary>
    private static IReadOnlyList<LesionPlan>? CurativePlan(Assessment a)
    {
        var curative = a.PatientOptions.First(o => o.Therapy == Therapy.CurativeLocal);
        return curative.Eligibility != Eligibility.NotEligible ? curative.Plan : null;
    }

    private static string PlanLine(LesionPlan p)
    {
        var options = string.Join(", ", p.Options.Select(TherapyNames.DisplayName));
        return p.Status switch
        {
            "treatable" => options,
            "caution" => "only with caution: " + options,
            "sbrt-only" => "only by SBRT (curative role not established): " + options,
            "pending-data" => (p.Pending is { } needs ? "pending: needs " + needs : "pending data") + (p.Options.Count == 0 ? "" : "; usable so far: " + options),
            "palliative" => "goal set to palliation of pain: not part of a curative plan",
            _ => "no usable local option",
        };
    }

    private static string NeedsLine(MissingDataItem m)
    {
        var needs = m.Needs.Select(n => n.Describe()).Distinct().ToList();
        return needs.Count <= 3 ? string.Join("; ", needs) : string.Join("; ", needs.Take(3)) + $"; and {needs.Count - 3} more";
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

    private static string Partly(ExpectedOutcome e) =>
        e.Item.Verification == Evidence.Verification.PartlyVerified || e.Figure.Verification == Evidence.Verification.PartlyVerified ? " (partly verified)" : "";

    private static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    private static string H(string s) => WebUtility.HtmlEncode(Plain(s));

    /// <summary>Markdown cell text: HTML (a <c>&lt;script&gt;</c> in a case id) encoded, pipes escaped, control characters and line breaks made visible.</summary>
    internal static string Md(string s) => Plain(s).Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal).Replace("|", "\\|", StringComparison.Ordinal);

    /// <summary>
    /// Terminal-safe text: control characters (C0, DEL, C1, so ANSI escape sequences too) and line or paragraph
    /// separators are shown as <c>\uXXXX</c> instead of being sent to the terminal, where they could rewrite the screen.
    /// </summary>
    public static string Plain(string s)
    {
        var clean = true;
        foreach (var ch in s)
        {
            if (IsUnsafe(ch))
            {
                clean = false;
                break;
            }
        }

        if (clean)
        {
            return s;
        }

        var sb = new StringBuilder(s.Length + 16);
        foreach (var ch in s)
        {
            if (IsUnsafe(ch))
            {
                sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)ch:X4}");
            }
            else
            {
                sb.Append(ch);
            }
        }

        return sb.ToString();
    }

    private static bool IsUnsafe(char ch) => char.IsControl(ch) || ch is '\u2028' or '\u2029' or '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');
}
