using LocalControl.Core.Cases;
using LocalControl.Core.Rules;

namespace LocalControl.Core.Engine;

/// <summary>Facts about the whole case that many criteria need, computed once per assessment.</summary>
internal sealed class CaseContext
{
    private readonly int[] _countByOrgan = new int[6];

    public CaseContext(MetastaticCase @case, RuleSet rules)
    {
        Case = @case;
        Patient = @case.Patient;
        var allLiverSmall = true;
        var anyLiverUnresectable = false;
        foreach (var l in @case.Lesions)
        {
            _countByOrgan[(int)l.Organ]++;
            if (l.Organ == Organ.Liver)
            {
                allLiverSmall &= l.LongestDiameterMm is { } d && d < rules.SmallLesionMaxMm;
                anyLiverUnresectable |= l.SurgicalAssessment == SurgicalAssessment.Unresectable;
            }
        }

        LiverCount = _countByOrgan[(int)Organ.Liver];
        LiverOnly = LiverCount > 0 && LiverCount == @case.Lesions.Count;
        ExtrahepaticDisease = LiverCount < @case.Lesions.Count;
        AllLiverSmall = LiverCount > 0 && allLiverSmall;
        AnyLiverUnresectable = anyLiverUnresectable;

        // Oligometastatic status: lesion count (liver-only disease allows more) and number of organs involved.
        var organs = 0;
        foreach (var n in _countByOrgan)
        {
            organs += n > 0 ? 1 : 0;
        }

        var c = new CriteriaList(rules);
        var total = @case.Lesions.Count;
        var maxLesions = LiverOnly ? rules.OligometastaticMaxLiverOnlyLesions : rules.OligometastaticMaxLesions;
        if (total <= maxLesions)
        {
            c.Met("oligometastatic-lesion-count", total, LiverOnly ? "liver-only" : null);
        }
        else
        {
            c.Failed("oligometastatic-lesion-count", CriterionSeverity.Required, total, LiverOnly ? "liver-only" : null);
        }

        if (organs <= rules.OligometastaticMaxOrgans)
        {
            c.Met("oligometastatic-organ-count", organs);
        }
        else if (organs <= rules.OligometastaticMaxOrgans + 1)
        {
            c.Failed("oligometastatic-organ-count", CriterionSeverity.Advisory, organs);
        }
        else
        {
            c.Failed("oligometastatic-organ-count", CriterionSeverity.Required, organs);
        }

        OligometastaticCriteria = c.Items;
        OligometastaticEligibility = CriteriaList.Aggregate(c.Items);
    }

    public MetastaticCase Case { get; }

    public Patient Patient { get; }

    public int LiverCount { get; }

    public bool LiverOnly { get; }

    public bool ExtrahepaticDisease { get; }

    /// <summary>Every liver lesion has a known diameter below the small-lesion limit (COLLISION population).</summary>
    public bool AllLiverSmall { get; }

    public bool AnyLiverUnresectable { get; }

    public IReadOnlyList<CriterionResult> OligometastaticCriteria { get; }

    public Eligibility OligometastaticEligibility { get; }

    public int LesionsIn(Organ organ) => _countByOrgan[(int)organ];
}
