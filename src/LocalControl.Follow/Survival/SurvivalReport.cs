using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace LocalControl.Follow.Survival;

/// <summary>The survival JSON contract (docs/follow.md) and a plain-text table.</summary>
public static class SurvivalReport
{
    /// <summary>Label of the single group when the table is not stratified.</summary>
    public const string AllGroup = "all";

    private static readonly JsonWriterOptions Options = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// <c>{ "groups": [ { "group", "n", "events", "medianTime", "curve": [ { "time", "atRisk", "events", "censored",
    /// "survival", "standardError", "lower95", "upper95" } ] } ], "logRank": { "chiSquare", "degreesOfFreedom", "pValue" } }</c>;
    /// plus <c>medianLower95</c>, <c>medianUpper95</c> and <c>confidenceInterval</c> per group, and observed/expected per
    /// group in <c>logRank</c>. Undefined values (median not reached, interval at survival 0, one group) are null.
    /// </summary>
    public static string Json(SurvivalAnalysisResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, Options))
        {
            w.WriteStartObject();
            w.WriteStartArray("groups");
            foreach (var g in result.Groups)
            {
                var c = g.Curve;
                w.WriteStartObject();
                w.WriteString("group", g.Group.Length == 0 ? AllGroup : g.Group);
                w.WriteNumber("n", c.N);
                w.WriteNumber("events", c.Events);
                Number(w, "medianTime", c.MedianTime);
                Number(w, "medianLower95", c.MedianLower95);
                Number(w, "medianUpper95", c.MedianUpper95);
                w.WriteString("confidenceInterval", c.Transform == ConfidenceIntervalTransform.Log ? "log" : "log-log");
                w.WriteStartArray("curve");
                foreach (var s in c.Steps)
                {
                    w.WriteStartObject();
                    w.WriteNumber("time", s.Time);
                    w.WriteNumber("atRisk", s.AtRisk);
                    w.WriteNumber("events", s.Events);
                    w.WriteNumber("censored", s.Censored);
                    w.WriteNumber("survival", s.Survival);
                    Number(w, "standardError", s.StandardError);
                    Number(w, "lower95", s.Lower95);
                    Number(w, "upper95", s.Upper95);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            if (result.LogRank is { } lr)
            {
                w.WriteStartObject("logRank");
                w.WriteNumber("chiSquare", lr.ChiSquare);
                w.WriteNumber("degreesOfFreedom", lr.DegreesOfFreedom);
                w.WriteNumber("pValue", lr.PValue);
                w.WriteStartArray("observed");
                foreach (var o in lr.Observed)
                {
                    w.WriteNumberValue(o);
                }

                w.WriteEndArray();
                w.WriteStartArray("expected");
                foreach (var e in lr.Expected)
                {
                    w.WriteNumberValue(e);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }
            else
            {
                w.WriteNull("logRank");
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>A table per group in the layout of R's <c>summary(survfit)</c> (event times only), then the log-rank test.</summary>
    public static string Text(SurvivalAnalysisResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var sb = new StringBuilder();
        foreach (var g in result.Groups)
        {
            var c = g.Curve;
            var median = c.MedianTime is { } m ? F(m) : "not reached";
            var ci = $"{(c.MedianLower95 is { } lo ? F(lo) : "NA")}–{(c.MedianUpper95 is { } hi ? F(hi) : "NA")}";
            sb.Append(CultureInfo.InvariantCulture, $"group {(g.Group.Length == 0 ? AllGroup : g.Group)}: n = {c.N}, events = {c.Events}, median {median} (95 % CI {ci})\n");
            sb.Append("    time  at risk  events  censored  survival  std.err  lower 95%  upper 95%\n");
            foreach (var s in c.Steps.Where(s => s.Events > 0))
            {
                sb.Append(CultureInfo.InvariantCulture, $"{F(s.Time),8} {s.AtRisk,8} {s.Events,7} {s.Censored,9} {s.Survival,9:0.0000} {Opt(s.StandardError),8} {Opt(s.Lower95),10} {Opt(s.Upper95),10}\n");
            }

            sb.Append(CultureInfo.InvariantCulture, $"    ({(c.Transform == ConfidenceIntervalTransform.Log ? "log" : "log-log")}-transformed Greenwood intervals; censored-only times omitted here, listed in JSON)\n\n");
        }

        if (result.LogRank is { } lr)
        {
            sb.Append(CultureInfo.InvariantCulture, $"log-rank: chi-square {lr.ChiSquare:0.0000} on {lr.DegreesOfFreedom} df, p = {lr.PValue:G4}\n");
        }

        return sb.ToString();
    }

    private static void Number(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static string Opt(double? v) => v is { } x ? x.ToString("0.0000", CultureInfo.InvariantCulture) : "NA";

    private static string F(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
}
