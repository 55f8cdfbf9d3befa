using System.Globalization;
using System.Text;
using System.Text.Json;

namespace LocalControl.Core.IO;

/// <summary>A JSON problem below the syntax level, at a JSON path (e.g. <c>patient.primary.site</c>, <c>lesions[2].id</c>).</summary>
/// <param name="Path">Where, in the case-file path style; empty for the root.</param>
/// <param name="Message">What is wrong.</param>
public sealed record JsonProblem(string Path, string Message);

/// <summary>
/// The JSON hygiene every LocalControl JSON input gets (case files, label tables, rule-set overrides): a duplicate
/// key is refused naming both occurrences (never last-wins), a string with an unpaired UTF-16 surrogate
/// (<c>"\ud800"</c>) is refused as invalid Unicode (never an exception), syntax errors are reported as
/// "line L, column C: what" without .NET's suffixes, and echoed values are shortened and made printable.
/// </summary>
public static class StrictJson
{
    /// <summary>Longest value echoed in a message, in characters.</summary>
    public const int MaxEchoedLength = 40;

    /// <summary>Reader options shared by the JSON inputs: comments skipped, no trailing commas, at most 64 levels deep.</summary>
    public static JsonDocumentOptions Options { get; } = new() { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 64 };

    /// <summary>Parses <paramref name="json"/> and checks it (<see cref="Check"/>).</summary>
    /// <exception cref="LocalControlInputException">Malformed JSON or a hygiene problem; the message starts with <paramref name="sourceName"/>.</exception>
    public static JsonDocument Parse(string json, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, Options);
        }
        catch (JsonException ex)
        {
            throw new LocalControlInputException($"{sourceName}: {SyntaxError(ex)}", ex);
        }

        var problems = Check(document.RootElement, 1);
        if (problems.Count > 0)
        {
            document.Dispose();
            var p = problems[0];
            throw new LocalControlInputException(p.Path.Length == 0 ? $"{sourceName}: {p.Message}" : $"{sourceName}: {p.Path}: {p.Message}");
        }

        return document;
    }

    /// <summary>Throws the first problem <see cref="Check"/> finds in <paramref name="root"/>, naming <paramref name="sourceName"/>.</summary>
    /// <exception cref="LocalControlInputException">A duplicate key or an invalid string.</exception>
    public static void ThrowIfUnsound(JsonElement root, string sourceName)
    {
        var problems = Check(root, 1);
        if (problems.Count > 0)
        {
            var p = problems[0];
            throw new LocalControlInputException(p.Path.Length == 0 ? $"{sourceName}: {p.Message}" : $"{sourceName}: {p.Path}: {p.Message}");
        }
    }

    /// <summary>"malformed JSON at line L, column C: what", from a <see cref="JsonException"/>, without .NET's suffixes.</summary>
    public static string SyntaxError(JsonException ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        var line = (ex.LineNumber ?? 0) + 1;
        var column = (ex.BytePositionInLine ?? 0) + 1;
        return string.Create(CultureInfo.InvariantCulture, $"malformed JSON at line {line}, column {column}: {CleanMessage(ex.Message)}");
    }

    /// <summary>A .NET JSON message without "Path: … | LineNumber: … | BytePositionInLine: …" and "Change the reader options."</summary>
    public static string CleanMessage(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var m = message;
        foreach (var marker in new[] { " Path:", " LineNumber:", " | LineNumber", " BytePositionInLine" })
        {
            var cut = m.IndexOf(marker, StringComparison.Ordinal);
            if (cut >= 0)
            {
                m = m[..cut];
            }
        }

        m = m.Replace(" Change the reader options.", "", StringComparison.Ordinal).Replace("Change the reader options.", "", StringComparison.Ordinal).Trim();
        return m.Length == 0 ? "invalid JSON." : m;
    }

    /// <summary>
    /// Finds duplicate keys and strings that are not valid Unicode anywhere under <paramref name="root"/>, each with its
    /// path; stops after <paramref name="maxProblems"/>.
    /// </summary>
    public static IReadOnlyList<JsonProblem> Check(JsonElement root, int maxProblems = 20)
    {
        var problems = new List<JsonProblem>();
        var pending = new Stack<(JsonElement Element, string Path)>();
        pending.Push((root, ""));
        while (pending.Count > 0 && problems.Count < maxProblems)
        {
            var (e, path) = pending.Pop();
            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                {
                    var seen = new Dictionary<string, int>(StringComparer.Ordinal);
                    var index = 0;
                    foreach (var property in e.EnumerateObject())
                    {
                        index++;
                        if (!IsValidText(property, out var name))
                        {
                            problems.Add(new JsonProblem(path, $"a key holds an unpaired UTF-16 surrogate ({name}), which is not valid Unicode text."));
                            continue;
                        }

                        var childPath = path.Length == 0 ? name : $"{path}.{name}";
                        if (seen.TryGetValue(name, out var first))
                        {
                            problems.Add(new JsonProblem(path, string.Create(CultureInfo.InvariantCulture,
                                $"the key \"{Shown(name)}\" appears twice (entries {first} and {index} of this object); remove one: which is meant cannot be guessed.")));
                            continue;
                        }

                        seen[name] = index;
                        pending.Push((property.Value, childPath));
                    }

                    break;
                }

                case JsonValueKind.Array:
                {
                    var i = 0;
                    var children = new List<(JsonElement, string)>();
                    foreach (var item in e.EnumerateArray())
                    {
                        children.Add((item, string.Create(CultureInfo.InvariantCulture, $"{path}[{i++}]")));
                    }

                    for (var n = children.Count - 1; n >= 0; n--)
                    {
                        pending.Push(children[n]);
                    }

                    break;
                }

                case JsonValueKind.String:
                    if (!IsValidString(e, out var raw))
                    {
                        problems.Add(new JsonProblem(path, $"the text {raw} holds an unpaired UTF-16 surrogate, which is not valid Unicode text."));
                    }

                    break;
                default:
                    break;
            }
        }

        return problems;
    }

    /// <summary>A value for a message: at most <see cref="MaxEchoedLength"/> characters, control characters shown as escapes.</summary>
    public static string Shown(string value, int maxLength = MaxEchoedLength)
    {
        ArgumentNullException.ThrowIfNull(value);
        var sb = new StringBuilder(Math.Min(value.Length, maxLength) + 8);
        foreach (var rune in value.EnumerateRunes())
        {
            if (sb.Length >= maxLength)
            {
                sb.Append('…');
                break;
            }

            if (Rune.IsControl(rune))
            {
                sb.Append(string.Create(CultureInfo.InvariantCulture, $"\\u{rune.Value:x4}"));
            }
            else
            {
                sb.Append(rune.ToString());
            }
        }

        return sb.ToString();
    }

    private static bool IsValidText(JsonProperty property, out string name)
    {
        try
        {
            name = property.Name;
            return !HasLoneSurrogate(name);
        }
        catch (InvalidOperationException)
        {
            name = Shown(property.ToString().Split(':')[0]);
            return false;
        }
    }

    private static bool IsValidString(JsonElement e, out string raw)
    {
        raw = "";
        try
        {
            var s = e.GetString() ?? "";
            if (!HasLoneSurrogate(s))
            {
                return true;
            }
        }
        catch (InvalidOperationException)
        {
        }

        var text = e.GetRawText();
        raw = text.Length > MaxEchoedLength + 2 ? text[..(MaxEchoedLength + 1)] + "…\"" : text;
        return false;
    }

    private static bool HasLoneSurrogate(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]))
            {
                if (i + 1 >= s.Length || !char.IsLowSurrogate(s[i + 1]))
                {
                    return true;
                }

                i++;
            }
            else if (char.IsLowSurrogate(s[i]))
            {
                return true;
            }
        }

        return false;
    }
}
