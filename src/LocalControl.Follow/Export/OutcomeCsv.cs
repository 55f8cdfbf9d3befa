using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using LocalControl.Core.Cases;
using LocalControl.Follow.AblationOutcomes;

namespace LocalControl.Follow.Export;

/// <summary>How identifying data leave LocalControl in an export.</summary>
/// <param name="Key">Secret of the centre; the same key gives the same pseudonym and date shift for a case every time.</param>
public sealed record Pseudonymisation(string Key)
{
    /// <summary>Largest date shift in days, either way.</summary>
    public const int MaxShiftDays = 180;

    /// <summary>A stable pseudonym for a case id (HMAC-SHA256 of the id under the key, 16 hex digits).</summary>
    public string Pseudonym(string caseId) => "P-" + Convert.ToHexString(Hash(caseId))[..16].ToLowerInvariant();

    /// <summary>The case's date shift in days (−180 … +180, never 0): every date of one case moves together, so intervals stay exact.</summary>
    public int ShiftDays(string caseId)
    {
        var h = Hash("shift:" + caseId);
        var value = BitConverter.ToUInt32(h, 0) % (2 * MaxShiftDays);
        var shift = (int)value - MaxShiftDays;
        return shift >= 0 ? shift + 1 : shift;
    }

    private byte[] Hash(string text) => HMACSHA256.HashData(Encoding.UTF8.GetBytes(Key), Encoding.UTF8.GetBytes(text));
}

/// <summary>
/// The statisticians' table: one row per lesion × treatment (a lesion never treated has one row with empty treatment
/// columns; a patient-level treatment has one row with empty lesion columns). Columns are fixed and documented in
/// docs/follow.md; <see cref="Columns"/> is the header in order. Time-to-event columns are in months (days / 30.4375).
/// </summary>
public static class OutcomeCsv
{
    /// <summary>The header, in order (a contract: columns are only ever added at the end).</summary>
    public static readonly IReadOnlyList<string> Columns =
    [
        "caseId", "ageYears", "rasStatus", "lesionId", "organ", "location", "longestDiameterMm", "shortAxisMm",
        "sizeBand", "treatmentId", "treatmentDate", "therapy", "approach", "intent", "device", "technicalSuccess",
        "complicationGrade", "minimalAblativeMarginMm", "marginBand", "techniqueEfficacy", "ltpStatus", "ltpDate",
        "ltpEvent", "ltpMonths", "lastContactDate", "vitalStatus", "deathDate", "osEvent", "osMonths",
    ];

    /// <summary>Writes the table for the given cases.</summary>
    /// <param name="cases">Cases to export.</param>
    /// <param name="pseudonymisation">Null for identified data; else case ids become pseudonyms and dates are shifted per case (age is kept, there is no name or date of birth in a case file).</param>
    public static string Write(IEnumerable<MetastaticCase> cases, Pseudonymisation? pseudonymisation = null)
    {
        ArgumentNullException.ThrowIfNull(cases);
        var sb = new StringBuilder();
        sb.AppendJoin(',', Columns).Append("\r\n");
        foreach (var @case in cases)
        {
            foreach (var row in Rows(@case, pseudonymisation))
            {
                sb.AppendJoin(',', row.Select(Quote)).Append("\r\n");
            }
        }

        return sb.ToString();
    }

    private static IEnumerable<string?[]> Rows(MetastaticCase @case, Pseudonymisation? p)
    {
        var history = @case.FollowUp ?? new FollowUpHistory();
        var shift = p?.ShiftDays(@case.CaseId) ?? 0;
        var caseId = p?.Pseudonym(@case.CaseId) ?? @case.CaseId;
        var outcomes = AblationOutcomeEvaluator.Assess(@case);
        var start = history.Treatments.Count == 0 ? (DateOnly?)null : history.Treatments.Min(t => t.Date);
        var s = history.Survival;
        string? osEvent = null;
        double? osMonths = null;
        if (start is { } st && s is not null)
        {
            if (s.VitalStatus == VitalStatus.Dead && s.DeathDate is { } dd)
            {
                (osEvent, osMonths) = ("1", AblationOutcomeEvaluator.Months(st, dd));
            }
            else if (s.LastContactDate is { } lc && s.VitalStatus != VitalStatus.Dead)
            {
                (osEvent, osMonths) = ("0", AblationOutcomeEvaluator.Months(st, lc));
            }
        }

        string?[] Patient() =>
        [
            Date(s?.LastContactDate, shift), s is null || s.VitalStatus == VitalStatus.Unknown ? null : FollowUpVocabulary.ToJson(s.VitalStatus),
            Date(s?.DeathDate, shift), osEvent, Num(osMonths),
        ];

        string?[] Head(Lesion? l) =>
        [
            caseId, Num(@case.Patient.AgeYears), @case.Patient.RasStatus == MutationStatus.Unknown ? null : CaseVocabulary.ToJson(@case.Patient.RasStatus),
            l?.Id, l is null ? null : CaseVocabulary.ToJson(l.Organ), l?.Location, Num(l?.LongestDiameterMm), Num(l?.ShortAxisMm),
            l?.LongestDiameterMm is { } d ? (d < 30 ? "<30" : ">=30") : null,
        ];

        string?[] Treatment(Treatment t, string? lesionId)
        {
            var o = lesionId is null ? null : outcomes.FirstOrDefault(x => x.TreatmentId == t.Id && x.LesionId == lesionId);
            var ltp = o?.LocalTumourProgression;
            string? ltpEvent = ltp?.Status switch { Tristate.Yes => "1", Tristate.No => "0", _ => null };
            return
            [
                t.Id, Date(t.Date, shift), FollowUpVocabulary.ToJson(t.Therapy),
                t.Approach == TreatmentApproach.Unknown ? null : FollowUpVocabulary.ToJson(t.Approach),
                t.Intent == TreatmentGoal.Unknown ? null : FollowUpVocabulary.ToJson(t.Intent),
                t.Device, t.TechnicalSuccess is { } ts ? (ts ? "true" : "false") : null, Num(t.ComplicationGrade),
                Num(t.MinimalAblativeMarginMm), MarginBand(t.MinimalAblativeMarginMm),
                o is null ? null : FollowReport.ToJson(o.TechniqueEfficacy), ltp is null ? null : FollowReport.ToJson(ltp.Status),
                Date(ltp?.Date, shift), ltpEvent, Num(ltp?.Status == Tristate.Yes ? ltp.MonthsFromTreatment : ltp?.Status == Tristate.No ? ltp.FollowUpMonths : null),
            ];
        }

        string?[] NoTreatment() => new string?[15];

        foreach (var lesion in @case.Lesions)
        {
            var treatments = history.Treatments.Where(t => t.LesionIds.Contains(lesion.Id)).OrderBy(t => t.Date).ToList();
            if (treatments.Count == 0)
            {
                yield return [.. Head(lesion), .. NoTreatment(), .. Patient()];
            }

            foreach (var t in treatments)
            {
                yield return [.. Head(lesion), .. Treatment(t, lesion.Id), .. Patient()];
            }
        }

        foreach (var t in history.Treatments.Where(t => t.LesionIds.Count == 0).OrderBy(t => t.Date))
        {
            yield return [.. Head(null), .. Treatment(t, null), .. Patient()];
        }
    }

    /// <summary>Margin bands of the outcome literature: &lt; 5, 5–10, ≥ 10 mm.</summary>
    public static string? MarginBand(double? marginMm) => marginMm switch
    {
        null => null,
        < 5 => "<5",
        < 10 => "5-10",
        _ => ">=10",
    };

    private static string? Date(DateOnly? d, int shift) => d?.AddDays(shift).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string? Num(double? v) => v?.ToString("0.###", CultureInfo.InvariantCulture);

    private static string? Num(int? v) => v?.ToString(CultureInfo.InvariantCulture);

    private static string Quote(string? cell)
    {
        if (cell is null)
        {
            return "";
        }

        // Quote when needed (RFC 4180); a leading = + - @ is prefixed with ' so spreadsheets never run it as a formula.
        var safe = cell.Length > 0 && "=+-@".Contains(cell[0], StringComparison.Ordinal) && !double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out _) ? "'" + cell : cell;
        return safe.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + safe.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : safe;
    }
}
