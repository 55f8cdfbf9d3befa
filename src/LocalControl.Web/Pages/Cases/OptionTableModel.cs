using LocalControl.Core.Engine;

namespace LocalControl.Web.Pages.Cases;

/// <summary>One option matrix (a lesion's or the patient's) and the evidence ids the page must explain.</summary>
public sealed record OptionTableModel(IReadOnlyList<TherapyOption> Options, string Key, SortedSet<string> EvidenceIds);
