using System.Globalization;
using System.Text.Json;

namespace LocalControl.Core.Cases;

/// <summary>Reads the follow-up part of a case file (issue 13; docs/follow.md): treatments, follow-ups, RECIST baseline, survival.</summary>
public static partial class CaseFileReader
{
    /// <summary>Most target lesions in all (RECIST 1.1).</summary>
    public const int RecistMaxTargets = 5;

    /// <summary>Most target lesions per organ (RECIST 1.1).</summary>
    public const int RecistMaxTargetsPerOrgan = 2;

    /// <summary>Smallest measurable non-nodal lesion, longest diameter in mm (CT/MRI, RECIST 1.1).</summary>
    public const double RecistMeasurableMm = 10;

    /// <summary>Smallest pathological (measurable) lymph node, short axis in mm (RECIST 1.1).</summary>
    public const double RecistMeasurableNodeShortAxisMm = 15;

    private static readonly string[] FollowUpRootFields = ["treatments", "followUps", "recistBaseline", "survival"];
    private static readonly HashSet<string> TreatmentFields =
    [
        "id", "date", "therapy", "lesionIds", "approach", "intent", "device", "setting", "regimen", "technicalSuccess",
        "complicationGrade", "minimalAblativeMarginMm", "notes",
    ];

    private static readonly HashSet<string> FollowUpFields = ["date", "modality", "lesions", "newLesions", "notes"];
    private static readonly HashSet<string> FindingFields = ["lesionId", "longestDiameterMm", "shortAxisMm", "status", "ablationZone", "unequivocalProgression"];
    private static readonly HashSet<string> ZoneFields = ["enhancingTissue", "adjacentToZone", "diameterMm"];
    private static readonly HashSet<string> NewLesionFields = ["organ", "location", "size"];
    private static readonly HashSet<string> BaselineFields = ["date", "targetLesionIds", "nonTargetLesionIds"];
    private static readonly HashSet<string> SurvivalFields = ["lastContactDate", "vitalStatus", "deathDate"];

    private sealed partial class Reader
    {
        private double? ReadShortAxis(JsonElement e, string path, Organ? organ)
        {
            var shortAxis = Number(e, "shortAxisMm", path, 0, AbsurdDiameterMm, "mm", minExclusive: true);
            if (shortAxis is { } sa && e.TryGetProperty("longestDiameterMm", out var ld) && ld.ValueKind == JsonValueKind.Number && ld.GetDouble() < sa)
            {
                errors.Add(new($"{path}.shortAxisMm", $"{Format(sa)} mm is longer than the longest diameter {ld.GetRawText()} mm"));
            }

            if (shortAxis is not null && organ is not null and not Organ.LymphNode)
            {
                warnings.Add(new($"{path}.shortAxisMm", "RECIST 1.1 measures the short axis of lymph nodes only; kept, not used for this lesion"));
            }

            return shortAxis;
        }

        private FollowUpHistory? ReadFollowUp(JsonElement root, IReadOnlyList<Lesion> lesions)
        {
            if (root.ValueKind != JsonValueKind.Object || !FollowUpRootFields.Any(f => Has(root, f, allowNull: false)))
            {
                return null;
            }

            var known = lesions.Where(l => l.Id.Length > 0).GroupBy(l => l.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            var treatments = Array(root, "treatments", "", (e, p) => ReadTreatment(e, p, known));
            var ids = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < treatments.Count; i++)
            {
                if (treatments[i] is { } t && !ids.TryAdd(t.Id, i))
                {
                    errors.Add(new($"treatments[{i}].id", $"duplicate treatment id '{t.Id}' (also treatments[{ids[t.Id]}].id)"));
                }
            }

            var validTreatments = treatments.OfType<Treatment>().ToList();
            var followUps = Array(root, "followUps", "", (e, p) => ReadStudy(e, p, known, validTreatments));
            var baseline = RootObject(root, "recistBaseline", (e, p) => ReadBaseline(e, p, known, validTreatments));
            var survival = RootObject(root, "survival", (e, p) => ReadSurvival(e, p, validTreatments, followUps.OfType<FollowUpStudy>().ToList()));
            return new FollowUpHistory
            {
                Treatments = validTreatments,
                FollowUps = followUps.OfType<FollowUpStudy>().ToList(),
                RecistBaseline = baseline,
                Survival = survival,
            };
        }

        private Treatment? ReadTreatment(JsonElement e, string path, Dictionary<string, Lesion> known)
        {
            WarnUnknown(e, path, TreatmentFields);
            var id = Required(String(e, "id", path), e, "id", path);
            var date = Date(e, "date", path, required: true);
            var therapy = Enum(e, "therapy", path, FollowUpVocabulary.Therapies);
            if (therapy is null && !Has(e, "therapy", allowNull: false))
            {
                errors.Add(new($"{path}.therapy", $"is required (one of {string.Join(", ", FollowUpVocabulary.Therapies.Canonical)})"));
            }

            var lesionIds = LesionIds(e, "lesionIds", path, known) ?? [];
            if (therapy is { } th && lesionIds.Count == 0 && th is TreatmentKind.Rfa or TreatmentKind.Mwa or TreatmentKind.Cryoablation or TreatmentKind.Ire or TreatmentKind.Resection or TreatmentKind.Sbrt)
            {
                errors.Add(new($"{path}.lesionIds", $"{FollowUpVocabulary.ToJson(th)} treats named lesions: list their ids"));
            }

            var treatment = new Treatment
            {
                Id = id ?? "",
                Date = date ?? default,
                Therapy = therapy ?? TreatmentKind.Systemic,
                LesionIds = lesionIds,
                Approach = Enum(e, "approach", path, FollowUpVocabulary.Approaches) ?? TreatmentApproach.Unknown,
                Intent = Enum(e, "intent", path, FollowUpVocabulary.Goals) ?? TreatmentGoal.Unknown,
                Device = String(e, "device", path),
                Setting = String(e, "setting", path),
                Regimen = String(e, "regimen", path),
                TechnicalSuccess = Bool(e, "technicalSuccess", path),
                ComplicationGrade = Integer(e, "complicationGrade", path, 1, 6),
                MinimalAblativeMarginMm = Number(e, "minimalAblativeMarginMm", path, -50, 100, "mm"),
            };
            return id is null || date is null || therapy is null ? null : treatment;
        }

        private FollowUpStudy? ReadStudy(JsonElement e, string path, Dictionary<string, Lesion> known, List<Treatment> treatments)
        {
            WarnUnknown(e, path, FollowUpFields);
            var date = Date(e, "date", path, required: true);
            if (date is { } d && treatments.Count > 0 && treatments.MinBy(t => t.Date) is { } first && d < first.Date)
            {
                errors.Add(new($"{path}.date", $"{Iso(d)} is before the first treatment {first.Id} ({Iso(first.Date)}): a follow-up follows a treatment (the pre-treatment study is recistBaseline.date)"));
            }

            var findings = Array(e, "lesions", path, (f, p) => ReadFinding(f, p, known, treatments, date));
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < findings.Count; i++)
            {
                if (findings[i] is { } f && !seen.TryAdd(f.LesionId, i))
                {
                    errors.Add(new($"{path}.lesions[{i}].lesionId", $"lesion '{f.LesionId}' is reported twice in this follow-up (also {path}.lesions[{seen[f.LesionId]}])"));
                }
            }

            var study = new FollowUpStudy
            {
                Date = date ?? default,
                Modality = Enum(e, "modality", path, FollowUpVocabulary.Modalities) ?? ImagingModality.Unknown,
                Lesions = findings.OfType<LesionFinding>().ToList(),
                NewLesions = Array(e, "newLesions", path, ReadNewLesion).OfType<NewLesion>().ToList(),
            };
            return date is null ? null : study;
        }

        private LesionFinding? ReadFinding(JsonElement e, string path, Dictionary<string, Lesion> known, List<Treatment> treatments, DateOnly? date)
        {
            WarnUnknown(e, path, FindingFields);
            var id = Required(String(e, "lesionId", path), e, "lesionId", path);
            if (id is not null && !known.ContainsKey(id))
            {
                errors.Add(new($"{path}.lesionId", $"unknown lesion '{id}' (the case's lesions are {string.Join(", ", known.Keys)}); a lesion first seen on follow-up goes in newLesions"));
                id = null;
            }

            var status = Enum(e, "status", path, FollowUpVocabulary.Presences);
            if (status is null && !Has(e, "status", allowNull: false))
            {
                errors.Add(new($"{path}.status", $"is required (one of {string.Join(", ", FollowUpVocabulary.Presences.Canonical)})"));
            }

            var longest = Number(e, "longestDiameterMm", path, 0, AbsurdDiameterMm, "mm");
            var shortAxis = Number(e, "shortAxisMm", path, 0, AbsurdDiameterMm, "mm");
            if (status == LesionPresence.Absent && (longest is > 0 || (shortAxis is > 0 && known.GetValueOrDefault(id ?? "")?.Organ != Organ.LymphNode)))
            {
                errors.Add(new($"{path}.status", "is 'absent' but a size above 0 mm is given"));
            }

            var zone = Object(e, "ablationZone", path, ReadZone);
            if (zone is not null && id is not null && date is { } d && !treatments.Any(t => t.IsAblation && t.LesionIds.Contains(id) && t.Date <= d))
            {
                errors.Add(new($"{path}.ablationZone", $"lesion '{id}' has no ablation dated on or before this follow-up ({Iso(d)}): check the dates of treatments and follow-ups"));
            }

            var finding = new LesionFinding
            {
                LesionId = id ?? "",
                LongestDiameterMm = longest,
                ShortAxisMm = shortAxis,
                Status = status ?? LesionPresence.NotEvaluable,
                UnequivocalProgression = Bool(e, "unequivocalProgression", path),
                AblationZone = zone,
            };
            return id is null || status is null ? null : finding;
        }

        private AblationZoneFinding ReadZone(JsonElement e, string path)
        {
            WarnUnknown(e, path, ZoneFields);
            var zone = new AblationZoneFinding
            {
                EnhancingTissue = Bool(e, "enhancingTissue", path),
                AdjacentToZone = Bool(e, "adjacentToZone", path),
                DiameterMm = Number(e, "diameterMm", path, 0, AbsurdDiameterMm, "mm", minExclusive: true),
            };
            if (zone.EnhancingTissue == false && zone.AdjacentToZone == true)
            {
                errors.Add(new($"{path}.adjacentToZone", "is true but enhancingTissue is false: there is no enhancing tissue to be adjacent"));
            }

            return zone;
        }

        private NewLesion ReadNewLesion(JsonElement e, string path)
        {
            WarnUnknown(e, path, NewLesionFields);
            return new NewLesion
            {
                Organ = Enum(e, "organ", path, CaseVocabulary.Organs),
                Location = String(e, "location", path),
                SizeMm = Number(e, "size", path, 0, AbsurdDiameterMm, "mm", minExclusive: true),
            };
        }

        private RecistBaseline ReadBaseline(JsonElement e, string path, Dictionary<string, Lesion> known, List<Treatment> treatments)
        {
            WarnUnknown(e, path, BaselineFields);
            var date = Date(e, "date", path, required: false);
            var targets = LesionIds(e, "targetLesionIds", path, known) ?? [];
            var nonTargets = LesionIds(e, "nonTargetLesionIds", path, known) ?? [];
            if (!Has(e, "targetLesionIds", allowNull: false))
            {
                errors.Add(new($"{path}.targetLesionIds", "is required (an empty list when no lesion is measurable)"));
            }

            if (targets.Count > RecistMaxTargets)
            {
                errors.Add(new($"{path}.targetLesionIds", $"{targets.Count} target lesions: RECIST 1.1 allows at most {RecistMaxTargets}"));
            }

            foreach (var organ in targets.Select(id => known[id].Organ).GroupBy(o => o).Where(g => g.Count() > RecistMaxTargetsPerOrgan))
            {
                errors.Add(new($"{path}.targetLesionIds", $"{organ.Count()} target lesions in the {CaseVocabulary.ToJson(organ.Key)}: RECIST 1.1 allows at most {RecistMaxTargetsPerOrgan} per organ"));
            }

            for (var i = 0; i < targets.Count; i++)
            {
                var lesion = known[targets[i]];
                var p = $"{path}.targetLesionIds[{i}]";
                if (lesion.Organ == Organ.LymphNode)
                {
                    if (lesion.ShortAxisMm is not { } sa)
                    {
                        errors.Add(new(p, $"lymph node {lesion.Id} has no shortAxisMm: a target node is measured by its short axis"));
                    }
                    else if (sa < RecistMeasurableNodeShortAxisMm)
                    {
                        errors.Add(new(p, $"lymph node {lesion.Id} has a short axis of {Format(sa)} mm: a target node measures ≥ {Format(RecistMeasurableNodeShortAxisMm)} mm (RECIST 1.1); list it as a non-target"));
                    }
                }
                else if (lesion.LongestDiameterMm is not { } ld)
                {
                    errors.Add(new(p, $"lesion {lesion.Id} has no longestDiameterMm: a target lesion needs its baseline size"));
                }
                else if (ld < RecistMeasurableMm)
                {
                    errors.Add(new(p, $"lesion {lesion.Id} is {Format(ld)} mm: a target lesion measures ≥ {Format(RecistMeasurableMm)} mm (RECIST 1.1); list it as a non-target"));
                }

                if (nonTargets.Contains(targets[i]))
                {
                    errors.Add(new(p, $"lesion {lesion.Id} is both a target and a non-target"));
                }

                if (treatments.FirstOrDefault(t => t.IsLocal && t.LesionIds.Contains(lesion.Id) && (date is null || t.Date <= date)) is { } local)
                {
                    warnings.Add(new(p, $"lesion {lesion.Id} was treated locally ({FollowUpVocabulary.ToJson(local.Therapy)}, {local.Id}) before the baseline: RECIST 1.1 does not usually take such lesions as targets"));
                }
            }

            if (date is { } d && treatments.Count > 0 && treatments.Max(t => t.Date) is var last && d > last)
            {
                warnings.Add(new($"{path}.date", $"{Iso(d)} is after the last treatment ({Iso(last)})"));
            }

            return new RecistBaseline { Date = date, TargetLesionIds = targets, NonTargetLesionIds = nonTargets };
        }

        private SurvivalStatus ReadSurvival(JsonElement e, string path, List<Treatment> treatments, List<FollowUpStudy> followUps)
        {
            WarnUnknown(e, path, SurvivalFields);
            var status = Enum(e, "vitalStatus", path, FollowUpVocabulary.VitalStatuses) ?? VitalStatus.Unknown;
            var last = Date(e, "lastContactDate", path, required: false);
            var death = Date(e, "deathDate", path, required: false);
            if (death is not null && status != VitalStatus.Dead)
            {
                errors.Add(new($"{path}.deathDate", "is given but vitalStatus is not 'dead'"));
            }

            if (status == VitalStatus.Dead && death is null)
            {
                warnings.Add(new($"{path}.deathDate", "vitalStatus is 'dead' but the date of death is missing: overall survival cannot use this patient"));
            }

            if (death is { } dd && last is { } lc && lc > dd)
            {
                errors.Add(new($"{path}.lastContactDate", $"{Iso(lc)} is after the date of death {Iso(dd)}"));
            }

            var latestEvent = treatments.Select(t => t.Date).Concat(followUps.Select(f => f.Date)).DefaultIfEmpty().Max();
            if (death is { } d2 && latestEvent != default && d2 < latestEvent)
            {
                errors.Add(new($"{path}.deathDate", $"{Iso(d2)} is before a treatment or follow-up ({Iso(latestEvent)})"));
            }

            if (last is { } l2 && latestEvent != default && l2 < latestEvent)
            {
                errors.Add(new($"{path}.lastContactDate", $"{Iso(l2)} is before a treatment or follow-up ({Iso(latestEvent)}); last contact is the latest date known alive"));
            }

            return new SurvivalStatus { VitalStatus = status, LastContactDate = last, DeathDate = death };
        }

        private T? RootObject<T>(JsonElement root, string name, Func<JsonElement, string, T> read)
            where T : class
        {
            if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            return ExpectObject(v, name) ? read(v, name) : null;
        }

        private List<string>? LesionIds(JsonElement e, string name, string path, Dictionary<string, Lesion> known)
        {
            var list = ReadStringList(e, name, path);
            if (list is null)
            {
                return null;
            }

            var result = new List<string>();
            for (var i = 0; i < list.Count; i++)
            {
                var id = list[i].Trim();
                if (!known.ContainsKey(id))
                {
                    errors.Add(new($"{path}.{name}[{i}]", $"unknown lesion '{list[i]}' (the case's lesions are {string.Join(", ", known.Keys)})"));
                }
                else if (result.Contains(id))
                {
                    errors.Add(new($"{path}.{name}[{i}]", $"lesion '{id}' is listed twice"));
                }
                else
                {
                    result.Add(id);
                }
            }

            return result;
        }

        private List<T?> Array<T>(JsonElement parent, string name, string parentPath, Func<JsonElement, string, T?> read)
            where T : class
        {
            var result = new List<T?>();
            if (!parent.TryGetProperty(name, out var array) || array.ValueKind == JsonValueKind.Null)
            {
                return result;
            }

            var path = Join(parentPath, name);
            if (array.ValueKind != JsonValueKind.Array)
            {
                errors.Add(new(path, $"must be an array, not {Describe(array)}"));
                return result;
            }

            var i = 0;
            foreach (var item in array.EnumerateArray())
            {
                var p = $"{path}[{i++}]";
                result.Add(ExpectObject(item, p) ? read(item, p) : null);
            }

            return result;
        }

        private DateOnly? Date(JsonElement parent, string name, string parentPath, bool required)
        {
            var path = Join(parentPath, name);
            if (!parent.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
            {
                if (required)
                {
                    errors.Add(new(path, "is required (ISO 8601 date, e.g. 2025-03-14)"));
                }

                return null;
            }

            if (v.ValueKind == JsonValueKind.String)
            {
                var text = v.GetString()!.Trim();
                if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                {
                    return date;
                }

                // A full ISO 8601 timestamp is accepted; its calendar date is what follow-up needs.
                if (text.Contains('T', StringComparison.Ordinal) &&
                    DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var stamp))
                {
                    return DateOnly.FromDateTime(stamp.Date);
                }
            }

            errors.Add(new(path, $"must be an ISO 8601 date (YYYY-MM-DD), not {Describe(v)}"));
            return null;
        }

        private string? Required(string? value, JsonElement e, string name, string path)
        {
            if (value is null)
            {
                if (!Has(e, name, allowNull: false))
                {
                    errors.Add(new($"{path}.{name}", "is required"));
                }

                return null;
            }

            if (value.Trim().Length == 0)
            {
                errors.Add(new($"{path}.{name}", "must not be empty"));
                return null;
            }

            return value.Trim();
        }
    }

    internal static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
