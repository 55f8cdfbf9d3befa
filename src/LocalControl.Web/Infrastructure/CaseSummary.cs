using System.Globalization;
using LocalControl.Core.Cases;
using LocalControl.Core.Engine;
using LocalControl.Core.Reporting;

namespace LocalControl.Web.Infrastructure;

/// <summary>One option of the summary: the engine's rank, name, eligibility in words and the reasons behind it.</summary>
/// <param name="Therapy">The therapy's JSON name (<c>mwa</c>).</param>
/// <param name="Rank">The engine's rank among the options of its list (1 = first in its order of presentation).</param>
/// <param name="Name">The option's name (with its setting).</param>
/// <param name="Eligibility">The engine's eligibility.</param>
/// <param name="Words">The eligibility in words (<c>caution (1 concern)</c>).</param>
/// <param name="Reasons">The engine's reasons: the concerns (advisory criteria failed) and unknowns, each a sentence with its
/// value and threshold; for an eligible option, how many criteria it met.</param>
/// <param name="MoreReasons">Reasons left out of <paramref name="Reasons"/> (shown in the full matrix).</param>
public sealed record SummaryOption(string Therapy, int Rank, string Name, Eligibility Eligibility, string Words, IReadOnlyList<string> Reasons, int MoreReasons);

/// <summary>One line of the leading options: a lesion (or the patient) and its leading options.</summary>
/// <param name="Owner">"L1" or "Patient".</param>
/// <param name="Anchor">The full matrix's anchor for it (<c>options-L1</c>, <c>options-patient</c>).</param>
/// <param name="Heading">The lesion in a few words (organ, location, size).</param>
/// <param name="Options">The options the engine lists as usable (eligible or eligible with caution), in its order.</param>
/// <param name="MoreUsable">Usable options left out (shown in the full matrix).</param>
/// <param name="NoneUsable">When no option is usable: the engine's first option with why (unknown: the data it needs), else null.</param>
public sealed record SummaryLine(string Owner, string Anchor, string Heading, IReadOnlyList<SummaryOption> Options, int MoreUsable, SummaryOption? NoneUsable);

/// <summary>
/// The case page's summary: the disease in one or two lines and the leading options with their reasons. "Leading" is the
/// engine's own word for usable: the options it assesses eligible or eligible with caution (the same set
/// <see cref="LesionPlan.Options"/> holds), in its order of presentation (<see cref="TherapyOption.Rank"/>, which the
/// engine says is never a recommendation). Nothing here ranks, filters by preference or chooses: the board decides.
/// </summary>
public static class CaseSummary
{
    /// <summary>At most this many options per line (the rest are counted and shown in the matrix below).</summary>
    public const int MaxOptionsPerLine = 3;

    /// <summary>At most this many reasons per option.</summary>
    public const int MaxReasonsPerOption = 2;

    /// <summary>At most this many lesion lines (a case with more says how many more are in the matrix).</summary>
    public const int MaxLesionLines = 6;

    /// <summary>The disease: age and ECOG, primary, RAS/BRAF/MSI, CEA and disease-free interval.</summary>
    public static string PatientLine(MetastaticCase @case)
    {
        ArgumentNullException.ThrowIfNull(@case);
        var p = @case.Patient;
        var primary = p.Primary?.Site is { } site ? CaseVocabulary.ToJson(site) : Display.Unknown;
        var primaryNotes = new List<string>();
        if (p.Primary?.NodePositive is { } node)
        {
            primaryNotes.Add(node ? "node-positive" : "node-negative");
        }
        if (p.Primary?.Resected is { } resected)
        {
            primaryNotes.Add(resected ? "resected" : "in place");
        }
        return $"{Display.Num(p.AgeYears)} years, ECOG {Display.Num(p.Ecog)} · primary {primary}{(primaryNotes.Count == 0 ? "" : " (" + string.Join(", ", primaryNotes) + ")")}"
            + $" · RAS {CaseVocabulary.ToJson(p.RasStatus)} · BRAF {CaseVocabulary.ToJson(p.BrafStatus)} · {Msi(p.MsiStatus)}"
            + $" · CEA {Display.Num(p.CeaNgPerMl, "ng/mL")} · DFI {Display.Num(p.DiseaseFreeIntervalMonths, "months")}";
    }

    // "MSS", "MSI-high", "MSI-low" say what they are; "unknown" alone would not.
    private static string Msi(MsiStatus status) => status == MsiStatus.Unknown ? "MSI unknown" : CaseVocabulary.DisplayName(status);

    /// <summary>The lesions by organ (the engine's disease summary) and the lines of prior systemic therapy.</summary>
    public static string DiseaseLine(MetastaticCase @case, DiseaseSummary disease)
    {
        ArgumentNullException.ThrowIfNull(@case);
        ArgumentNullException.ThrowIfNull(disease);
        var organs = string.Join(", ", disease.LesionsByOrgan.OrderBy(kv => kv.Key).Select(kv => $"{CaseVocabulary.ToJson(kv.Key)} {kv.Value}"));
        var extent = disease.LiverOnly ? "liver-only" : disease.ExtrahepaticDisease ? "extrahepatic disease" : "no liver disease";
        return $"{disease.LesionCount} lesion{(disease.LesionCount == 1 ? "" : "s")} ({organs}; {extent}; oligometastatic: {disease.Oligometastatic}) · {TherapyLines(@case.Patient.PriorSystemicTherapy)}";
    }

    /// <summary>The lines of prior systemic therapy in a few words: unknown, none, or each line's regimen, best response and progression.</summary>
    public static string TherapyLines(IReadOnlyList<SystemicTherapyLine>? lines)
    {
        if (lines is null)
        {
            return "prior systemic therapy unknown";
        }
        if (lines.Count == 0)
        {
            return "no prior systemic therapy";
        }
        var each = lines.Select(l =>
        {
            var notes = new List<string>();
            if (l.BestResponse != BestResponse.Unknown)
            {
                notes.Add(CaseVocabulary.ToJson(l.BestResponse).Replace('-', ' '));
            }
            if (l.Progressed is { } progressed)
            {
                notes.Add(progressed ? "progressed" : "not progressed");
            }
            var line = l.Line is { } n ? "L" + n.ToString(CultureInfo.InvariantCulture) + " " : "";
            return line + (l.Regimen ?? "regimen unknown") + (notes.Count == 0 ? "" : " (" + string.Join(", ", notes) + ")");
        });
        return $"{lines.Count} line{(lines.Count == 1 ? "" : "s")} of prior systemic therapy: {string.Join("; ", each)}";
    }

    /// <summary>The leading options of each lesion (at most <see cref="MaxLesionLines"/>) and of the patient.</summary>
    public static IReadOnlyList<SummaryLine> Leading(AssessedCase assessed)
    {
        ArgumentNullException.ThrowIfNull(assessed);
        var a = assessed.Assessment;
        var lines = new List<SummaryLine>(Math.Min(a.Lesions.Count, MaxLesionLines) + 1);
        for (var i = 0; i < a.Lesions.Count && i < MaxLesionLines; i++)
        {
            var la = a.Lesions[i];
            var lesion = assessed.Case.Lesions.FirstOrDefault(l => l.Id == la.LesionId);
            var heading = CaseVocabulary.ToJson(la.Organ)
                + (lesion?.Location is { Length: > 0 } loc ? ", " + loc : "")
                + (lesion?.LongestDiameterMm is { } d ? ", " + Display.Num(d, "mm") : ", size unknown");
            lines.Add(Line(la.LesionId, "options-" + la.LesionId, heading, la.Options));
        }
        lines.Add(Line("Patient", "options-patient", "patient-level strategies", a.PatientOptions));
        return lines;
    }

    /// <summary>Lesions assessed but not shown in <see cref="Leading"/> (the matrix below has them).</summary>
    public static int LesionsNotShown(AssessedCase assessed) => Math.Max(0, (assessed?.Assessment.Lesions.Count ?? 0) - MaxLesionLines);

    private static SummaryLine Line(string owner, string anchor, string heading, IReadOnlyList<TherapyOption> options)
    {
        // The engine's order (its Rank); the usable ones are those it assesses eligible or eligible with caution.
        var ordered = options.OrderBy(o => o.Rank).ToList();
        var usable = ordered.Where(o => o.Eligibility is Eligibility.Eligible or Eligibility.Caution).ToList();
        if (usable.Count == 0)
        {
            return new SummaryLine(owner, anchor, heading, [], 0, ordered.Count == 0 ? null : Option(ordered[0]));
        }
        return new SummaryLine(owner, anchor, heading, usable.Take(MaxOptionsPerLine).Select(Option).ToList(), Math.Max(0, usable.Count - MaxOptionsPerLine), null);
    }

    private static SummaryOption Option(TherapyOption o)
    {
        // The reasons the engine gives that are not "met": for a usable option its concerns and unknowns; for a
        // not-eligible one only what excludes it (as the CLI's text report and the PDF show them).
        var reasons = o.Criteria.Where(c => c.Status != CriterionStatus.Met
                && (o.Eligibility != Eligibility.NotEligible || (c.Status == CriterionStatus.Failed && c.Severity == CriterionSeverity.Required)))
            .Select(c => AssessmentText.Mark(c) + " " + AssessmentText.Plain(c.Reason)).ToList();
        if (reasons.Count == 0)
        {
            var met = o.Criteria.Count(c => c.Status == CriterionStatus.Met);
            reasons.Add(met == 0 ? "no criterion in the rule set" : $"✓ all {met} criteri{(met == 1 ? "on" : "a")} met");
        }
        return new SummaryOption(TherapyNames.ToJson(o.Therapy), o.Rank, AssessmentText.OptionName(o), o.Eligibility, AssessmentText.EligibilityWords(o),
            reasons.Take(MaxReasonsPerOption).ToList(), Math.Max(0, reasons.Count - MaxReasonsPerOption));
    }
}

/// <summary>What the summary partial (<c>Pages/Cases/_Summary.cshtml</c>) shows: the case page's and the print view's.</summary>
/// <param name="CaseId">The case.</param>
/// <param name="Identity">The identity as the user may see it.</param>
/// <param name="IdentityError">Why the identity cannot be shown (the key ring cannot decrypt it), or null.</param>
/// <param name="Assessed">The assessment; null when the stored file does not read.</param>
/// <param name="Decisions">The decisions, newest first (the summary shows the first).</param>
/// <param name="CanDecide">Whether the user may record a decision (a link when there is none).</param>
/// <param name="ForPrint">Printed: no links to the matrix on the page.</param>
public sealed record CaseSummaryView(string CaseId, IdentityView Identity, string? IdentityError, AssessedCase? Assessed,
    IReadOnlyList<LocalControl.Registry.Entities.DecisionRecord> Decisions, bool CanDecide, bool ForPrint = false);
