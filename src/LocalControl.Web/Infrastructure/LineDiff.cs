namespace LocalControl.Web.Infrastructure;

/// <summary>One line of a diff: kept (' '), removed ('-') or added ('+').</summary>
public readonly record struct DiffLine(char Kind, string Text);

/// <summary>
/// A line diff by longest common subsequence (exact, not a heuristic): what the case page shows between two versions
/// of a case file. Case files are a few hundred lines; inputs beyond <see cref="MaxLines"/> lines are shown whole,
/// removed then added, rather than spending quadratic time.
/// </summary>
public static class LineDiff
{
    /// <summary>Most lines per side compared line by line.</summary>
    public const int MaxLines = 4000;

    /// <summary>The diff from <paramref name="before"/> to <paramref name="after"/>.</summary>
    public static IReadOnlyList<DiffLine> Compute(IReadOnlyList<string> before, IReadOnlyList<string> after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var result = new List<DiffLine>(before.Count + after.Count);
        if (before.Count > MaxLines || after.Count > MaxLines)
        {
            result.AddRange(before.Select(l => new DiffLine('-', l)));
            result.AddRange(after.Select(l => new DiffLine('+', l)));
            return result;
        }
        int n = before.Count, m = after.Count;
        // lcs[i, j] = length of the LCS of before[i..] and after[j..], one flat array.
        var lcs = new int[(n + 1) * (m + 1)];
        for (var i = n - 1; i >= 0; i--)
        {
            for (var j = m - 1; j >= 0; j--)
            {
                lcs[i * (m + 1) + j] = string.Equals(before[i], after[j], StringComparison.Ordinal)
                    ? lcs[(i + 1) * (m + 1) + j + 1] + 1
                    : Math.Max(lcs[(i + 1) * (m + 1) + j], lcs[i * (m + 1) + j + 1]);
            }
        }
        int a = 0, b = 0;
        while (a < n && b < m)
        {
            if (string.Equals(before[a], after[b], StringComparison.Ordinal))
            {
                result.Add(new DiffLine(' ', before[a++]));
                b++;
            }
            else if (lcs[(a + 1) * (m + 1) + b] >= lcs[a * (m + 1) + b + 1])
            {
                result.Add(new DiffLine('-', before[a++]));
            }
            else
            {
                result.Add(new DiffLine('+', after[b++]));
            }
        }
        while (a < n)
        {
            result.Add(new DiffLine('-', before[a++]));
        }
        while (b < m)
        {
            result.Add(new DiffLine('+', after[b++]));
        }
        return result;
    }

    /// <summary>A case file as lines to compare: indented JSON (one field per line), or the text itself if it does not parse.</summary>
    public static IReadOnlyList<string> JsonLines(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        string text;
        try
        {
            text = System.Text.Json.Nodes.JsonNode.Parse(json)?.ToJsonString(Indented) ?? json;
        }
        catch (System.Text.Json.JsonException)
        {
            text = json;
        }
        return text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
    }

    private static readonly System.Text.Json.JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // shown HTML-encoded by Razor
    };
}
