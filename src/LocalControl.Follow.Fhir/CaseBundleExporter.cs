using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using LocalControl.Core.Cases;
using LocalControl.Follow.Export;
using LocalControl.Follow.Recist;
using FhirPatient = Hl7.Fhir.Model.Patient;

namespace LocalControl.Follow.Fhir;

/// <summary>
/// One FHIR R4 bundle (type <c>collection</c>) per patient, following mCODE where it fits: Patient, primary and
/// secondary cancer Conditions with body site, one ImagingStudy per follow-up study, Procedures for treatments,
/// tumour-size Observations per lesion and study, new-lesion Observations, the RECIST baseline as a List, and the
/// RECIST overall response per time point as a disease-status Observation. Mapping in docs/follow.md.
/// </summary>
public static class CaseBundleExporter
{
    /// <summary>Serializer options for FHIR JSON (indented).</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector).Pretty();

    private static void AddIdentity(FhirPatient patient, PatientDemographics identity)
    {
        if (identity.Mrn is { } mrn)
        {
            patient.Identifier.Add(new Identifier(identity.MrnSystem, mrn)
            {
                Use = Identifier.IdentifierUse.Usual,
                Type = new CodeableConcept("http://terminology.hl7.org/CodeSystem/v2-0203", "MR", "Medical record number"),
            });
        }
        if (identity.FamilyName is not null || identity.GivenNames is not null)
        {
            var name = new HumanName { Use = HumanName.NameUse.Official, Family = identity.FamilyName };
            if (identity.GivenNames is { } given)
            {
                name.Given = given.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            }
            patient.Name.Add(name);
        }
        if (identity.BirthDate is { } birth)
        {
            patient.BirthDate = birth.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }
        patient.Gender = identity.Sex switch
        {
            null => null,
            "female" => AdministrativeGender.Female,
            "male" => AdministrativeGender.Male,
            "other" => AdministrativeGender.Other,
            "unknown" => AdministrativeGender.Unknown,
            _ => throw new ArgumentException($"identity.sex must be female, male, other or unknown, not '{identity.Sex}'", nameof(identity)),
        };
    }

    /// <summary>The bundle as FHIR JSON.</summary>
    public static string ToJson(Bundle bundle) => JsonSerializer.Serialize(bundle, JsonOptions);

    /// <summary>Builds the bundle of one case.</summary>
    /// <param name="case">The case.</param>
    /// <param name="pseudonymisation">Null for identified data; else the case id becomes its pseudonym and every date moves by the case's keyed shift (the same as the CSV export).</param>
    public static Bundle Export(MetastaticCase @case, Pseudonymisation? pseudonymisation = null) => Export(@case, pseudonymisation, null);

    /// <summary>Builds the bundle of one case with the tumour board's decisions (one CarePlan each).</summary>
    /// <param name="case">The case.</param>
    /// <param name="pseudonymisation">Null for identified data; else pseudonym, shifted dates, and no decision rationale (free text).</param>
    /// <param name="decisions">MDT decisions on this case (from the registry); null or empty for none.</param>
    public static Bundle Export(MetastaticCase @case, Pseudonymisation? pseudonymisation, IReadOnlyList<MdtDecision>? decisions) =>
        Export(@case, pseudonymisation, decisions, null);

    /// <summary>Builds the bundle of one case, with the patient's identity on the Patient resource when identified.</summary>
    /// <param name="case">The case.</param>
    /// <param name="pseudonymisation">Null for identified data; else pseudonym, shifted dates, no decision rationale and
    /// <b>no identity</b>: <paramref name="identity"/> is then ignored entirely.</param>
    /// <param name="decisions">MDT decisions on this case (from the registry); null or empty for none.</param>
    /// <param name="identity">The patient's identity from the registry (MRN as an identifier of type MR, name,
    /// birthDate, gender); null for none. Used only when <paramref name="pseudonymisation"/> is null.</param>
    public static Bundle Export(MetastaticCase @case, Pseudonymisation? pseudonymisation, IReadOnlyList<MdtDecision>? decisions, PatientDemographics? identity)
    {
        ArgumentNullException.ThrowIfNull(@case);
        var shift = pseudonymisation?.ShiftDays(@case.CaseId) ?? 0;
        var caseId = pseudonymisation?.Pseudonym(@case.CaseId) ?? @case.CaseId;
        var history = @case.FollowUp ?? new FollowUpHistory();
        var bundle = new Bundle { Type = Bundle.BundleType.Collection, Timestamp = null };
        bundle.Identifier = new Identifier(FhirVocabulary.CaseIdSystem, caseId);
        string Url(string local) => "urn:uuid:" + DeterministicGuid(caseId + "\n" + local).ToString();
        string D(DateOnly d) => d.AddDays(shift).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        void Add(string local, Resource r) => bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = Url(local), Resource = r });
        var patientRef = new ResourceReference(Url("patient"));

        // Patient: the case id (or its pseudonym) as identifier. The identity (MRN, name, date of birth, sex) is not in a
        // case file; the registry may pass it for an identified export, never for a pseudonymised one.
        var patient = new FhirPatient { Meta = Profiled(FhirVocabulary.Profiles.CancerPatient) };
        patient.Identifier.Add(new Identifier(FhirVocabulary.CaseIdSystem, caseId));
        if (pseudonymisation is null && identity is not null)
        {
            AddIdentity(patient, identity);
        }
        if (history.Survival is { } s)
        {
            if (s.VitalStatus == VitalStatus.Dead)
            {
                patient.Deceased = s.DeathDate is { } dd ? new FhirDateTime(D(dd)) : new FhirBoolean(true);
            }
            else if (s.VitalStatus == VitalStatus.Alive)
            {
                patient.Deceased = new FhirBoolean(false);
            }

            if (s.LastContactDate is { } lc)
            {
                patient.Extension.Add(new Extension(FhirVocabulary.LastContactExtension, new Date(D(lc))));
            }
        }

        Add("patient", patient);

        // Patient-level findings the outcome strata use (age, ECOG, CEA, RAS and BRAF): LOINC where a code fits. No
        // profile is claimed: a case file holds no date for them, which the mCODE profiles require.
        Observation PatientFinding(CodeableConcept code, DataType value) => new()
        {
            Status = ObservationStatus.Final,
            Code = code,
            Subject = patientRef,
            Value = value,
        };

        if (@case.Patient.AgeYears is { } age)
        {
            Add("age", PatientFinding(new CodeableConcept(FhirVocabulary.Loinc, "30525-0", "Age", "Age"),
                new Quantity(age, "a", FhirVocabulary.Ucum) { Unit = "years" }));
        }

        if (@case.Patient.Ecog is { } ecog)
        {
            Add("ecog", PatientFinding(new CodeableConcept(FhirVocabulary.Loinc, FhirVocabulary.EcogCode, "ECOG Performance Status score", "ECOG performance status"),
                new Integer(ecog)));
        }

        if (@case.Patient.CeaNgPerMl is { } cea)
        {
            var quantity = FhirVocabulary.Millimetres(cea);
            quantity.Code = "ng/mL";
            quantity.Unit = "ng/mL";
            Add("cea", PatientFinding(new CodeableConcept(FhirVocabulary.Loinc, FhirVocabulary.CeaCode, "Carcinoembryonic Ag [Mass/volume] in Serum or Plasma", "CEA"),
                quantity));
        }

        foreach (var (name, status) in new[] { ("ras-status", @case.Patient.RasStatus), ("braf-status", @case.Patient.BrafStatus) })
        {
            if (status != MutationStatus.Unknown)
            {
                var spelled = CaseVocabulary.ToJson(status);
                Add(name, PatientFinding(FhirVocabulary.Follow(name, name == "ras-status" ? "RAS (KRAS/NRAS) mutation status" : "BRAF V600E mutation status"),
                    FhirVocabulary.Follow(spelled, spelled)));
            }
        }

        // Primary colorectal cancer.
        var primary = new Condition
        {
            Meta = Profiled(FhirVocabulary.Profiles.PrimaryCancerCondition),
            Subject = patientRef,
            ClinicalStatus = new CodeableConcept("http://terminology.hl7.org/CodeSystem/condition-clinical", "active"),
            VerificationStatus = new CodeableConcept("http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed"),
        };
        switch (@case.Patient.Primary?.Site)
        {
            case PrimarySite.Colon:
                primary.Code = new CodeableConcept(FhirVocabulary.Snomed, "363406005", "Malignant neoplasm of colon", "Colon cancer");
                primary.Code.Coding.Add(new Coding(FhirVocabulary.Icd10, "C18.9", "Malignant neoplasm of colon, unspecified"));
                primary.BodySite.Add(new CodeableConcept(FhirVocabulary.Snomed, "71854001", "Colon structure", "colon"));
                break;
            case PrimarySite.Rectum:
                primary.Code = new CodeableConcept(FhirVocabulary.Snomed, "363351006", "Malignant neoplasm of rectum", "Rectal cancer");
                primary.Code.Coding.Add(new Coding(FhirVocabulary.Icd10, "C20", "Malignant neoplasm of rectum"));
                primary.BodySite.Add(new CodeableConcept(FhirVocabulary.Snomed, "34402009", "Rectum structure", "rectum"));
                break;
            default:
                primary.Code = new CodeableConcept { Text = "Colorectal cancer (site not recorded)" };
                break;
        }

        Add("primary", primary);

        // One secondary cancer condition per lesion, and its size at baseline.
        var baselineDate = history.RecistBaseline?.Date;
        foreach (var lesion in @case.Lesions)
        {
            var icd = FhirVocabulary.SecondaryIcd10(lesion.Organ);
            var condition = new Condition
            {
                Meta = Profiled(FhirVocabulary.Profiles.SecondaryCancerCondition),
                Subject = patientRef,
                ClinicalStatus = new CodeableConcept("http://terminology.hl7.org/CodeSystem/condition-clinical", "active"),
                VerificationStatus = new CodeableConcept("http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed"),
                Code = new CodeableConcept(FhirVocabulary.Icd10, icd.Code, icd.Display, "Metastasis of colorectal cancer: " + CaseVocabulary.ToJson(lesion.Organ)),
            };
            condition.Identifier.Add(new Identifier(FhirVocabulary.LesionIdSystem, lesion.Id));
            condition.BodySite.Add(BodySite(lesion.Organ, lesion.Location));
            condition.Extension.Add(new Extension("http://hl7.org/fhir/StructureDefinition/condition-related",
                new ResourceReference(Url("primary"))));
            Add("lesion:" + lesion.Id, condition);
            if (lesion.LongestDiameterMm is not null || lesion.ShortAxisMm is not null)
            {
                var size = TumourSize(patientRef, new ResourceReference(Url("lesion:" + lesion.Id)), baselineDate is { } bd ? D(bd) : null,
                    lesion.LongestDiameterMm, lesion.ShortAxisMm);
                size.Category.Add(FhirVocabulary.Follow("baseline", "Baseline measurement"));
                Add("baseline-size:" + lesion.Id, size);
            }
        }

        // RECIST baseline: a List of the target and non-target lesion conditions.
        if (history.RecistBaseline is { } rb)
        {
            var list = new List
            {
                Status = List.ListStatus.Current,
                Mode = ListMode.Snapshot,
                Title = "RECIST 1.1 baseline",
                Code = FhirVocabulary.Follow("recist-baseline", "RECIST 1.1 baseline"),
                Subject = patientRef,
                Date = rb.Date is { } d ? D(d) : null,
            };
            foreach (var id in rb.TargetLesionIds)
            {
                list.Entry.Add(new List.EntryComponent { Flag = FhirVocabulary.Follow("target", "Target lesion"), Item = new ResourceReference(Url("lesion:" + id)) });
            }

            foreach (var id in rb.NonTargetLesionIds)
            {
                list.Entry.Add(new List.EntryComponent { Flag = FhirVocabulary.Follow("non-target", "Non-target lesion"), Item = new ResourceReference(Url("lesion:" + id)) });
            }

            Add("recist-baseline", list);
        }

        // Treatments.
        foreach (var t in history.Treatments)
        {
            var procedure = new Procedure
            {
                Status = EventStatus.Completed,
                Subject = patientRef,
                Performed = new FhirDateTime(D(t.Date)),
                Code = new CodeableConcept(FhirVocabulary.TherapyCodeSystem, FollowUpVocabulary.ToJson(t.Therapy), TherapyDisplay(t.Therapy), TherapyDisplay(t.Therapy)),
            };
            var profile = t.IsAblation || t.Therapy == TreatmentKind.Resection ? FhirVocabulary.Profiles.SurgicalProcedure
                : t.Therapy == TreatmentKind.Sbrt ? FhirVocabulary.Profiles.RadiotherapyCourseSummary : null;
            if (profile is not null)
            {
                procedure.Meta = Profiled(profile);
            }

            procedure.Identifier.Add(new Identifier(FhirVocabulary.TreatmentIdSystem, t.Id));
            foreach (var id in t.LesionIds)
            {
                procedure.ReasonReference.Add(new ResourceReference(Url("lesion:" + id)));
                var lesion = @case.Lesions.FirstOrDefault(l => l.Id == id)
                    ?? throw new ArgumentException($"treatment {t.Id}: lesionIds: {id} is not a lesion of case {@case.CaseId}", nameof(@case));
                procedure.BodySite.Add(BodySite(lesion.Organ, lesion.Location));
            }

            if (t.Intent != TreatmentGoal.Unknown)
            {
                procedure.Extension.Add(new Extension(FhirVocabulary.McodeProcedureIntent, t.Intent == TreatmentGoal.Curative
                    ? new CodeableConcept(FhirVocabulary.Snomed, "373808002", "Curative - procedure intent", "curative")
                    : new CodeableConcept(FhirVocabulary.Snomed, "363676003", "Palliative - procedure intent", "palliative")));
            }

            if (t.Approach != TreatmentApproach.Unknown)
            {
                procedure.Extension.Add(new Extension(FhirVocabulary.ApproachExtension, new Code(FollowUpVocabulary.ToJson(t.Approach))));
            }

            if (t.Setting is not null)
            {
                procedure.Extension.Add(new Extension(FhirVocabulary.SettingExtension, new FhirString(t.Setting)));
            }

            if (t.Regimen is not null)
            {
                procedure.Extension.Add(new Extension(FhirVocabulary.RegimenExtension, new FhirString(t.Regimen)));
            }

            if (t.MinimalAblativeMarginMm is { } m)
            {
                procedure.Extension.Add(new Extension(FhirVocabulary.MarginExtension, FhirVocabulary.Millimetres(m)));
            }

            if (t.Device is not null)
            {
                procedure.UsedCode.Add(new CodeableConcept { Text = t.Device });
            }

            if (t.TechnicalSuccess is { } ts)
            {
                procedure.Outcome = ts ? FhirVocabulary.Follow("technical-success", "Technical success")
                    : FhirVocabulary.Follow("technical-failure", "No technical success");
            }

            if (t.ComplicationGrade is { } g)
            {
                var grade = g.ToString(CultureInfo.InvariantCulture);
                procedure.Complication.Add(FhirVocabulary.Follow("cirse-grade-" + grade, "CIRSE complication grade " + grade));
            }

            Add("treatment:" + t.Id, procedure);
        }

        // The local name of a lesion a decision names; refused when the case has no such lesion.
        string DecisionLesion(MdtDecision decision, string lesionId) =>
            @case.Lesions.Any(l => l.Id == lesionId) ? "lesion:" + lesionId
                : throw new ArgumentException($"MDT decision of {decision.MeetingDate:yyyy-MM-dd}: choice lesion {lesionId} is not a lesion of case {@case.CaseId}", nameof(decisions));

        // MDT decisions: a CarePlan each (intent plan), one activity per chosen option or strategy step, the lesions as its reasons.
        for (var i = 0; i < (decisions?.Count ?? 0); i++)
        {
            var decision = decisions![i];
            var plan = new CarePlan
            {
                Status = RequestStatus.Active,
                Intent = CarePlan.CarePlanIntent.Plan,
                Subject = patientRef,
                Created = D(decision.MeetingDate),
                Title = "MDT decision",
                Description = pseudonymisation is null ? decision.Rationale : null,
            };
            plan.Category.Add(FhirVocabulary.Follow("mdt-decision", "Multidisciplinary tumour board decision"));
            if (decision.Intent is { Length: > 0 } intent)
            {
                plan.Extension.Add(new Extension(FhirVocabulary.DecisionIntentExtension, new Code(intent)));
            }

            foreach (var choice in decision.Strategies.Count > 0 ? Array.Empty<MdtChoice>() : decision.Choices)
            {
                var detail = new CarePlan.DetailComponent
                {
                    Status = CarePlan.CarePlanActivityStatus.NotStarted,
                    Code = new CodeableConcept(FhirVocabulary.MdtOptionCodeSystem, choice.Therapy, choice.Therapy, choice.Therapy),
                };
                if (choice.LesionId is { } lesionId)
                {
                    detail.ReasonReference.Add(new ResourceReference(Url(DecisionLesion(decision, lesionId))));
                }

                plan.Activity.Add(new CarePlan.ActivityComponent { Detail = detail });
            }

            // Strategies: one activity per step, in order; the position, connector and strategy intent in an extension.
            for (var si = 0; si < decision.Strategies.Count; si++)
            {
                var strategy = decision.Strategies[si];
                for (var t = 0; t < strategy.Steps.Count; t++)
                {
                    var step = strategy.Steps[t];
                    var detail = new CarePlan.DetailComponent
                    {
                        Status = CarePlan.CarePlanActivityStatus.NotStarted,
                        Code = new CodeableConcept(FhirVocabulary.MdtOptionCodeSystem, step.Therapy, step.Therapy, step.Therapy),
                        Description = pseudonymisation is null ? step.Text : null,
                    };
                    foreach (var lesionId in step.LesionIds)
                    {
                        detail.ReasonReference.Add(new ResourceReference(Url(DecisionLesion(decision, lesionId))));
                    }

                    var position = new Extension { Url = FhirVocabulary.DecisionStepExtension };
                    position.Extension.Add(new Extension("strategy", new PositiveInt(si + 1)));
                    position.Extension.Add(new Extension("step", new PositiveInt(t + 1)));
                    if (t > 0)
                    {
                        position.Extension.Add(new Extension("connector", new Code(step.WithPrevious ? "plus" : "then")));
                    }

                    if (strategy.Intent is { Length: > 0 } strategyIntent)
                    {
                        position.Extension.Add(new Extension("intent", new Code(strategyIntent)));
                    }

                    var activity = new CarePlan.ActivityComponent { Detail = detail };
                    activity.Extension.Add(position);
                    plan.Activity.Add(activity);
                }
            }

            Add("decision:" + i.ToString(CultureInfo.InvariantCulture), plan);
        }

        // Follow-up studies: an ImagingStudy each, with one tumour-size observation per lesion finding.
        for (var i = 0; i < history.FollowUps.Count; i++)
        {
            var f = history.FollowUps[i];
            var local = "study:" + i.ToString(CultureInfo.InvariantCulture);
            var study = new ImagingStudy { Status = ImagingStudy.ImagingStudyStatus.Available, Subject = patientRef, Started = D(f.Date) };
            foreach (var code in Modalities(f.Modality))
            {
                study.Modality.Add(new Coding(FhirVocabulary.Dicom, code));
            }

            Add(local, study);
            var studyRef = new ResourceReference(Url(local));
            for (var j = 0; j < f.Lesions.Count; j++)
            {
                var finding = f.Lesions[j];
                var obs = TumourSize(patientRef, new ResourceReference(Url("lesion:" + finding.LesionId)), D(f.Date), finding.LongestDiameterMm, finding.ShortAxisMm);
                obs.DerivedFrom.Add(studyRef);
                obs.Component.Add(new Observation.ComponentComponent
                {
                    Code = FhirVocabulary.Follow("lesion-status", "Lesion status"),
                    Value = FhirVocabulary.Follow(FollowUpVocabulary.ToJson(finding.Status), FollowUpVocabulary.ToJson(finding.Status)),
                });
                if (finding.UnequivocalProgression is { } up)
                {
                    obs.Component.Add(new Observation.ComponentComponent { Code = FhirVocabulary.Follow("unequivocal-progression", "Unequivocal progression (RECIST non-target)"), Value = new FhirBoolean(up) });
                }

                if (finding.AblationZone is { } z)
                {
                    obs.Component.Add(new Observation.ComponentComponent { Code = FhirVocabulary.Follow("ablation-zone-assessed", "Ablation zone assessed"), Value = new FhirBoolean(true) });
                    if (z.EnhancingTissue is { } e)
                    {
                        obs.Component.Add(new Observation.ComponentComponent { Code = FhirVocabulary.Follow("ablation-zone-enhancing-tissue", "Enhancing tissue at the ablation zone"), Value = new FhirBoolean(e) });
                    }

                    if (z.AdjacentToZone is { } a)
                    {
                        obs.Component.Add(new Observation.ComponentComponent { Code = FhirVocabulary.Follow("ablation-zone-adjacent", "Enhancing tissue adjacent to the ablation zone"), Value = new FhirBoolean(a) });
                    }

                    if (z.DiameterMm is { } zd)
                    {
                        obs.Component.Add(new Observation.ComponentComponent { Code = FhirVocabulary.Follow("ablation-zone-diameter", "Ablation zone longest diameter"), Value = FhirVocabulary.Millimetres(zd) });
                    }
                }

                Add(local + ":finding:" + j.ToString(CultureInfo.InvariantCulture), obs);
            }

            for (var j = 0; j < f.NewLesions.Count; j++)
            {
                var n = f.NewLesions[j];
                var obs = new Observation
                {
                    Status = ObservationStatus.Final,
                    Code = FhirVocabulary.Follow("new-lesion", "New lesion"),
                    Subject = patientRef,
                    Effective = new FhirDateTime(D(f.Date)),
                    Value = n.SizeMm is { } sz ? FhirVocabulary.Millimetres(sz) : null,
                };
                obs.DerivedFrom.Add(studyRef);
                if (n.Organ is { } o)
                {
                    obs.BodySite = BodySite(o, n.Location);
                }
                else if (n.Location is not null)
                {
                    obs.BodySite = new CodeableConcept { Text = n.Location };
                }

                if (n.SizeMm is null)
                {
                    obs.DataAbsentReason = new CodeableConcept("http://terminology.hl7.org/CodeSystem/data-absent-reason", "unknown");
                }

                Add(local + ":new:" + j.ToString(CultureInfo.InvariantCulture), obs);
            }
        }

        // RECIST overall response per time point (computed; the import recomputes it rather than reading it).
        if (history.FollowUps.Count > 0)
        {
            var assessment = RecistEvaluator.Assess(@case);
            for (var k = 0; k < assessment.TimePoints.Count; k++)
            {
                var tp = assessment.TimePoints[k];
                var status = DiseaseStatus(tp.OverallResponse);
                var obs = new Observation
                {
                    Meta = Profiled(FhirVocabulary.Profiles.CancerDiseaseStatus),
                    Status = ObservationStatus.Final,
                    Code = new CodeableConcept(FhirVocabulary.Loinc, FhirVocabulary.DiseaseStatusCode, "Cancer disease status", "RECIST 1.1 overall response"),
                    Subject = patientRef,
                    Effective = new FhirDateTime(D(tp.Date)),
                    Value = new CodeableConcept(FhirVocabulary.Snomed, status.Code, status.Display, tp.OverallResponse.ToString()),
                };
                ((CodeableConcept)obs.Value).Coding.Add(new Coding(FhirVocabulary.RecistCodeSystem, tp.OverallResponse.ToString()));
                obs.Category.Add(FhirVocabulary.Follow("recist-1.1", "RECIST 1.1"));
                obs.Focus.Add(new ResourceReference(Url("primary")));
                obs.Note.Add(new Annotation { Text = tp.Rule });
                if (tp.SumOfDiametersMm is { } sum)
                {
                    obs.Component.Add(new Observation.ComponentComponent { Code = FhirVocabulary.Follow("sum-of-diameters", "RECIST sum of diameters"), Value = FhirVocabulary.Millimetres(Math.Round(sum, 2)) });
                }

                Add("recist:" + k.ToString(CultureInfo.InvariantCulture), obs); // by index: two studies may share a date
            }
        }

        return bundle;
    }

    /// <summary>Body site of a lesion: SNOMED CT structure where one fits, the case-file organ always, the location as text.</summary>
    private static CodeableConcept BodySite(Organ organ, string? location)
    {
        var site = new CodeableConcept { Text = location };
        if (FhirVocabulary.BodySite(organ) is { } b)
        {
            site.Coding.Add(new Coding(FhirVocabulary.Snomed, b.Code, b.Display));
        }

        site.Coding.Add(FhirVocabulary.OrganCoding(organ));
        return site;
    }

    private static Observation TumourSize(ResourceReference patient, ResourceReference lesion, string? date, double? longestMm, double? shortAxisMm)
    {
        var obs = new Observation
        {
            // mCODE Tumor Size requires the longest dimension: claim the profile only when it is there (a node measured by
            // its short axis only, a gone or not-evaluable lesion, an ablation zone alone keep the code, not the claim).
            Meta = longestMm is null ? null : Profiled(FhirVocabulary.Profiles.TumorSize),
            Status = ObservationStatus.Final,
            Code = new CodeableConcept(FhirVocabulary.Loinc, FhirVocabulary.TumourSizeCode, "Size Tumor", "Tumour size"),
            Subject = patient,
            Effective = date is null ? null : new FhirDateTime(date),
        };
        obs.Focus.Add(lesion);
        if (longestMm is { } l)
        {
            obs.Component.Add(new Observation.ComponentComponent
            {
                Code = new CodeableConcept(FhirVocabulary.Loinc, FhirVocabulary.LongestDimensionCode, "Size.maximum dimension in Tumor", "Longest diameter"),
                Value = FhirVocabulary.Millimetres(l),
            });
        }

        if (shortAxisMm is { } s)
        {
            obs.Component.Add(new Observation.ComponentComponent { Code = FhirVocabulary.Follow("short-axis", "Short axis (lymph node)"), Value = FhirVocabulary.Millimetres(s) });
        }

        return obs;
    }

    internal static IEnumerable<string> Modalities(ImagingModality m) => m switch
    {
        ImagingModality.Ct => ["CT"],
        ImagingModality.Mri => ["MR"],
        ImagingModality.PetCt => ["PT", "CT"],
        ImagingModality.Us => ["US"],
        _ => [],
    };

    private static (string Code, string Display) DiseaseStatus(RecistCategory c) => c switch
    {
        RecistCategory.CR => ("260415000", "Not detected (qualifier value)"),
        RecistCategory.PR => ("268910001", "Patient's condition improved (finding)"),
        RecistCategory.SD => ("359746009", "Patient's condition stable (finding)"),
        RecistCategory.PD => ("271299001", "Patient's condition worsened (finding)"),
        _ => ("709137006", "Patient condition undetermined (finding)"),
    };

    internal static string TherapyDisplay(TreatmentKind t) => t switch
    {
        TreatmentKind.Resection => "Surgical resection",
        TreatmentKind.Rfa => "Radiofrequency ablation",
        TreatmentKind.Mwa => "Microwave ablation",
        TreatmentKind.Cryoablation => "Cryoablation",
        TreatmentKind.Ire => "Irreversible electroporation",
        TreatmentKind.Sbrt => "Stereotactic body radiotherapy",
        TreatmentKind.Haic => "Hepatic arterial infusion chemotherapy",
        TreatmentKind.Sirt => "Selective internal radiation therapy",
        _ => "Systemic therapy",
    };

    private static Meta Profiled(string profile) => new() { Profile = [profile] };

    /// <summary>A name-based GUID (SHA-256 of the text, RFC 4122 version 5 layout bits), so the same case gives the same fullUrls.</summary>
    private static Guid DeterministicGuid(string text)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(text));
        var bytes = hash.AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x50);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }
}
