using System.Globalization;
using LocalControl.Core.Cases;
using LocalControl.Core.Engine;
using LocalControl.Core.Reporting;
using LocalControl.Registry.Entities;
using LocalControl.Web.Infrastructure;
using PdfSharp.Drawing;
using PdfSharp.Fonts;
using PdfSharp.Pdf;

namespace LocalControl.Web.Reporting;

/// <summary>
/// The printable tumour-board summary as a PDF (PDFsharp): case, lesions, the options per lesion and for the patient
/// with the criteria that failed or are unknown, the data to collect, and the latest decision. A4, flowing text with
/// page breaks; every page names the case, the rule set and the page number.
/// </summary>
public static class PdfSummary
{
    private static readonly Lock FontLock = new();
    private static bool _fontsSet;

    /// <summary>Installs the font resolver once per process; false if the fonts are missing.</summary>
    public static bool EnsureFonts(string folder)
    {
        lock (FontLock)
        {
            if (_fontsSet)
            {
                return true;
            }
            if (!DejaVuFontResolver.Available(folder))
            {
                return false;
            }
            GlobalFontSettings.FontResolver = new DejaVuFontResolver(folder);
            _fontsSet = true;
            return true;
        }
    }

    /// <summary>Renders the summary. Call <see cref="EnsureFonts"/> first.</summary>
    /// <param name="record">The case.</param>
    /// <param name="assessed">Its assessment; null when the stored file does not read.</param>
    /// <param name="latest">The latest decision, if any.</param>
    /// <param name="printedBy">User name.</param>
    /// <param name="printedUtc">When.</param>
    /// <param name="identity">The patient identity as the user may see it (printed under the title and in every page's
    /// footer); null leaves the identity out (the golden test's summary). Never in the document's metadata.</param>
    /// <param name="signOffs">The attendees' sign-offs of <paramref name="latest"/>; null for none.</param>
    public static byte[] Render(CaseRecord record, AssessedCase? assessed, DecisionRecord? latest, string printedBy, DateTime printedUtc, IdentityView? identity = null, IReadOnlyList<DecisionSignOff>? signOffs = null)
    {
        ArgumentNullException.ThrowIfNull(record);
        using var document = new PdfDocument();
        document.Info.Title = $"Tumour-board summary {record.CaseId}";
        document.Info.Creator = "LocalControl";
        var who = identity is { Recorded: true } ? $" · {identity.Name} · MRN {identity.Mrn}" : "";
        var w = new Writer(document, $"Case {record.CaseId}{who} · rule set {assessed?.Assessment.RuleSetVersion ?? "n/a"}");

        w.Heading($"Tumour-board summary — case {record.CaseId}", 16);
        if (identity is not null)
        {
            w.Text("Patient: " + identity.Line, bold: true);
        }
        w.Text($"Status {record.Status.ToLabel()} · meeting {Display.Date(record.MeetingDate)} · case version {record.Version} · printed {Display.Time(printedUtc)} by {printedBy}");
        w.Gap();

        // The decision first (as on the case page's summary), then what it was based on.
        Decision(w, latest, signOffs);
        w.Gap();
        if (assessed is null)
        {
            w.Text("The stored case file does not pass validation with this engine version; no options can be shown.");
        }
        else
        {
            var c = assessed.Case;
            var p = c.Patient;
            w.Heading("Patient", 12);
            w.Text($"Age {Display.Num(p.AgeYears)} years · ECOG {Display.Num(p.Ecog)} · RAS {CaseVocabulary.ToJson(p.RasStatus)} · BRAF {CaseVocabulary.ToJson(p.BrafStatus)} · MSI {CaseVocabulary.DisplayName(p.MsiStatus)}");
            w.Text($"Primary {(p.Primary?.Site is { } site ? CaseVocabulary.ToJson(site) : Display.Unknown)}, node-positive {Display.YesNo(p.Primary?.NodePositive)}, resected {Display.YesNo(p.Primary?.Resected)} · CEA {Display.Num(p.CeaNgPerMl, "ng/mL")} · disease-free interval {Display.Num(p.DiseaseFreeIntervalMonths, "months")}");
            w.Text($"Liver: FLR {Display.Num(p.Liver?.FutureLiverRemnantPercent, "%")}, cirrhosis {Display.YesNo(p.Liver?.Cirrhosis)}, bilirubin {Display.Num(p.Liver?.BilirubinUmolPerL, "µmol/L")}");
            if (p.PriorSystemicTherapy is { Count: > 0 } lines)
            {
                foreach (var line in lines)
                {
                    w.Text($"Line {Display.Num(line.Line)}: {line.Regimen ?? Display.Unknown}; best response {CaseVocabulary.ToJson(line.BestResponse)}; progressed {Display.YesNo(line.Progressed)}", indent: 12);
                }
            }
            w.Gap();
            w.Heading("Lesions", 12);
            foreach (var l in c.Lesions)
            {
                w.Text($"{l.Id} · {CaseVocabulary.ToJson(l.Organ)} · {l.Location ?? Display.Unknown} · {Display.Num(l.LongestDiameterMm, "mm")} · vessel {Display.Num(l.DistanceToLargeVesselMm, "mm")} (calibre {Display.Num(l.LargeVesselCalibreMm, "mm")}) · adjacent {Display.List(l.AdjacentStructures)} · surgery {CaseVocabulary.ToJson(l.SurgicalAssessment)}");
            }
            w.Gap();
            var a = assessed.Assessment;
            w.Heading("Options", 12);
            w.Text("✓ met · ! concern · ✗ excludes · ? unknown. The engine ranks and explains; the board decides.", size: 8);
            var shownOutcomes = new Dictionary<string, string>(StringComparer.Ordinal);
            var notesShown = new HashSet<string>(StringComparer.Ordinal);
            foreach (var lesion in a.Lesions)
            {
                w.Text($"Lesion {lesion.LesionId} ({CaseVocabulary.ToJson(lesion.Organ)})", bold: true);
                Options(w, lesion.Options, $"lesion {lesion.LesionId}", shownOutcomes, notesShown);
            }
            w.Text("Patient-level options", bold: true);
            Options(w, a.PatientOptions, "patient", shownOutcomes, notesShown);
            w.Gap();
            w.Heading("Missing data to collect", 12);
            if (a.MissingData.Count == 0)
            {
                w.Text("None that would change an eligibility.");
            }
            else
            {
                // One flowing paragraph: each field with how many criteria need it, starred when it can change an
                // eligibility (the case page lists which criteria).
                static string Item(MissingDataItem m) => $"{m.Label}{(m.ChangesEligibility ? "*" : "")} ({m.Needs.Count.ToString(CultureInfo.InvariantCulture)})";
                w.Text("* can change an eligibility; (n) criteria that need it.", indent: 12, size: 8);
                w.Text(string.Join("; ", a.MissingData.Select(Item)) + ".", indent: 12, size: 8.5);
            }
        }
        w.Gap();
        w.Text("Decision support only: the options are provisional until the multidisciplinary team validates them.", size: 8);
        w.Finish();
        using var stream = new MemoryStream();
        document.Save(stream, closeStream: false);
        return stream.ToArray();
    }

    /// <summary>The latest decision: meeting and intent, the strategies, the attendees and their sign-off, the rationale;
    /// who recorded it and what it was based on last.</summary>
    private static void Decision(Writer w, DecisionRecord? latest, IReadOnlyList<DecisionSignOff>? signOffs)
    {
        w.Heading("Latest MDT decision", 12);
        if (latest is null)
        {
            w.Text("No decision recorded yet.");
        }
        else
        {
            // The decision first and plainly (as on the case page): meeting and intent, the strategies, the attendees and
            // their sign-off, the rationale; who recorded it and what it was based on last.
            w.Text($"Meeting {Display.Date(latest.MeetingDate)} · {latest.Intent} intent");
            var content = Registry.DecisionContent.Parse(latest.ChoicesJson);
            for (var i = 0; i < content.Strategies.Count; i++)
            {
                var s = content.Strategies[i];
                var intent = s.Intent is null || s.Intent == latest.Intent ? "" : $" ({s.Intent} intent)";
                var label = content.Strategies.Count > 1 ? $"Strategy {i + 1}{intent}: " : intent.Length > 0 ? intent.Trim() + ": " : "";
                w.Text(label + DecisionText.Strategy(s), indent: 12, bold: true);
            }
            if (content.Strategies.Count == 0)
            {
                w.Text("No strategy chosen.", indent: 12);
            }
            if (content.Rediscuss && !content.Strategies.Any(s => s.Steps.Any(t => t.Therapy == Registry.DecisionActions.Rediscuss)))
            {
                w.Text("Re-discuss at the next meeting.", indent: 12);
            }
            if (content.Attendees.Count > 0)
            {
                w.Text("Attendees:");
                foreach (var a in content.Attendees)
                {
                    var signed = signOffs?.FirstOrDefault(x => x.DecisionId == latest.Id && x.UserName == a.UserName);
                    w.Text($"{a.DisplayName}, {a.Discipline}: {(signed is null ? "not signed off" : "signed off " + Display.Time(signed.SignedUtc))}", indent: 12);
                }
                if (content.Guests is { Length: > 0 } guests)
                {
                    w.Text("Guests: " + guests, indent: 12);
                }
            }
            else
            {
                w.Text("Attendees: " + latest.Attendees);
            }
            w.Text("Rationale: " + latest.Rationale);
            w.Text($"Recorded by {latest.RecordedBy} {Display.Time(latest.RecordedUtc)} · rule set {latest.RuleSetVersion} · case version {latest.CaseVersion}", size: 8);
        }
    }

    /// <summary>Each option with its eligibility in words; then, in one flowing paragraph, the reasons that are not met
    /// (✗ excludes, ! concern, ? unknown: a sentence with the value, unit and threshold, and its sources); its notes
    /// (each once in the document); and its outcome figures, each on its line, or "as for …" when an earlier lesion's option
    /// printed the same figures (as the CLI's text report does).</summary>
    private static void Options(Writer w, IReadOnlyList<TherapyOption> options, string owner, Dictionary<string, string> shownOutcomes, HashSet<string> notesShown)
    {
        foreach (var o in options)
        {
            w.Text($"{o.Rank}. {AssessmentText.OptionName(o)}: {AssessmentText.EligibilityWords(o)}", indent: 12);
            var reasons = o.Criteria.Where(c => c.Status != CriterionStatus.Met
                && (o.Eligibility != Eligibility.NotEligible || (c.Status == CriterionStatus.Failed && c.Severity == CriterionSeverity.Required)))
                .Select(c => $"{AssessmentText.Mark(c)} {AssessmentText.Plain(c.Reason)}{(c.Definition.Evidence.Count == 0 ? "" : $" [{string.Join(", ", c.Definition.Evidence)}]")}").ToList();
            if (reasons.Count > 0)
            {
                w.Text(string.Join("   ", reasons), indent: 28, size: 8);
            }

            if (o.Eligibility == Eligibility.NotEligible)
            {
                continue;
            }

            foreach (var n in o.Notes.Where(notesShown.Add))
            {
                w.Text("Note: " + AssessmentText.Plain(n), indent: 28, size: 8);
            }

            if (o.ExpectedOutcomes.Count == 0)
            {
                continue;
            }
            var key = TherapyNames.ToJson(o.Therapy) + ":" + string.Join(",", o.ExpectedOutcomes.Select(e => e.Reference));
            if (shownOutcomes.TryGetValue(key, out var first))
            {
                w.Text($"Expected outcomes: as for {first}.", indent: 28, size: 8);
                continue;
            }
            shownOutcomes[key] = $"{owner}, {TherapyNames.DisplayName(o.Therapy)}";
            foreach (var e in o.ExpectedOutcomes)
            {
                w.Text("Expected: " + AssessmentText.OutcomeLine(e), indent: 28, size: 8);
            }
        }
    }

    /// <summary>Flowing text over A4 pages.</summary>
    private sealed class Writer
    {
        private const double Margin = 36;
        private readonly PdfDocument _document;
        private readonly string _footer;
        private readonly List<PdfPage> _pages = [];
        private XGraphics? _g;
        private double _y;

        public Writer(PdfDocument document, string footer)
        {
            _document = document;
            _footer = footer;
            NewPage();
        }

        private double Width => _pages[^1].Width.Point - 2 * Margin;

        private double Bottom => _pages[^1].Height.Point - Margin - 12;

        public void Heading(string text, double size) => Text(text, size: size, bold: true, gapAfter: 4);

        public void Gap() => _y += 6;

        public void Text(string text, double indent = 0, double size = 9, bool bold = false, double gapAfter = 1)
        {
            var font = new XFont("DejaVu Sans", size, bold ? XFontStyleEx.Bold : XFontStyleEx.Regular);
            var lineHeight = size * (size < 9 ? 1.25 : 1.35);
            foreach (var line in Wrap(AssessmentText.Plain(text), font, Width - indent))
            {
                if (_y + lineHeight > Bottom)
                {
                    NewPage();
                }
                _g!.DrawString(line, font, XBrushes.Black, new XPoint(Margin + indent, _y + size));
                _y += lineHeight;
            }
            _y += gapAfter;
        }

        public void Finish()
        {
            _g?.Dispose();
            var font = new XFont("DejaVu Sans", 7.5, XFontStyleEx.Regular);
            for (var i = 0; i < _pages.Count; i++)
            {
                using var g = XGraphics.FromPdfPage(_pages[i], XGraphicsPdfPageOptions.Append);
                var text = $"{_footer} · page {(i + 1).ToString(CultureInfo.InvariantCulture)} of {_pages.Count.ToString(CultureInfo.InvariantCulture)}";
                g.DrawString(text, font, XBrushes.Gray, new XPoint(Margin, _pages[i].Height.Point - Margin + 10));
            }
        }

        private void NewPage()
        {
            _g?.Dispose();
            var page = _document.AddPage();
            page.Size = PdfSharp.PageSize.A4;
            _pages.Add(page);
            _g = XGraphics.FromPdfPage(page);
            _y = Margin;
        }

        private IEnumerable<string> Wrap(string text, XFont font, double width)
        {
            foreach (var paragraph in text.Replace("\r", "", StringComparison.Ordinal).Split('\n'))
            {
                var line = "";
                foreach (var word in paragraph.Split(' '))
                {
                    var candidate = line.Length == 0 ? word : line + " " + word;
                    if (line.Length > 0 && _g!.MeasureString(candidate, font).Width > width)
                    {
                        yield return line;
                        line = word;
                    }
                    else
                    {
                        line = candidate;
                    }
                    // A single word wider than the line (a long id or URL): cut it.
                    while (_g!.MeasureString(line, font).Width > width && line.Length > 1)
                    {
                        var cut = line.Length - 1;
                        while (cut > 1 && _g.MeasureString(line[..cut], font).Width > width)
                        {
                            cut--;
                        }
                        yield return line[..cut];
                        line = line[cut..];
                    }
                }
                yield return line;
            }
        }
    }
}
