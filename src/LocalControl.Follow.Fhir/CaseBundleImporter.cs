using System.Globalization;
using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using LocalControl.Core.Cases;
using CorePatient = LocalControl.Core.Cases.Patient;
using FhirPatient = Hl7.Fhir.Model.Patient;

namespace LocalControl.Follow.Fhir;

/// <summary>A bundle that cannot become a case: names the resource and the field.</summary>
public sealed class FhirImportException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FhirImportException(string resource, string field, string problem)
        : base($"{resource}: {field}: {problem}")
    {
        Resource = resource;
        Field = field;
    }

    /// <summary>Creates the exception.</summary>
    public FhirImportException(string message)
        : base(message)
    {
        Resource = "Bundle";
        Field = "";
    }

    /// <summary>Creates the exception.</summary>
    public FhirImportException(string message, Exception inner)
        : base(message, inner)
    {
        Resource = "Bundle";
        Field = "";
    }

    /// <summary>Creates the exception.</summary>
    public FhirImportException()
    {
        Resource = "Bundle";
        Field = "";
    }

    /// <summary>The resource, as <c>Type id-or-fullUrl</c>.</summary>
    public string Resource { get; }

    /// <summary>The FHIR path of the field inside the resource.</summary>
    public string Field { get; }
}

/// <summary>
/// Reads a bundle written by <see cref="CaseBundleExporter"/> back into a case: lesions (id, organ, location, baseline
/// sizes), the primary site, treatments, follow-up studies with their findings and new lesions, the RECIST baseline and
/// the vital status. Derived observations (RECIST responses) are not read: <c>localcontrol follow</c> recomputes them.
/// Every problem throws <see cref="FhirImportException"/> before anything is returned, so a bundle is never half-imported.
/// </summary>
public static class CaseBundleImporter
{
    /// <summary>Largest bundle accepted (bytes of JSON).</summary>
    public const int MaxLength = 32 * 1024 * 1024;

    /// <summary>Parses FHIR JSON into a bundle; the parser's first problems are named.</summary>
    public static Bundle Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (json.Length > MaxLength)
        {
            throw new FhirImportException($"Bundle: {json.Length} characters is too large (at most {MaxLength})");
        }

        Resource? resource;
        try
        {
            resource = JsonSerializer.Deserialize<Resource>(json, CaseBundleExporter.JsonOptions);
        }
        catch (DeserializationFailedException ex)
        {
            var first = string.Join("; ", ex.Exceptions.Take(3).Select(e => e.Message));
            throw new FhirImportException($"Bundle: not valid FHIR R4 JSON: {first}", ex);
        }
        catch (JsonException ex)
        {
            throw new FhirImportException($"Bundle: not valid JSON: {ex.Message}", ex);
        }

        return resource as Bundle
            ?? throw new FhirImportException($"{resource?.TypeName ?? "null"}: resourceType: expected a Bundle (one per patient)");
    }

    /// <summary>Reads the case of a bundle (its MDT decisions, if any, are checked and left out).</summary>
    public static MetastaticCase Import(Bundle bundle) => ImportWithDecisions(bundle).Case;

    /// <summary>Reads the case of a bundle and its MDT decisions (CarePlans), in bundle order.</summary>
    public static (MetastaticCase Case, IReadOnlyList<MdtDecision> Decisions) ImportWithDecisions(Bundle bundle)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        var byUrl = new Dictionary<string, Resource>(StringComparer.Ordinal);
        for (var i = 0; i < bundle.Entry.Count; i++)
        {
            var e = bundle.Entry[i];
            if (e.Resource is null)
            {
                throw new FhirImportException("Bundle", $"entry[{i}].resource", "missing");
            }

            if (string.IsNullOrEmpty(e.FullUrl))
            {
                throw new FhirImportException($"{e.Resource.TypeName} (entry[{i}])", "fullUrl", "missing (references are resolved by it)");
            }

            if (!byUrl.TryAdd(e.FullUrl, e.Resource))
            {
                throw new FhirImportException($"{e.Resource.TypeName} {e.FullUrl}", "fullUrl", "appears twice in the bundle");
            }
        }

        var resources = bundle.Entry.Select(e => e.Resource).ToList();
        var urlOf = new Dictionary<Resource, string>(ReferenceEqualityComparer.Instance);
        foreach (var e in bundle.Entry)
        {
            urlOf[e.Resource!] = e.FullUrl!; // both checked non-empty above
        }

        string Name(Resource r) => $"{r.TypeName} {urlOf[r]}";

        var patients = resources.OfType<FhirPatient>().ToList();
        if (patients.Count != 1)
        {
            throw new FhirImportException("Bundle", "entry", patients.Count == 0
                ? "no Patient (a LocalControl bundle holds exactly one mCODE cancer patient)"
                : $"{patients.Count} Patients (a LocalControl bundle holds one patient)");
        }

        var patient = patients[0];
        if (patient.Meta?.Profile?.Contains(FhirVocabulary.Profiles.CancerPatient) != true)
        {
            throw new FhirImportException(Name(patient), "meta.profile", $"does not claim {FhirVocabulary.Profiles.CancerPatient} (not a LocalControl/mCODE bundle)");
        }

        var caseId = patient.Identifier.FirstOrDefault(x => x.System == FhirVocabulary.CaseIdSystem)?.Value;
        if (string.IsNullOrWhiteSpace(caseId))
        {
            throw new FhirImportException(Name(patient), "identifier", $"no identifier of system {FhirVocabulary.CaseIdSystem} (the case id)");
        }

        T Resolve<T>(Resource from, string field, ResourceReference? reference)
            where T : Resource
        {
            if (reference?.Reference is not { Length: > 0 } url)
            {
                throw new FhirImportException(Name(from), field, "missing reference");
            }

            return byUrl.TryGetValue(url, out var r) && r is T t ? t
                : throw new FhirImportException(Name(from), field, $"{url} is not a {typeof(T).Name} in this bundle");
        }

        void CheckSubject(Resource r, ResourceReference? subject, string field = "subject")
        {
            if (!ReferenceEquals(Resolve<FhirPatient>(r, field, subject), patient))
            {
                throw new FhirImportException(Name(r), field, "not the bundle's patient");
            }
        }

        // Primary site and lesions.
        PrimarySite? primarySite = null;
        var lesionOf = new Dictionary<Condition, Lesion>();
        var lesionOrder = new List<Condition>();
        foreach (var c in resources.OfType<Condition>())
        {
            CheckSubject(c, c.Subject);
            var profiles = c.Meta?.Profile ?? [];
            if (profiles.Contains(FhirVocabulary.Profiles.PrimaryCancerCondition))
            {
                var codes = c.Code?.Coding.Select(x => x.Code).ToList() ?? [];
                primarySite = codes.Contains("363406005") || codes.Contains("C18.9") ? PrimarySite.Colon
                    : codes.Contains("363351006") || codes.Contains("C20") ? PrimarySite.Rectum : primarySite;
                continue;
            }

            if (!profiles.Contains(FhirVocabulary.Profiles.SecondaryCancerCondition))
            {
                throw new FhirImportException(Name(c), "meta.profile", "neither an mCODE primary nor a secondary cancer condition");
            }

            var id = c.Identifier.FirstOrDefault(x => x.System == FhirVocabulary.LesionIdSystem)?.Value;
            if (string.IsNullOrWhiteSpace(id))
            {
                throw new FhirImportException(Name(c), "identifier", $"no identifier of system {FhirVocabulary.LesionIdSystem} (the lesion id)");
            }

            var site = c.BodySite.FirstOrDefault();
            var organ = OrganOf(site) ?? throw new FhirImportException(Name(c), "bodySite", $"no organ coding of system {FhirVocabulary.FollowCodeSystem}");
            lesionOf[c] = new Lesion { Id = id, Organ = organ, Location = site?.Text };
            lesionOrder.Add(c);
        }

        if (lesionOrder.Select(c => lesionOf[c].Id).GroupBy(x => x, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } dup)
        {
            throw new FhirImportException("Condition", "identifier", $"lesion id {dup.Key} is used by two conditions");
        }

        Lesion LesionAt(Resource from, string field, ResourceReference? r) =>
            lesionOf.TryGetValue(Resolve<Condition>(from, field, r), out var l) ? l
                : throw new FhirImportException(Name(from), field, "refers to a condition that is not a metastasis (secondary cancer condition)");

        // Follow-up studies in bundle order.
        var studies = resources.OfType<ImagingStudy>().ToList();
        var findings = studies.ToDictionary(s => s, _ => new List<LesionFinding>());
        var newLesions = studies.ToDictionary(s => s, _ => new List<NewLesion>());
        var baselineSizes = new Dictionary<Lesion, (double? Longest, double? Short)>();
        foreach (var s in studies)
        {
            CheckSubject(s, s.Subject);
            if (ParseDate(s.Started) is null)
            {
                throw new FhirImportException(Name(s), "started", "missing or not a date (the date of the follow-up study)");
            }
        }

        int? ageYears = null, ecog = null;
        double? cea = null;
        MutationStatus ras = MutationStatus.Unknown, braf = MutationStatus.Unknown;
        foreach (var o in resources.OfType<Observation>())
        {
            CheckSubject(o, o.Subject);
            bool Is(string system, string code) => o.Code?.Coding.Any(x => x.System == system && x.Code == code) == true;
            if (Is(FhirVocabulary.Loinc, "30525-0"))
            {
                ageYears = o.Value is Quantity { Code: "a", Value: { } a } && a == decimal.Truncate(a) && a is >= 0 and <= 150 ? (int)a
                    : throw new FhirImportException(Name(o), "valueQuantity", "age must be whole years (UCUM a) from 0 to 150");
                continue;
            }

            if (Is(FhirVocabulary.Loinc, FhirVocabulary.EcogCode))
            {
                ecog = o.Value is Integer { Value: { } e } ? e : throw new FhirImportException(Name(o), "valueInteger", "missing (ECOG 0–4)");
                continue;
            }

            if (Is(FhirVocabulary.Loinc, FhirVocabulary.CeaCode))
            {
                cea = o.Value is Quantity { Code: "ng/mL", Value: { } c } ? FhirVocabulary.ToDouble(c)
                    : throw new FhirImportException(Name(o), "valueQuantity", "CEA must be in UCUM ng/mL");
                continue;
            }

            if (Is(FhirVocabulary.FollowCodeSystem, "ras-status") || Is(FhirVocabulary.FollowCodeSystem, "braf-status"))
            {
                var code = (o.Value as CodeableConcept)?.Coding.FirstOrDefault(x => x.System == FhirVocabulary.FollowCodeSystem)?.Code;
                var mutation = code switch
                {
                    "mutant" => MutationStatus.Mutant,
                    "wild-type" => MutationStatus.WildType,
                    _ => throw new FhirImportException(Name(o), "valueCodeableConcept", "missing or not mutant / wild-type"),
                };
                if (Is(FhirVocabulary.FollowCodeSystem, "ras-status"))
                {
                    ras = mutation;
                }
                else
                {
                    braf = mutation;
                }

                continue;
            }
            var isSize = o.Code?.Coding.Any(x => x.System == FhirVocabulary.Loinc && x.Code == FhirVocabulary.TumourSizeCode) == true;
            var isNew = o.Code?.Coding.Any(x => x.System == FhirVocabulary.FollowCodeSystem && x.Code == "new-lesion") == true;
            if (!isSize && !isNew)
            {
                continue; // derived (RECIST response) or foreign observations: not part of the case file
            }

            ImagingStudy? study = o.DerivedFrom.Count == 0 ? null : Resolve<ImagingStudy>(o, "derivedFrom[0]", o.DerivedFrom[0]);
            if (isNew)
            {
                if (study is null)
                {
                    throw new FhirImportException(Name(o), "derivedFrom", "a new lesion needs the follow-up study (ImagingStudy) it was seen on");
                }

                newLesions[study].Add(new NewLesion
                {
                    Organ = OrganOf(o.BodySite),
                    Location = o.BodySite?.Text,
                    SizeMm = o.Value is Quantity q ? Mm(Name(o), "valueQuantity", q) : null,
                });
                continue;
            }

            if (o.Focus.Count != 1)
            {
                throw new FhirImportException(Name(o), "focus", "a tumour size needs exactly one focus (the lesion's condition)");
            }

            var lesion = LesionAt(o, "focus[0]", o.Focus[0]);
            double? Component(string system, string code, string field)
            {
                var comp = o.Component.FirstOrDefault(c => c.Code?.Coding.Any(x => x.System == system && x.Code == code) == true);
                return comp is null ? null
                    : comp.Value is Quantity q ? Mm(Name(o), field, q)
                    : throw new FhirImportException(Name(o), field, "expected a quantity in mm");
            }

            var longest = Component(FhirVocabulary.Loinc, FhirVocabulary.LongestDimensionCode, $"component[{FhirVocabulary.LongestDimensionCode}].valueQuantity");
            var shortAxis = Component(FhirVocabulary.FollowCodeSystem, "short-axis", "component[short-axis].valueQuantity");
            if (study is null)
            {
                baselineSizes[lesion] = (longest, shortAxis);
                continue;
            }

            bool? Flag(string code)
            {
                var comp = o.Component.FirstOrDefault(c => c.Code?.Coding.Any(x => x.System == FhirVocabulary.FollowCodeSystem && x.Code == code) == true);
                return comp is null ? null
                    : comp.Value is FhirBoolean b && b.Value is { } v ? v
                    : throw new FhirImportException(Name(o), $"component[{code}].valueBoolean", "expected true or false");
            }

            var statusCode = o.Component.FirstOrDefault(c => c.Code?.Coding.Any(x => x.System == FhirVocabulary.FollowCodeSystem && x.Code == "lesion-status") == true)?.Value as CodeableConcept;
            var status = statusCode?.Coding.FirstOrDefault(x => x.System == FhirVocabulary.FollowCodeSystem)?.Code switch
            {
                "present" => LesionPresence.Present,
                "absent" => LesionPresence.Absent,
                "not-evaluable" => LesionPresence.NotEvaluable,
                _ => throw new FhirImportException(Name(o), "component[lesion-status].valueCodeableConcept", "missing or not one of present, absent, not-evaluable"),
            };
            AblationZoneFinding? zone = Flag("ablation-zone-assessed") == true
                ? new AblationZoneFinding
                {
                    EnhancingTissue = Flag("ablation-zone-enhancing-tissue"),
                    AdjacentToZone = Flag("ablation-zone-adjacent"),
                    DiameterMm = Component(FhirVocabulary.FollowCodeSystem, "ablation-zone-diameter", "component[ablation-zone-diameter].valueQuantity"),
                }
                : null;
            findings[study].Add(new LesionFinding
            {
                LesionId = lesion.Id,
                Status = status,
                LongestDiameterMm = longest,
                ShortAxisMm = shortAxis,
                UnequivocalProgression = Flag("unequivocal-progression"),
                AblationZone = zone,
            });
        }

        var lesions = lesionOrder.Select(c =>
        {
            var l = lesionOf[c];
            return baselineSizes.TryGetValue(l, out var size) ? l with { LongestDiameterMm = size.Longest, ShortAxisMm = size.Short } : l;
        }).ToList();

        // Treatments.
        var treatments = new List<Treatment>();
        foreach (var p in resources.OfType<Procedure>())
        {
            CheckSubject(p, p.Subject);
            var id = p.Identifier.FirstOrDefault(x => x.System == FhirVocabulary.TreatmentIdSystem)?.Value;
            if (string.IsNullOrWhiteSpace(id))
            {
                throw new FhirImportException(Name(p), "identifier", $"no identifier of system {FhirVocabulary.TreatmentIdSystem} (the treatment id)");
            }

            var date = p.Performed switch
            {
                FhirDateTime dt => ParseDate(dt.Value),
                Period period => ParseDate(period.Start),
                _ => null,
            } ?? throw new FhirImportException(Name(p), "performed[x]", "missing or not a date (the date of the treatment)");
            var therapyCode = p.Code?.Coding.FirstOrDefault(x => x.System == FhirVocabulary.TherapyCodeSystem)?.Code;
            if (therapyCode is null || !FollowUpVocabulary.TryParseTherapy(therapyCode, out var therapy))
            {
                throw new FhirImportException(Name(p), "code", $"no therapy coding of system {FhirVocabulary.TherapyCodeSystem} (resection, rfa, mwa, cryoablation, ire, sbrt, haic, sirt, systemic)");
            }

            string? Text(string url) => (p.GetExtension(url)?.Value as FhirString)?.Value;
            var intentCode = (p.GetExtension(FhirVocabulary.McodeProcedureIntent)?.Value as CodeableConcept)?.Coding.FirstOrDefault(x => x.System == FhirVocabulary.Snomed)?.Code;
            var approachCode = (p.GetExtension(FhirVocabulary.ApproachExtension)?.Value as Code)?.Value;
            var outcome = p.Outcome?.Coding.FirstOrDefault(x => x.System == FhirVocabulary.FollowCodeSystem)?.Code;
            var gradeCode = p.Complication.SelectMany(c => c.Coding).FirstOrDefault(x => x.System == FhirVocabulary.FollowCodeSystem && x.Code?.StartsWith("cirse-grade-", StringComparison.Ordinal) == true)?.Code;
            treatments.Add(new Treatment
            {
                Id = id,
                Date = date,
                Therapy = therapy,
                LesionIds = p.ReasonReference.Select((r, k) => LesionAt(p, $"reasonReference[{k}]", r).Id).ToList(),
                Intent = intentCode switch
                {
                    null => TreatmentGoal.Unknown,
                    "373808002" => TreatmentGoal.Curative,
                    "363676003" => TreatmentGoal.Palliative,
                    _ => throw new FhirImportException(Name(p), "extension[mcode-procedure-intent]", $"SNOMED CT {intentCode} is not curative (373808002) or palliative (363676003)"),
                },
                Approach = approachCode is null ? TreatmentApproach.Unknown
                    : Enum.GetValues<TreatmentApproach>().Where(a => a != TreatmentApproach.Unknown).FirstOrDefault(a => FollowUpVocabulary.ToJson(a) == approachCode) is var a && a != TreatmentApproach.Unknown ? a
                    : throw new FhirImportException(Name(p), "extension[treatment-approach]", $"'{approachCode}' is not percutaneous, laparoscopic, open or endovascular"),
                Device = p.UsedCode.FirstOrDefault()?.Text,
                Setting = Text(FhirVocabulary.SettingExtension),
                Regimen = Text(FhirVocabulary.RegimenExtension),
                TechnicalSuccess = outcome switch { "technical-success" => true, "technical-failure" => false, _ => null },
                ComplicationGrade = gradeCode is null ? null
                    : int.TryParse(gradeCode.AsSpan("cirse-grade-".Length), NumberStyles.None, CultureInfo.InvariantCulture, out var grade) ? grade
                    : throw new FhirImportException(Name(p), "complication", $"'{gradeCode}' is not cirse-grade-1 … cirse-grade-6"),
                MinimalAblativeMarginMm = p.GetExtension(FhirVocabulary.MarginExtension)?.Value is Quantity m ? Mm(Name(p), "extension[minimal-ablative-margin]", m) : null,
            });
        }

        // RECIST baseline.
        RecistBaseline? baseline = null;
        foreach (var list in resources.OfType<List>())
        {
            if (list.Code?.Coding.Any(x => x.System == FhirVocabulary.FollowCodeSystem && x.Code == "recist-baseline") != true)
            {
                continue;
            }

            CheckSubject(list, list.Subject);
            var targets = new List<string>();
            var nonTargets = new List<string>();
            for (var k = 0; k < list.Entry.Count; k++)
            {
                var entry = list.Entry[k];
                var lesionId = LesionAt(list, $"entry[{k}].item", entry.Item).Id;
                switch (entry.Flag?.Coding.FirstOrDefault(x => x.System == FhirVocabulary.FollowCodeSystem)?.Code)
                {
                    case "target": targets.Add(lesionId); break;
                    case "non-target": nonTargets.Add(lesionId); break;
                    default: throw new FhirImportException(Name(list), $"entry[{k}].flag", "missing or not target / non-target");
                }
            }

            baseline = new RecistBaseline { Date = ParseDate(list.Date), TargetLesionIds = targets, NonTargetLesionIds = nonTargets };
        }

        // MDT decisions.
        var decisions = new List<MdtDecision>();
        foreach (var plan in resources.OfType<CarePlan>())
        {
            if (plan.Category.SelectMany(c => c.Coding).Any(x => x.System == FhirVocabulary.FollowCodeSystem && x.Code == "mdt-decision") != true)
            {
                continue;
            }

            CheckSubject(plan, plan.Subject);
            var meeting = ParseDate(plan.Created) ?? throw new FhirImportException(Name(plan), "created", "missing or not a date (the date of the meeting)");
            var choices = new List<MdtChoice>();
            var steps = new List<(int Strategy, int Step, string? Intent, MdtStep Value)>();
            for (var k = 0; k < plan.Activity.Count; k++)
            {
                var detail = plan.Activity[k].Detail;
                var therapy = detail?.Code?.Coding.FirstOrDefault(x => x.System == FhirVocabulary.MdtOptionCodeSystem)?.Code;
                if (string.IsNullOrWhiteSpace(therapy))
                {
                    throw new FhirImportException(Name(plan), $"activity[{k}].detail.code", $"no option coding of system {FhirVocabulary.MdtOptionCodeSystem}");
                }

                var lesionIds = detail!.ReasonReference.Select((r, j) => LesionAt(plan, $"activity[{k}].detail.reasonReference[{j}]", r).Id).ToList();
                if (plan.Activity[k].GetExtension(FhirVocabulary.DecisionStepExtension) is { } position)
                {
                    var where = $"activity[{k}].extension({FhirVocabulary.DecisionStepExtension})";
                    int Positive(string part) => (position.GetExtension(part)?.Value as PositiveInt)?.Value is int v and > 0
                        ? v : throw new FhirImportException(Name(plan), $"{where}.{part}", "missing or not a positive integer");
                    var connector = (position.GetExtension("connector")?.Value as Code)?.Value;
                    if (connector is not null and not "then" and not "plus")
                    {
                        throw new FhirImportException(Name(plan), $"{where}.connector", $"'{connector}' is not then or plus");
                    }

                    steps.Add((Positive("strategy"), Positive("step"), (position.GetExtension("intent")?.Value as Code)?.Value,
                        new MdtStep(therapy, lesionIds, detail.Description, connector == "plus")));
                    continue;
                }

                choices.Add(lesionIds.Count switch
                {
                    0 => new MdtChoice(null, therapy),
                    1 => new MdtChoice(lesionIds[0], therapy),
                    _ => throw new FhirImportException(Name(plan), $"activity[{k}].detail.reasonReference", "an option concerns one lesion or the patient"),
                });
            }

            var strategies = steps.GroupBy(x => x.Strategy).OrderBy(g => g.Key)
                .Select(g => new MdtStrategy(g.First().Intent, [.. g.OrderBy(x => x.Step).Select(x => x.Value)])).ToList();
            decisions.Add(new MdtDecision
            {
                MeetingDate = meeting,
                Intent = (plan.GetExtension(FhirVocabulary.DecisionIntentExtension)?.Value as Code)?.Value,
                Choices = choices,
                Strategies = strategies,
                Rationale = plan.Description,
            });
        }

        // Survival.
        SurvivalStatus? survival = null;
        var lastContact = patient.GetExtension(FhirVocabulary.LastContactExtension)?.Value is Date lc ? ParseDate(lc.Value) : null;
        if (patient.Deceased is not null || lastContact is not null)
        {
            survival = patient.Deceased switch
            {
                FhirDateTime death => new SurvivalStatus { VitalStatus = VitalStatus.Dead, DeathDate = ParseDate(death.Value), LastContactDate = lastContact },
                FhirBoolean { Value: true } => new SurvivalStatus { VitalStatus = VitalStatus.Dead, LastContactDate = lastContact },
                FhirBoolean { Value: false } => new SurvivalStatus { VitalStatus = VitalStatus.Alive, LastContactDate = lastContact },
                _ => new SurvivalStatus { LastContactDate = lastContact },
            };
        }

        var followUps = studies.Select(s => new FollowUpStudy
        {
            Date = ParseDate(s.Started)!.Value,
            Modality = ModalityOf(s),
            Lesions = findings[s],
            NewLesions = newLesions[s],
        }).ToList();

        var history = new FollowUpHistory { Treatments = treatments, FollowUps = followUps, RecistBaseline = baseline, Survival = survival };
        var corePatient = new CorePatient
        {
            Primary = primarySite is null ? null : new PrimaryTumour { Site = primarySite },
            AgeYears = ageYears,
            Ecog = ecog,
            CeaNgPerMl = cea,
            RasStatus = ras,
            BrafStatus = braf,
        };
        var built = new MetastaticCase(caseId, corePatient, lesions) { FollowUp = history.IsEmpty ? null : history };

        // The case must obey every rule a case file obeys (a follow-up after its treatment, RECIST target limits,
        // unique ids, plausible sizes): write it and read it back with the case-file reader, and return what it read.
        var procedures = resources.OfType<Procedure>().ToList();
        var conditions = lesionOrder;
        string Where(string path)
        {
            static int? Index(string path, string prefix) =>
                path.StartsWith(prefix, StringComparison.Ordinal) && path.IndexOf(']', prefix.Length) is var end and > 0
                && int.TryParse(path.AsSpan(prefix.Length, end - prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : null;
            return Index(path, "followUps[") is { } f && f < studies.Count ? $" ({Name(studies[f])})"
                : Index(path, "treatments[") is { } t && t < procedures.Count ? $" ({Name(procedures[t])})"
                : Index(path, "lesions[") is { } l && l < conditions.Count ? $" ({Name(conditions[l])})"
                : path.StartsWith("survival", StringComparison.Ordinal) ? $" ({Name(patient)})"
                : "";
        }

        var reread = CaseFileReader.Read(CaseFileWriter.Write(built));
        if (!reread.IsValid)
        {
            var problems = string.Join("; ", reread.Errors.Take(5).Select(e => $"{e}{Where(e.Path)}"));
            throw new FhirImportException($"Bundle: the case it holds breaks the case-file rules (docs/case-format.md): {problems}");
        }

        return (reread.Case!, decisions);
    }

    private static Organ? OrganOf(CodeableConcept? site)
    {
        var code = site?.Coding.FirstOrDefault(x => x.System == FhirVocabulary.FollowCodeSystem && x.Code?.StartsWith("organ-", StringComparison.Ordinal) == true)?.Code;
        return code is not null && CaseVocabulary.TryParseOrgan(code["organ-".Length..], out var organ) ? organ : null;
    }

    private static ImagingModality ModalityOf(ImagingStudy s)
    {
        var codes = s.Modality.Where(x => x.System == FhirVocabulary.Dicom).Select(x => x.Code).ToHashSet(StringComparer.Ordinal);
        return codes.Contains("PT") ? ImagingModality.PetCt
            : codes.Contains("MR") ? ImagingModality.Mri
            : codes.Contains("CT") ? ImagingModality.Ct
            : codes.Contains("US") ? ImagingModality.Us
            : ImagingModality.Unknown;
    }

    private static double Mm(string name, string field, Quantity q)
    {
        if (q.Value is not { } v)
        {
            throw new FhirImportException(name, field + ".value", "missing");
        }

        if (q.System is not null && q.System != FhirVocabulary.Ucum)
        {
            throw new FhirImportException(name, field + ".system", $"'{q.System}' is not UCUM ({FhirVocabulary.Ucum})");
        }

        return q.Code switch
        {
            "mm" => FhirVocabulary.ToDouble(v),
            "cm" => FhirVocabulary.ToDouble(v * 10),
            _ => throw new FhirImportException(name, field + ".code", $"unit '{q.Code}' is not UCUM mm or cm"),
        };
    }

    private static DateOnly? ParseDate(string? value) =>
        value is { Length: >= 10 } && DateOnly.TryParseExact(value[..10], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;
}
