using FsCheck;
using FsCheck.Fluent;
using LocalControl.Core.Cases;
using LocalControl.Core.Engine;

namespace LocalControl.Core.Tests.Engine;

/// <summary>Invariants of the engine over generated cases (FsCheck, fixed seed-free but bounded runs).</summary>
public class EnginePropertyTests
{
    private static readonly Therapy[] Thermal = [Therapy.Rfa, Therapy.Mwa, Therapy.Cryoablation];

    private static Gen<double?> Maybe(Gen<double> gen) =>
        Gen.Frequency((1, Gen.Constant((double?)null)), (4, gen.Select(x => (double?)x)));

    private static Gen<Visibility> VisibilityGen => Gen.Elements(Visibility.NotAssessed, Visibility.Conspicuous, Visibility.Poor, Visibility.Invisible);

    private static Gen<Lesion> LesionGen(int index) =>
        from organ in Gen.Elements(Organ.Liver, Organ.Liver, Organ.Lung, Organ.Bone)
        from diameter in Maybe(Gen.Choose(3, 800).Select(x => x / 10.0))
        from vessel in Maybe(Gen.Choose(0, 300).Select(x => x / 10.0))
        from calibre in Maybe(Gen.Choose(10, 150).Select(x => x / 10.0))
        from hilum in Maybe(Gen.Choose(0, 400).Select(x => x / 10.0))
        from structures in Gen.Frequency(
            (1, Gen.Constant((IReadOnlyList<string>?)null)),
            (3, Gen.SubListOf(new[] { "bowel", "pleura", "spinal-cord", "bile-duct", "large-bronchus", "diaphragm" }).Select(l => (IReadOnlyList<string>?)l.ToList())))
        from us in VisibilityGen
        from ct in VisibilityGen
        from surgical in Gen.Elements(SurgicalAssessment.NotAssessed, SurgicalAssessment.Resectable, SurgicalAssessment.ResectableWithDifficulty, SurgicalAssessment.Unresectable)
        from intent in Gen.Elements(BoneLesionIntent.NotAssessed, BoneLesionIntent.PalliativePain, BoneLesionIntent.Curative)
        from pain in Maybe(Gen.Choose(0, 10).Select(x => (double)x))
        from erosion in Gen.Elements<bool?>(null, true, false)
        select new Lesion
        {
            Id = $"X{index}",
            Organ = organ,
            LongestDiameterMm = diameter,
            DistanceToLargeVesselMm = vessel,
            LargeVesselCalibreMm = calibre,
            DistanceToHilumMm = hilum,
            AdjacentStructures = structures,
            Visibility = new GuidanceVisibility { Ultrasound = us, Ct = ct },
            SurgicalAssessment = surgical,
            Intent = organ == Organ.Bone ? intent : BoneLesionIntent.NotAssessed,
            WorstPainScore = organ == Organ.Bone ? pain : null,
            CorticalErosion = organ == Organ.Bone ? erosion : null,
        };

    private static Gen<Patient> PatientGen =>
        from ecog in Gen.Elements<int?>(null, 0, 1, 2, 3)
        from ras in Gen.Elements(MutationStatus.Unknown, MutationStatus.Mutant, MutationStatus.WildType)
        from flr in Maybe(Gen.Choose(10, 80).Select(x => (double)x))
        from cirrhosis in Gen.Elements<bool?>(null, true, false)
        from bilirubin in Maybe(Gen.Choose(3, 60).Select(x => (double)x))
        from resected in Gen.Elements<bool?>(null, true, false)
        from lines in Gen.Elements(0, 1, 2, 3)
        from oxaliplatin in Gen.Elements<bool?>(null, true, false)
        from progressed in Gen.Elements<bool?>(null, true, false)
        select new Patient
        {
            Ecog = ecog,
            RasStatus = ras,
            Liver = new LiverStatus { FutureLiverRemnantPercent = flr, Cirrhosis = cirrhosis, BilirubinUmolPerL = bilirubin },
            Primary = new PrimaryTumour { Resected = resected, NodePositive = progressed },
            PriorSystemicTherapy = lines == 3 ? null : Enumerable.Range(1, lines).Select(i => new SystemicTherapyLine { Line = i, ContainsOxaliplatin = oxaliplatin, Progressed = progressed }).ToList(),
            TreatmentIntentPreference = resected == true ? TreatmentIntent.Curative : null,
        };

    private static Gen<MetastaticCase> CaseGen =>
        from count in Gen.Choose(1, 4)
        from lesions in Gen.CollectToSequence(Enumerable.Range(0, count), LesionGen)
        from patient in PatientGen
        select new MetastaticCase("GEN", patient, lesions.ToList());

    private static Eligibility Of(Assessment a, string lesionId, Therapy t) =>
        a.Lesions.Single(l => l.LesionId == lesionId).Options.Single(o => o.Therapy == t).Eligibility;

    private static bool NeverMoreEligible(Assessment before, Assessment after, string lesionId, bool includeCurativeLocal = true)
    {
        foreach (var t in Thermal)
        {
            if (Of(after, lesionId, t) < Of(before, lesionId, t))
            {
                throw new InvalidOperationException($"{t}: {Of(before, lesionId, t)} became {Of(after, lesionId, t)}");
            }
        }

        // A central lesion can gain IRE, so curative-intent treatment of all disease may become possible as the
        // lesion nears the hilum; for size and vessels no local option can improve, so the whole strategy cannot either.
        return !includeCurativeLocal || after.PatientOptions.Single(o => o.Therapy == Therapy.CurativeLocal).Eligibility
            >= before.PatientOptions.Single(o => o.Therapy == Therapy.CurativeLocal).Eligibility;
    }

    [Fact]
    public void A_larger_lesion_never_becomes_more_eligible_for_thermal_ablation()
    {
        var gen = from c in CaseGen from grow in Gen.Choose(1, 400) select (c, grow / 10.0);
        Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var (c, grow) = t;
            var l = c.Lesions[0];
            if (l.LongestDiameterMm is not { } d || d + grow > 300)
            {
                return true;
            }

            var larger = c with { Lesions = [l with { LongestDiameterMm = d + grow }, .. c.Lesions.Skip(1)] };
            return NeverMoreEligible(TumourBoardEngine.Default.Assess(c), TumourBoardEngine.Default.Assess(larger), l.Id);
        }).Check(PropertyConfig.Seeded(400));
    }

    [Fact]
    public void A_lesion_closer_to_a_vessel_never_becomes_more_eligible_for_thermal_ablation()
    {
        var gen = from c in CaseGen from shift in Gen.Choose(1, 200) select (c, shift / 10.0);
        Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var (c, shift) = t;
            var l = c.Lesions[0];
            if (l.DistanceToLargeVesselMm is not { } v)
            {
                return true;
            }

            var closer = c with { Lesions = [l with { DistanceToLargeVesselMm = Math.Max(0, v - shift) }, .. c.Lesions.Skip(1)] };
            return NeverMoreEligible(TumourBoardEngine.Default.Assess(c), TumourBoardEngine.Default.Assess(closer), l.Id);
        }).Check(PropertyConfig.Seeded(400));
    }

    [Fact]
    public void A_lesion_closer_to_the_hilum_never_becomes_more_eligible_for_thermal_ablation()
    {
        var gen = from c in CaseGen from shift in Gen.Choose(1, 200) select (c, shift / 10.0);
        Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var (c, shift) = t;
            var l = c.Lesions[0];
            if (l.DistanceToHilumMm is not { } h)
            {
                return true;
            }

            var closer = c with { Lesions = [l with { DistanceToHilumMm = Math.Max(0, h - shift) }, .. c.Lesions.Skip(1)] };
            return NeverMoreEligible(TumourBoardEngine.Default.Assess(c), TumourBoardEngine.Default.Assess(closer), l.Id, includeCurativeLocal: false);
        }).Check(PropertyConfig.Seeded(400));
    }

    private static readonly Func<MetastaticCase, MetastaticCase>[] Removals =
    [
        c => c with { Lesions = [c.Lesions[0] with { LongestDiameterMm = null }, .. c.Lesions.Skip(1)] },
        c => c with { Lesions = [c.Lesions[0] with { DistanceToLargeVesselMm = null }, .. c.Lesions.Skip(1)] },
        c => c with { Lesions = [c.Lesions[0] with { LargeVesselCalibreMm = null }, .. c.Lesions.Skip(1)] },
        c => c with { Lesions = [c.Lesions[0] with { DistanceToHilumMm = null }, .. c.Lesions.Skip(1)] },
        c => c with { Lesions = [c.Lesions[0] with { AdjacentStructures = null }, .. c.Lesions.Skip(1)] },
        c => c with { Lesions = [c.Lesions[0] with { Visibility = c.Lesions[0].Visibility with { Ultrasound = Visibility.NotAssessed } }, .. c.Lesions.Skip(1)] },
        c => c with { Lesions = [c.Lesions[0] with { SurgicalAssessment = SurgicalAssessment.NotAssessed }, .. c.Lesions.Skip(1)] },
        c => c with { Lesions = [c.Lesions[0] with { Intent = BoneLesionIntent.NotAssessed }, .. c.Lesions.Skip(1)] },
        c => c with { Lesions = [c.Lesions[0] with { WorstPainScore = null }, .. c.Lesions.Skip(1)] },
        c => c with { Lesions = [c.Lesions[0] with { CorticalErosion = null }, .. c.Lesions.Skip(1)] },
        c => c with { Patient = c.Patient with { Ecog = null } },
        c => c with { Patient = c.Patient with { RasStatus = MutationStatus.Unknown } },
        c => c with { Patient = c.Patient with { Liver = null } },
        c => c with { Patient = c.Patient with { Primary = null } },
        c => c with { Patient = c.Patient with { PriorSystemicTherapy = null } },
        c => c with { Patient = c.Patient with { TreatmentIntentPreference = null } },
        c => c with
        {
            Patient = c.Patient with
            {
                PriorSystemicTherapy = c.Patient.PriorSystemicTherapy?.Select(l => l with { ContainsOxaliplatin = null }).ToList(),
            },
        },
        c => c with
        {
            Patient = c.Patient with
            {
                PriorSystemicTherapy = c.Patient.PriorSystemicTherapy?.Select(l => l with { Progressed = null }).ToList(),
            },
        },
    ];

    [Fact]
    public void Removing_data_never_turns_an_unknown_into_met_nor_flips_a_known_status()
    {
        var gen = from c in CaseGen from r in Gen.Choose(0, Removals.Length - 1) select (c, r);
        Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var (c, r) = t;
            var before = TumourBoardEngine.Default.Assess(c);
            var after = TumourBoardEngine.Default.Assess(Removals[r](c));
            foreach (var (b, a) in Pairs(before, after))
            {
                foreach (var cb in b.Criteria)
                {
                    var match = a.Criteria.Where(x => x.Id == cb.Id).Take(1).ToList();
                    if (match.Count == 1 && match[0] is var ca && ca.Status != cb.Status && ca.Status != CriterionStatus.Unknown)
                    {
                        throw new InvalidOperationException($"removal {r}: {b.Therapy} {cb.Id} went from {cb.Status} to {ca.Status}\n{CaseFileWriter.Write(c)}");
                    }
                }

                // An option that was unknown or not eligible never becomes eligible by losing data.
                if (b.Eligibility is Eligibility.Unknown or Eligibility.NotEligible && a.Eligibility is Eligibility.Eligible or Eligibility.Caution)
                {
                    throw new InvalidOperationException($"removal {r}: {b.Therapy} went from {b.Eligibility} to {a.Eligibility}\n{CaseFileWriter.Write(c)}");
                }
            }

            return true;
        }).Check(PropertyConfig.Seeded(600));
    }

    private static IEnumerable<(TherapyOption Before, TherapyOption After)> Pairs(Assessment before, Assessment after)
    {
        for (var i = 0; i < before.Lesions.Count; i++)
        {
            foreach (var ob in before.Lesions[i].Options)
            {
                yield return (ob, after.Lesions[i].Options.Single(o => o.Therapy == ob.Therapy));
            }
        }

        foreach (var ob in before.PatientOptions)
        {
            yield return (ob, after.PatientOptions.Single(o => o.Therapy == ob.Therapy));
        }
    }

    [Fact]
    public void Every_option_lists_criteria_with_evidence_or_a_stated_convention_and_ranks_are_a_permutation()
    {
        Prop.ForAll(CaseGen.ToArbitrary(), c =>
        {
            var a = TumourBoardEngine.Default.Assess(c);
            foreach (var la in a.Lesions)
            {
                if (!la.Options.Select(o => o.Rank).Order().SequenceEqual(Enumerable.Range(1, la.Options.Count)))
                {
                    return false;
                }

                if (la.Options.Any(o => o.Criteria.Count == 0))
                {
                    return false;
                }
            }

            // Eligibility is derived from the criteria by the documented rule, never set by hand.
            return a.Lesions.SelectMany(l => l.Options).Concat(a.PatientOptions)
                .All(o => o.Eligibility == CriteriaList.Aggregate(o.Criteria));
        }).Check(PropertyConfig.Seeded(300));
    }
}
