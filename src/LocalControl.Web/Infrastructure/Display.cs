using System.Globalization;
using System.Text;

namespace LocalControl.Web.Infrastructure;

/// <summary>How values appear on the pages: units always shown, unknown always said.</summary>
public static class Display
{
    /// <summary>The word shown for a missing value. Never a default number.</summary>
    public const string Unknown = "unknown";

    /// <summary>A number with its unit, or "unknown".</summary>
    public static string Num(double? value, string unit = "") =>
        value is null ? Unknown : value.Value.ToString("0.##", CultureInfo.InvariantCulture) + (unit.Length > 0 ? " " + unit : "");

    /// <summary>An integer, or "unknown".</summary>
    public static string Num(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? Unknown;

    /// <summary>yes / no / unknown.</summary>
    public static string YesNo(bool? value) => value switch { true => "yes", false => "no", null => Unknown };

    /// <summary>A list, "none" when empty, "unknown" when null.</summary>
    public static string List(IEnumerable<string>? values)
    {
        if (values is null)
        {
            return Unknown;
        }
        var s = string.Join(", ", values);
        return s.Length == 0 ? "none" : s;
    }

    /// <summary>An ISO date or a dash.</summary>
    public static string Date(DateOnly? d) => d?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "—";

    /// <summary>An ISO date-time (UTC) to the minute.</summary>
    public static string Time(DateTime t) => t.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";

    /// <summary>The kebab-case contract name of an engine enum value: NotEligible → not-eligible, CurativeLocal → curative-local.</summary>
    public static string Kebab<T>(T value) where T : struct, Enum
    {
        var name = value.ToString();
        var sb = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var ch = name[i];
            if (char.IsUpper(ch) && i > 0)
            {
                sb.Append('-');
            }
            sb.Append(char.ToLowerInvariant(ch));
        }
        return sb.ToString();
    }
}
