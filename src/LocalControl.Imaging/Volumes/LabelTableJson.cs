using System.Globalization;
using System.Text.Json;
using LocalControl.Core;
using LocalControl.Core.IO;

namespace LocalControl.Imaging.Volumes;

/// <summary>
/// Reads a label table file: a JSON object mapping label values to role names, e.g. <c>{"1": "liver", "2": "tumour"}</c>;
/// a value may also be an object <c>{"role": "vessel", "name": "portal vein"}</c>. JSON hygiene as every input
/// (<see cref="StrictJson"/>): duplicate labels and invalid Unicode are refused.
/// </summary>
public static class LabelTableJson
{
    /// <summary>Parses the label table text <paramref name="json"/> read from <paramref name="path"/> (named in every message).</summary>
    /// <exception cref="LocalControlInputException">Malformed JSON, a key that is not a positive label, an unknown role.</exception>
    public static LabelTable Parse(string json, string path)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(path);
        using var document = StrictJson.Parse(json, path);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new LocalControlInputException($"{path}: the label table must be a JSON object mapping label values to roles, e.g. {{\"1\": \"liver\", \"2\": \"tumour\"}}.");
        }

        var table = new LabelTable();
        foreach (var property in root.EnumerateObject())
        {
            var key = property.Name;
            var value = property.Value;
            if (!int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var label) || label <= 0)
            {
                throw new LocalControlInputException($"{path}: \"{StrictJson.Shown(key)}\" is not a label value (a positive integer; 0 is background).");
            }

            string? roleName = null;
            string? name = null;
            if (value.ValueKind == JsonValueKind.String)
            {
                roleName = value.GetString();
            }
            else if (value.ValueKind == JsonValueKind.Object)
            {
                roleName = StringField(value, "role", path, key);
                name = StringField(value, "name", path, key);
            }
            else
            {
                throw new LocalControlInputException($"{path}: label {key} must be a role name or an object {{\"role\": …, \"name\": …}}, not {value.ValueKind.ToString().ToLowerInvariant()}.");
            }

            if (roleName is null || LabelRoles.Parse(roleName) is not { } role)
            {
                var known = string.Join(", ", Enum.GetValues<LabelRole>().Select(r => r.Name()));
                throw new LocalControlInputException($"{path}: label {key} has an unknown role \"{StrictJson.Shown(roleName ?? "")}\" (known: {known}).");
            }

            table.Set(new LabelEntry(label, name ?? roleName, role));
        }

        return table;
    }

    private static string? StringField(JsonElement o, string field, string path, string key)
    {
        if (!o.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return v.ValueKind == JsonValueKind.String ? v.GetString()
            : throw new LocalControlInputException($"{path}: label {key}.{field} must be a string, not {v.ValueKind.ToString().ToLowerInvariant()}.");
    }
}
