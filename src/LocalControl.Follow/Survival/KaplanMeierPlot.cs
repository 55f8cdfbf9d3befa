using System.Globalization;
using ScottPlot;
using SkiaSharp;

namespace LocalControl.Follow.Survival;

/// <summary>A published figure drawn beside a centre's own curve (e.g. lung RFA 5-year overall survival 56.0 %).</summary>
/// <param name="Time">Time of the figure, in the plot's time unit.</param>
/// <param name="Survival">Published survival or control rate, 0–1.</param>
/// <param name="Citation">Short citation shown beside the point (e.g. "de Baere 2015").</param>
public sealed record PublishedFigure(double Time, double Survival, string Citation);

/// <summary>
/// Draws Kaplan–Meier curves as a PNG or SVG: step curves, shaded pointwise 95 % bands, censoring ticks, the number
/// at risk per group under the time axis (as clinical journals require), the log-rank p and any published figures as
/// points with their citations. Pure: curves in, bytes out.
/// </summary>
public static class KaplanMeierPlot
{
    private const int RowHeightPx = 20;
    private const int LeftPaddingPx = 150;

    private static readonly Color[] Palette =
    [
        Color.FromHex("#1f77b4"), Color.FromHex("#d62728"), Color.FromHex("#2ca02c"), Color.FromHex("#9467bd"),
        Color.FromHex("#ff7f0e"), Color.FromHex("#8c564b"), Color.FromHex("#e377c2"), Color.FromHex("#7f7f7f"),
    ];

    /// <summary>Renders the analysis as a PNG.</summary>
    /// <param name="analysis">Curves (and log-rank) to draw.</param>
    /// <param name="timeLabel">Axis label with its unit (e.g. "Months from ablation").</param>
    /// <param name="title">Plot title.</param>
    /// <param name="published">Published figures to draw as points; may be empty.</param>
    /// <param name="widthPx">Image width.</param>
    /// <param name="heightPx">Image height including the number-at-risk table.</param>
    public static byte[] Png(SurvivalAnalysisResult analysis, string timeLabel, string title, IReadOnlyList<PublishedFigure>? published = null, int widthPx = 900, int heightPx = 640)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        var tableHeight = RowHeightPx * (analysis.Groups.Count + 1) + 10;
        var plot = Build(analysis, timeLabel, title, published ?? [], tableHeight);
        var info = new SKImageInfo(widthPx, heightPx);
        using var surface = SKSurface.Create(info);
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        plot.Render(canvas, widthPx, heightPx);
        DrawAtRiskTable(canvas, plot, analysis, Ticks(MaxTime(analysis, published ?? [])), heightPx - tableHeight);
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>Renders the curves as SVG (the number at risk is written under the axis as tick labels).</summary>
    public static string Svg(SurvivalAnalysisResult analysis, string timeLabel, string title, IReadOnlyList<PublishedFigure>? published = null, int widthPx = 900, int heightPx = 640)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        var plot = Build(analysis, timeLabel, title, published ?? [], tableHeight: 0);
        var ticks = Ticks(MaxTime(analysis, published ?? []));
        var labels = ticks.Select(t => Format(t) + "\n" + string.Join("\n", analysis.Groups.Select(g => AtRisk(g.Curve, t).ToString(CultureInfo.InvariantCulture)))).ToArray();
        plot.Axes.Bottom.SetTicks(ticks, labels);
        plot.Layout.Default();
        return plot.GetSvgXml(widthPx, heightPx);
    }

    /// <summary>Subjects at risk just before <paramref name="time"/>: those whose time is ≥ it.</summary>
    public static int AtRisk(KaplanMeierCurve curve, double time)
    {
        ArgumentNullException.ThrowIfNull(curve);
        foreach (var step in curve.Steps)
        {
            if (step.Time >= time)
            {
                return step.AtRisk;
            }
        }

        return 0;
    }

    private static Plot Build(SurvivalAnalysisResult analysis, string timeLabel, string title, IReadOnlyList<PublishedFigure> published, int tableHeight)
    {
        var plot = new Plot();
        var maxTime = MaxTime(analysis, published);
        for (var g = 0; g < analysis.Groups.Count; g++)
        {
            var group = analysis.Groups[g];
            var color = Palette[g % Palette.Length];
            var (xs, ys, lo, hi) = StepArrays(group.Curve, maxTime);
            var band = plot.Add.FillY(xs, lo, hi);
            band.FillColor = color.WithAlpha(0.18);
            band.LineWidth = 0;
            var line = plot.Add.ScatterLine(xs, ys, color);
            line.LineWidth = 2;
            line.LegendText = Legend(group);
            var censoredX = group.Curve.Steps.Where(s => s.Censored > 0).Select(s => s.Time).ToArray();
            var censoredY = group.Curve.Steps.Where(s => s.Censored > 0).Select(s => s.Survival).ToArray();
            if (censoredX.Length > 0)
            {
                plot.Add.Markers(censoredX, censoredY, MarkerShape.VerticalBar, 8, color);
            }
        }

        foreach (var figure in published)
        {
            plot.Add.Marker(figure.Time, figure.Survival, MarkerShape.FilledDiamond, 10, Colors.Black);
            var text = plot.Add.Text($"{figure.Survival * 100:0.0} % ({figure.Citation})", figure.Time, figure.Survival);
            text.LabelFontSize = 11;
            // Labels in the right half of the axis go to the left of their point, so they stay inside the plot.
            var rightHalf = figure.Time > maxTime / 2;
            text.LabelAlignment = rightHalf ? Alignment.LowerRight : Alignment.LowerLeft;
            text.OffsetX = rightHalf ? -6 : 6;
        }

        var p = analysis.LogRank?.PValue;
        plot.Title(p is { } pv ? $"{title}    log-rank {FormatP(pv)}" : title);
        plot.XLabel(timeLabel);
        plot.YLabel("Survival probability");
        plot.Axes.SetLimits(0, maxTime <= 0 ? 1 : maxTime * 1.02, 0, 1.02);
        var ticks = Ticks(maxTime);
        plot.Axes.Bottom.SetTicks(ticks, [.. ticks.Select(Format)]);
        double[] yTicks = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];
        plot.Axes.Left.SetTicks(yTicks, [.. yTicks.Select(Format)]);
        plot.ShowLegend(Alignment.UpperRight);
        if (tableHeight > 0)
        {
            plot.Layout.Fixed(new PixelPadding(LeftPaddingPx, 30, 60 + tableHeight, 40));
        }

        return plot;
    }

    private static void DrawAtRiskTable(SKCanvas canvas, Plot plot, SurvivalAnalysisResult analysis, double[] ticks, float top)
    {
        using var typeface = SKTypeface.FromFamilyName("DejaVu Sans") ?? SKTypeface.Default;
        using var font = new SKFont(typeface, 13);
        using var bold = new SKFont(typeface, 13) { Embolden = true };
        using var paint = new SKPaint { IsAntialias = true, Color = SKColors.Black };
        canvas.DrawText("Number at risk", 10, top + RowHeightPx - 4, SKTextAlign.Left, bold, paint);
        for (var g = 0; g < analysis.Groups.Count; g++)
        {
            var group = analysis.Groups[g];
            var c = Palette[g % Palette.Length];
            using var groupPaint = new SKPaint { IsAntialias = true, Color = new SKColor(c.R, c.G, c.B) };
            var y = top + (RowHeightPx * (g + 2)) - 4;
            canvas.DrawText(Truncate(group.Group.Length == 0 ? "all" : group.Group), 10, y, SKTextAlign.Left, font, groupPaint);
            foreach (var t in ticks)
            {
                var x = plot.GetPixel(new Coordinates(t, 0)).X;
                canvas.DrawText(AtRisk(group.Curve, t).ToString(CultureInfo.InvariantCulture), x, y, SKTextAlign.Center, font, groupPaint);
            }
        }
    }

    /// <summary>End of the time axis: the last time of any curve or published figure.</summary>
    private static double MaxTime(SurvivalAnalysisResult analysis, IReadOnlyList<PublishedFigure> published) =>
        Math.Max(analysis.Groups.Max(g => g.Curve.Steps.Count == 0 ? 0 : g.Curve.Steps[^1].Time), published.Count == 0 ? 0 : published.Max(p => p.Time));

    /// <summary>Ticks at a round step over the whole axis, shared by the axis and the number-at-risk table.</summary>
    private static double[] Ticks(double maxTime)
    {
        if (maxTime <= 0)
        {
            return [0];
        }

        var raw = maxTime / 8;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = new[] { 1, 2, 2.5, 5, 10 }.Select(f => f * magnitude).First(s => s >= raw);
        var count = (int)Math.Floor(maxTime / step) + 1;
        return [.. Enumerable.Range(0, count).Select(i => i * step)];
    }

    /// <summary>Points of the right-continuous step function, doubled at each step so a straight-line plot draws steps.</summary>
    private static (double[] X, double[] Y, double[] Lower, double[] Upper) StepArrays(KaplanMeierCurve curve, double maxTime)
    {
        var xs = new List<double> { 0 };
        var ys = new List<double> { 1 };
        var lo = new List<double> { 1 };
        var hi = new List<double> { 1 };
        double s = 1, l = 1, h = 1;
        foreach (var step in curve.Steps.Where(x => x.Events > 0))
        {
            xs.Add(step.Time);
            ys.Add(s);
            lo.Add(l);
            hi.Add(h);
            s = step.Survival;
            l = step.Lower95 ?? 0;
            h = step.Upper95 ?? 0;
            xs.Add(step.Time);
            ys.Add(s);
            lo.Add(l);
            hi.Add(h);
        }

        var end = curve.Steps.Count == 0 ? maxTime : curve.Steps[^1].Time;
        xs.Add(end);
        ys.Add(s);
        lo.Add(l);
        hi.Add(h);
        return ([.. xs], [.. ys], [.. lo], [.. hi]);
    }

    private static string Legend(SurvivalGroup group)
    {
        var name = group.Group.Length == 0 ? "all" : group.Group;
        var median = group.Curve.MedianTime is { } m ? Format(m) : "not reached";
        return $"{name} (n = {group.Curve.N}, events {group.Curve.Events}, median {median})";
    }

    private static string Truncate(string s) => s.Length <= 18 ? s : s[..17] + "…";

    private static string Format(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    internal static string FormatP(double p) => p < 0.0001 ? "p < 0.0001" : "p = " + p.ToString("0.0000", CultureInfo.InvariantCulture);
}
