using System.Globalization;

namespace LocalControl.Web.Infrastructure;

/// <summary>The case page's patient-identity form as posted (text, so that the form, not model binding, words the messages).</summary>
public sealed class IdentityForm
{
    /// <summary>Medical record number as typed.</summary>
    public string? Mrn { get; set; }

    /// <summary>Family name.</summary>
    public string? FamilyName { get; set; }

    /// <summary>Given name(s).</summary>
    public string? GivenNames { get; set; }

    /// <summary>Date of birth, yyyy-MM-dd.</summary>
    public string? BirthDate { get; set; }

    /// <summary>Sex code (empty: not recorded).</summary>
    public string? Sex { get; set; }

    /// <summary>Earliest date of birth accepted.</summary>
    public static readonly DateOnly EarliestBirthDate = new(1900, 1, 1);

    /// <summary>The form prefilled from a stored identity.</summary>
    public static IdentityForm From(PatientIdentity? identity) => identity is null ? new IdentityForm() : new IdentityForm
    {
        Mrn = identity.Mrn,
        FamilyName = identity.FamilyName,
        GivenNames = identity.GivenNames,
        BirthDate = identity.BirthDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        Sex = identity.Sex,
    };

    /// <summary>
    /// Checks every field; the messages (by form field name, e.g. <c>Identity.BirthDate</c>) never repeat the value typed.
    /// Blank fields are "not recorded". <paramref name="today"/> is the server's date (UTC).
    /// </summary>
    public PatientIdentity? Validate(DateOnly today, Dictionary<string, List<string>> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        void Error(string field, string message) => (errors.TryGetValue(field, out var l) ? l : errors[field] = []).Add(message);
        string? mrn = null;
        try
        {
            mrn = PatientIdentityProtector.NormaliseMrn(Mrn);
        }
        catch (ArgumentException e)
        {
            Error("Identity.Mrn", "MRN " + e.Message);
        }
        var family = Name(FamilyName, "Identity.FamilyName", "family name", Error);
        var given = Name(GivenNames, "Identity.GivenNames", "given names", Error);
        DateOnly? birth = null;
        if (!string.IsNullOrWhiteSpace(BirthDate))
        {
            if (!DateOnly.TryParseExact(BirthDate.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
            {
                Error("Identity.BirthDate", "date of birth must be a date yyyy-mm-dd");
            }
            else if (d > today)
            {
                Error("Identity.BirthDate", $"date of birth is in the future (today is {today:yyyy-MM-dd})");
            }
            else if (d < EarliestBirthDate)
            {
                Error("Identity.BirthDate", $"date of birth must be {EarliestBirthDate:yyyy-MM-dd} or later");
            }
            else
            {
                birth = d;
            }
        }
        string? sex = null;
        if (!string.IsNullOrWhiteSpace(Sex))
        {
            sex = Sex.Trim();
            if (!PatientIdentity.SexCodes.Contains(sex))
            {
                Error("Identity.Sex", "sex must be one of " + string.Join(", ", PatientIdentity.SexCodes) + " (or blank: not recorded)");
                sex = null;
            }
        }
        return errors.Count > 0 ? null : new PatientIdentity(mrn, family, given, birth, sex);
    }

    // Trimmed, inner white space collapsed; at most 100 characters, no control characters. Kept as typed otherwise (no
    // Unicode normalisation: the app runs in invariant-globalization mode).
    private static string? Name(string? typed, string field, string label, Action<string, string> error)
    {
        if (string.IsNullOrWhiteSpace(typed))
        {
            return null;
        }
        var collapsed = string.Join(' ', typed.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (collapsed.Any(char.IsControl))
        {
            error(field, label + " must not contain control characters");
            return null;
        }
        if (collapsed.Length > PatientIdentityProtector.MaxNameLength)
        {
            error(field, $"{label} must be at most {PatientIdentityProtector.MaxNameLength} characters");
            return null;
        }
        return collapsed;
    }
}
