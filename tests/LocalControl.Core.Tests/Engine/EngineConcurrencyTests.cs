using LocalControl.Core.Cases;
using LocalControl.Core.Engine;
using LocalControl.Core.Reporting;

namespace LocalControl.Core.Tests.Engine;

/// <summary>The engine is shared by the web app's requests: its memoised outcomes and shared criterion results must
/// give every thread the same answer as a lone thread.</summary>
public class EngineConcurrencyTests
{
    [Fact]
    public void Parallel_assessments_equal_sequential_ones()
    {
        var cases = Directory.GetFiles(Path.Combine(TestCases.RepoRoot(), "samples", "cases"), "*.json")
            .Select(f => CaseFileReader.Read(File.ReadAllText(f)).Case!)
            .ToArray();
        // A fresh engine, so that the caches fill under contention.
        var engine = new TumourBoardEngine(TumourBoardEngine.Default.Rules, TumourBoardEngine.Default.Evidence);
        var parallel = new string[cases.Length * 50];
        Parallel.For(0, parallel.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
            parallel[i] = AssessmentJson.Serialize(engine.Assess(cases[i % cases.Length])));
        for (var i = 0; i < parallel.Length; i++)
        {
            Assert.Equal(AssessmentJson.Serialize(TumourBoardEngine.Default.Assess(cases[i % cases.Length])), parallel[i]);
        }
    }
}
