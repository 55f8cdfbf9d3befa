using System.Globalization;
using System.Text.Json;
using LocalControl.Core.IO;

namespace LocalControl.Core.Cases;

/// <summary>
/// Reads and validates a case file (docs/case-format.md). It reports <b>every</b> problem with its JSON path
/// rather than stopping at the first, never fills a missing value with a default (absent or null = unknown),
/// rejects unknown enumerated values and absurd numbers, and warns where a value looks like the wrong unit.
/// </summary>
public static partial class CaseFileReader
{
    /// <summary>Largest accepted case-file text, in characters; anything bigger is not a case file.</summary>
    public const int MaxLength = 8 * 1024 * 1024;

    /// <summary>Longest diameter above which a lesion size is taken as a typing or unit error, in mm.</summary>
    public const double AbsurdDiameterMm = 300;

    /// <summary>Longest diameter under which a size probably was typed in centimetres, in mm.</summary>
    public const double SuspiciousDiameterMm = 2;

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Skip,
        MaxDepth = 64,
    };

    private static readonly HashSet<string> RootFields = ["caseId", "patient", "lesions", "$schema", "schemaVersion", "notes", "treatments", "followUps", "recistBaseline", "survival"];
    private static readonly HashSet<string> PatientFields =
    [
        "ageYears", "ecog", "rasStatus", "brafStatus", "msiStatus", "primary", "cea", "diseaseFreeIntervalMonths",
        "priorSystemicTherapy", "liver", "treatmentIntentPreference",
    ];

    private static readonly HashSet<string> PrimaryFields = ["site", "nodePositive", "resected"];
    private static readonly HashSet<string> LineFields = ["line", "regimen", "containsOxaliplatin", "bestResponse", "progressed"];
    private static readonly HashSet<string> LiverFields = ["futureLiverRemnantPercent", "cirrhosis", "bilirubinUmolL"];
    private static readonly HashSet<string> VisibilityFields = ["ultrasound", "ct", "mri", "cbct"];
    private static readonly HashSet<string> LesionFields =
    [
        "id", "organ", "location", "longestDiameterMm", "distanceToLargeVesselMm", "largeVesselCalibreMm",
        "distanceToHilumMm", "adjacentStructures", "visibility", "depthFromCapsuleMm", "surgicalAssessment",
        "priorLocalTreatment", "intent", "worstPainScore", "corticalErosion", "volumeMl", "longestAxialDiameterMm",
        "centroidMm", "measuredFields", "distanceToAnyVesselMm", "distancesMm", "source", "adjacencyNotAssessed", "shortAxisMm",
    ];

    private static readonly string[] OxaliplatinRegimens = ["oxaliplatin", "folfox", "xelox", "capox", "folfoxiri", "folfirinox", "flox"];

    /// <summary>Reads a case file from its JSON text.</summary>
    public static CaseReadResult Read(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var errors = new List<CaseProblem>();
        var warnings = new List<CaseProblem>();
        if (json.Length > MaxLength)
        {
            errors.Add(new("", $"the file is {json.Length} characters long; a case file is at most {MaxLength}"));
            return new(null, errors, warnings);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException ex)
        {
            errors.Add(new("", StrictJson.SyntaxError(ex)));
            return new(null, errors, warnings);
        }

        using (document)
        {
            // JSON hygiene before meaning: duplicate keys and invalid Unicode are refused, each at its path.
            var problems = StrictJson.Check(document.RootElement);
            if (problems.Count > 0)
            {
                errors.AddRange(problems.Select(p => new CaseProblem(p.Path, p.Message)));
                return new(null, errors, warnings);
            }

            var reader = new Reader(errors, warnings);
            var result = reader.ReadCase(document.RootElement);
            return new(errors.Count == 0 ? result : null, errors, warnings);
        }
    }

    private sealed partial class Reader(List<CaseProblem> errors, List<CaseProblem> warnings)
    {
        public MetastaticCase? ReadCase(JsonElement root)
        {
            if (root.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new("", "a case file must be a JSON object with caseId, patient and lesions"));
                return null;
            }

            WarnUnknown(root, "", RootFields);
            var caseId = String(root, "caseId", "");
            if (caseId is null)
            {
                if (!Has(root, "caseId"))
                {
                    errors.Add(new("caseId", "is required"));
                }
            }
            else if (caseId.Trim().Length == 0)
            {
                errors.Add(new("caseId", "must not be empty"));
            }

            var patient = Has(root, "patient") && root.GetProperty("patient").ValueKind != JsonValueKind.Null
                ? ReadPatient(root.GetProperty("patient"), "patient")
                : Patient.Unknown;

            var lesions = new List<Lesion>();
            if (!root.TryGetProperty("lesions", out var lesionArray) || lesionArray.ValueKind == JsonValueKind.Null)
            {
                errors.Add(new("lesions", "is required: list every known metastasis"));
            }
            else if (lesionArray.ValueKind != JsonValueKind.Array)
            {
                errors.Add(new("lesions", "must be an array"));
            }
            else
            {
                if (lesionArray.GetArrayLength() == 0)
                {
                    errors.Add(new("lesions", "must list at least one lesion"));
                }

                var seen = new Dictionary<string, int>(StringComparer.Ordinal);
                var index = 0;
                foreach (var element in lesionArray.EnumerateArray())
                {
                    var path = $"lesions[{index}]";
                    var lesion = ReadLesion(element, path);
                    if (lesion is not null)
                    {
                        if (seen.TryGetValue(lesion.Id, out var first))
                        {
                            errors.Add(new($"{path}.id", $"duplicate lesion id '{lesion.Id}' (also lesions[{first}].id)"));
                        }
                        else
                        {
                            seen[lesion.Id] = index;
                        }

                        lesions.Add(lesion);
                    }

                    index++;
                }
            }

            var followUp = ReadFollowUp(root, lesions);
            return caseId is null || patient is null ? null : new MetastaticCase(caseId.Trim(), patient, lesions) { FollowUp = followUp };
        }

        private Patient? ReadPatient(JsonElement e, string path)
        {
            if (!ExpectObject(e, path))
            {
                return null;
            }

            WarnUnknown(e, path, PatientFields);
            var age = Integer(e, "ageYears", path, 0, 120);
            if (age is < 18)
            {
                warnings.Add(new($"{path}.ageYears", $"{age} years: the evidence base concerns adults"));
            }

            return new Patient
            {
                AgeYears = age,
                Ecog = Integer(e, "ecog", path, 0, 4),
                RasStatus = Enum(e, "rasStatus", path, CaseVocabulary.Mutations) ?? MutationStatus.Unknown,
                BrafStatus = Enum(e, "brafStatus", path, CaseVocabulary.Mutations) ?? MutationStatus.Unknown,
                MsiStatus = Enum(e, "msiStatus", path, CaseVocabulary.Msi) ?? MsiStatus.Unknown,
                Primary = Object(e, "primary", path, ReadPrimary),
                CeaNgPerMl = Number(e, "cea", path, 0, 1_000_000, "ng/mL"),
                DiseaseFreeIntervalMonths = Number(e, "diseaseFreeIntervalMonths", path, 0, 600, "months"),
                PriorSystemicTherapy = ReadLines(e, path),
                Liver = Object(e, "liver", path, ReadLiver),
                TreatmentIntentPreference = Enum(e, "treatmentIntentPreference", path, CaseVocabulary.Intents),
            };
        }

        private PrimaryTumour ReadPrimary(JsonElement e, string path)
        {
            WarnUnknown(e, path, PrimaryFields);
            return new PrimaryTumour
            {
                Site = Enum(e, "site", path, CaseVocabulary.PrimarySites),
                NodePositive = Bool(e, "nodePositive", path),
                Resected = Bool(e, "resected", path),
            };
        }

        private LiverStatus ReadLiver(JsonElement e, string path)
        {
            WarnUnknown(e, path, LiverFields);
            var flr = Number(e, "futureLiverRemnantPercent", path, 0, 100, "%");
            if (flr is > 0 and < 1)
            {
                warnings.Add(new($"{path}.futureLiverRemnantPercent", $"{Format(flr.Value)} looks like a fraction, not a percentage (write 35 for 35%)"));
            }

            return new LiverStatus
            {
                FutureLiverRemnantPercent = flr,
                Cirrhosis = Bool(e, "cirrhosis", path),
                BilirubinUmolPerL = Number(e, "bilirubinUmolL", path, 0, 1500, "µmol/L"),
            };
        }

        private List<SystemicTherapyLine>? ReadLines(JsonElement parent, string parentPath)
        {
            if (!parent.TryGetProperty("priorSystemicTherapy", out var array) || array.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            var path = $"{parentPath}.priorSystemicTherapy";
            if (array.ValueKind != JsonValueKind.Array)
            {
                errors.Add(new(path, "must be an array of therapy lines (empty when treatment-naive)"));
                return null;
            }

            var lines = new List<SystemicTherapyLine>();
            var i = 0;
            foreach (var e in array.EnumerateArray())
            {
                var p = $"{path}[{i++}]";
                if (!ExpectObject(e, p))
                {
                    continue;
                }

                WarnUnknown(e, p, LineFields);
                var regimen = String(e, "regimen", p);
                var oxaliplatin = Bool(e, "containsOxaliplatin", p);
                if (oxaliplatin is null && regimen is not null)
                {
                    // Inferred from the regimen's name, and said so: never a silent default.
                    var inferred = OxaliplatinRegimens.Any(r => regimen.Contains(r, StringComparison.OrdinalIgnoreCase));
                    oxaliplatin = inferred ? true : null;
                    if (inferred)
                    {
                        warnings.Add(new($"{p}.containsOxaliplatin", $"not given; taken as true from the regimen '{regimen}'"));
                    }
                }

                lines.Add(new SystemicTherapyLine
                {
                    Line = Integer(e, "line", p, 1, 30),
                    Regimen = regimen,
                    ContainsOxaliplatin = oxaliplatin,
                    BestResponse = Enum(e, "bestResponse", p, CaseVocabulary.Responses) ?? BestResponse.Unknown,
                    Progressed = Bool(e, "progressed", p),
                });
            }

            return lines;
        }

        private Lesion? ReadLesion(JsonElement e, string path)
        {
            if (!ExpectObject(e, path))
            {
                return null;
            }

            WarnUnknown(e, path, LesionFields);
            var id = String(e, "id", path);
            if (id is null && !Has(e, "id"))
            {
                errors.Add(new($"{path}.id", "is required"));
            }
            else if (id is not null && id.Trim().Length == 0)
            {
                errors.Add(new($"{path}.id", "must not be empty"));
            }

            var organ = Enum(e, "organ", path, CaseVocabulary.Organs);
            if (organ is null && !Has(e, "organ", allowNull: false))
            {
                errors.Add(new($"{path}.organ", $"is required (one of {string.Join(", ", CaseVocabulary.Organs.Canonical)})"));
            }

            var diameter = Number(e, "longestDiameterMm", path, 0, AbsurdDiameterMm, "mm", minExclusive: true,
                maxHint: "a larger value is not a plausible metastasis; check the unit (mm)");
            if (diameter is > 0 and < SuspiciousDiameterMm)
            {
                warnings.Add(new($"{path}.longestDiameterMm", $"{Format(diameter.Value)} mm is very small: was it typed in centimetres? (30 mm = 3 cm)"));
            }

            var calibre = Number(e, "largeVesselCalibreMm", path, 0, 60, "mm", minExclusive: true);
            if (calibre is > 0 and < 3)
            {
                warnings.Add(new($"{path}.largeVesselCalibreMm", $"{Format(calibre.Value)} mm is below the 3 mm that defines a large vessel"));
            }

            var intent = Enum(e, "intent", path, CaseVocabulary.BoneIntents);
            var pain = Number(e, "worstPainScore", path, 0, 10, "points");
            if (organ is not null and not Organ.Bone && (intent is not null || pain is not null))
            {
                warnings.Add(new($"{path}.intent", "intent and worstPainScore are used for bone lesions only; kept but not assessed"));
            }

            var lesion = new Lesion
            {
                Id = id?.Trim() ?? "",
                Organ = organ ?? Organ.Other,
                Location = String(e, "location", path),
                LongestDiameterMm = diameter,
                DistanceToLargeVesselMm = Number(e, "distanceToLargeVesselMm", path, 0, 500, "mm"),
                LargeVesselCalibreMm = calibre,
                DistanceToHilumMm = Number(e, "distanceToHilumMm", path, 0, 500, "mm"),
                AdjacentStructures = ReadStructures(e, path),
                Visibility = Object(e, "visibility", path, ReadVisibility) ?? GuidanceVisibility.Unknown,
                DepthFromCapsuleMm = Number(e, "depthFromCapsuleMm", path, 0, 300, "mm"),
                SurgicalAssessment = Enum(e, "surgicalAssessment", path, CaseVocabulary.SurgicalAssessments) ?? SurgicalAssessment.NotAssessed,
                PriorLocalTreatment = String(e, "priorLocalTreatment", path),
                Intent = intent ?? BoneLesionIntent.NotAssessed,
                WorstPainScore = pain,
                CorticalErosion = Bool(e, "corticalErosion", path),
                VolumeMl = Number(e, "volumeMl", path, 0, 10_000, "mL"),
                LongestAxialDiameterMm = Number(e, "longestAxialDiameterMm", path, 0, AbsurdDiameterMm, "mm"),
                CentroidMm = ReadCentroid(e, path),
                MeasuredFields = ReadStringList(e, "measuredFields", path),
                DistanceToAnyVesselMm = Number(e, "distanceToAnyVesselMm", path, 0, 500, "mm"),
                DistancesMm = ReadDistances(e, path),
                MeasurementSourceJson = e.TryGetProperty("source", out var source) && source.ValueKind != JsonValueKind.Null ? source.GetRawText() : null,
                AdjacencyNotAssessed = ReadStringList(e, "adjacencyNotAssessed", path),
                ShortAxisMm = ReadShortAxis(e, path, organ),
            };
            return id is null || organ is null ? null : lesion;
        }

        private GuidanceVisibility ReadVisibility(JsonElement e, string path)
        {
            WarnUnknown(e, path, VisibilityFields);
            return new GuidanceVisibility
            {
                Ultrasound = Enum(e, "ultrasound", path, CaseVocabulary.Visibilities) ?? Visibility.NotAssessed,
                Ct = Enum(e, "ct", path, CaseVocabulary.Visibilities) ?? Visibility.NotAssessed,
                Mri = Enum(e, "mri", path, CaseVocabulary.Visibilities) ?? Visibility.NotAssessed,
                Cbct = Enum(e, "cbct", path, CaseVocabulary.Visibilities) ?? Visibility.NotAssessed,
            };
        }

        private List<string>? ReadStructures(JsonElement e, string path)
        {
            var list = ReadStringList(e, "adjacentStructures", path);
            if (list is null)
            {
                return null;
            }

            var result = new List<string>(list.Count);
            for (var i = 0; i < list.Count; i++)
            {
                var name = list[i].Trim().ToLowerInvariant();
                if (!CaseVocabulary.AdjacentStructures.Contains(name))
                {
                    errors.Add(new($"{path}.adjacentStructures[{i}]", $"unknown structure '{list[i]}' (one of {string.Join(", ", CaseVocabulary.AdjacentStructures)})"));
                    continue;
                }

                if (!result.Contains(name))
                {
                    result.Add(name);
                }
            }

            return result;
        }

        private List<double>? ReadCentroid(JsonElement e, string path)
        {
            if (!e.TryGetProperty("centroidMm", out var v) || v.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (v.ValueKind != JsonValueKind.Array || v.GetArrayLength() != 3 || v.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.Number))
            {
                errors.Add(new($"{path}.centroidMm", "must be an array of three numbers [x, y, z] in mm (LPS)"));
                return null;
            }

            return [.. v.EnumerateArray().Select(x => x.GetDouble())];
        }

        /// <summary>Measured distances per structure role (<c>distancesMm</c>): an object of name → mm ≥ 0.</summary>
        private Dictionary<string, double>? ReadDistances(JsonElement e, string path)
        {
            if (!e.TryGetProperty("distancesMm", out var v) || v.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (v.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new($"{path}.distancesMm", "must be an object of structure: distance in mm"));
                return null;
            }

            var result = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var p in v.EnumerateObject())
            {
                if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetDouble(out var d) || !double.IsFinite(d) || d < 0)
                {
                    errors.Add(new($"{path}.distancesMm.{p.Name}", "must be a distance in mm (a number ≥ 0)"));
                    continue;
                }

                result[p.Name] = d;
            }

            return result;
        }

        private List<string>? ReadStringList(JsonElement e, string name, string path)
        {
            if (!e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (v.ValueKind != JsonValueKind.Array)
            {
                errors.Add(new($"{path}.{name}", "must be an array of strings"));
                return null;
            }

            var list = new List<string>();
            var i = 0;
            foreach (var item in v.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String)
                {
                    errors.Add(new($"{path}.{name}[{i}]", "must be a string"));
                }
                else
                {
                    list.Add(item.GetString()!);
                }

                i++;
            }

            return list;
        }

        private T? Object<T>(JsonElement parent, string name, string parentPath, Func<JsonElement, string, T> read)
            where T : class
        {
            if (!parent.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            var path = $"{parentPath}.{name}";
            return ExpectObject(v, path) ? read(v, path) : null;
        }

        private bool ExpectObject(JsonElement e, string path)
        {
            if (e.ValueKind == JsonValueKind.Object)
            {
                return true;
            }

            errors.Add(new(path, $"must be an object, not {Describe(e)}"));
            return false;
        }

        private string? String(JsonElement parent, string name, string parentPath)
        {
            if (!parent.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (v.ValueKind != JsonValueKind.String)
            {
                errors.Add(new(Join(parentPath, name), $"must be a string, not {Describe(v)}"));
                return null;
            }

            return v.GetString();
        }

        private bool? Bool(JsonElement parent, string name, string parentPath)
        {
            if (!parent.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (v.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                return v.GetBoolean();
            }

            errors.Add(new(Join(parentPath, name), $"must be true or false, not {Describe(v)}"));
            return null;
        }

        private double? Number(JsonElement parent, string name, string parentPath, double min, double max, string unit,
            bool minExclusive = false, string? maxHint = null)
        {
            if (!parent.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            var path = Join(parentPath, name);
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out var x) || !double.IsFinite(x))
            {
                errors.Add(new(path, $"must be a number in {unit}, not {Describe(v)}"));
                return null;
            }

            if (minExclusive ? x <= min : x < min)
            {
                errors.Add(new(path, minExclusive ? $"must be > {Format(min)}" : $"must be ≥ {Format(min)}"));
                return null;
            }

            if (x > max)
            {
                errors.Add(new(path, $"must be ≤ {Format(max)} {unit}" + (maxHint is null ? "" : $": {maxHint}")));
                return null;
            }

            return x;
        }

        private int? Integer(JsonElement parent, string name, string parentPath, int min, int max)
        {
            if (!parent.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            var path = Join(parentPath, name);
            // A JSON integer is a number with no fractional part: 64.0 and 6.4e1 are 64 (as JSON Schema's "integer").
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out var d) || !double.IsFinite(d) || d != Math.Floor(d))
            {
                errors.Add(new(path, $"must be a whole number from {min} to {max}, not {Describe(v)}"));
                return null;
            }

            if (d < min || d > max)
            {
                errors.Add(new(path, $"must be from {min} to {max}"));
                return null;
            }

            return (int)d;
        }

        private T? Enum<T>(JsonElement parent, string name, string parentPath, VocabularyMap<T> map)
            where T : struct, System.Enum
        {
            if (!parent.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            var path = Join(parentPath, name);
            if (v.ValueKind != JsonValueKind.String)
            {
                errors.Add(new(path, $"must be one of {string.Join(", ", map.Canonical)}; not {Describe(v)}"));
                return null;
            }

            if (!map.TryParse(v.GetString()!, out var value))
            {
                errors.Add(new(path, $"unknown value '{StrictJson.Shown(v.GetString()!)}' (one of {string.Join(", ", map.Canonical)})"));
                return null;
            }

            return value;
        }

        private void WarnUnknown(JsonElement e, string path, HashSet<string> known)
        {
            foreach (var property in e.EnumerateObject())
            {
                if (!known.Contains(property.Name))
                {
                    warnings.Add(new(Join(path, property.Name), "unknown field, not used by the assessment (check its spelling)"));
                }
            }
        }

        private static bool Has(JsonElement e, string name, bool allowNull = true) =>
            e.TryGetProperty(name, out var v) && (allowNull || v.ValueKind != JsonValueKind.Null);

        private static string Join(string parent, string name) => parent.Length == 0 ? name : $"{parent}.{name}";

        private static string Describe(JsonElement v) => v.ValueKind switch
        {
            JsonValueKind.String => $"the text \"{Truncate(v.GetString()!)}\"",
            JsonValueKind.Number => $"the number {v.GetRawText()}",
            JsonValueKind.True or JsonValueKind.False => v.GetRawText(),
            JsonValueKind.Array => "an array",
            JsonValueKind.Object => "an object",
            _ => v.ValueKind.ToString().ToLowerInvariant(),
        };

        private static string Truncate(string s) => StrictJson.Shown(s);
    }

    internal static string Format(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
