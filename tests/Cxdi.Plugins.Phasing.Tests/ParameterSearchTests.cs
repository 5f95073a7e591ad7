using Cxdi.Plugins.Phasing.Engine;
using Cxdi.Plugins.Phasing.Simulation;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Xunit.Abstractions;

namespace Cxdi.Plugins.Phasing.Tests;

/// <summary>The <c>search:</c> option of <c>cxdi.phase</c>: candidates scored by free LLK, the best used for the runs.</summary>
public sealed class ParameterSearchTests(ITestOutputHelper output)
{
    private static readonly SimulateOptions Simulation = new() { Size = 64, Oversampling = 4, Photons = 1e8, Seed = 41 };

    /// <summary>Shrink-wrap relative to the maximum, no retries and no collapse check: only the free LLK tells the candidates apart.</summary>
    private static readonly PhaseOptions Options = new()
    {
        Operators = "ER**30 * (Sup * ER**5 * HIO**25)**6 * HIO**50",
        Runs = 2,
        Keep = 2,
        Seed = 5,
        Threads = 1,
        Backend = "cpu-managed",
        SupportThresholdReference = SupportThresholdReference.Max,
        SupportRetries = 0,
        SupportMinCoverage = 0,
        Generations = 1,
        AutocorrelationThreshold = 0.1,
        SupportSigmaStart = 2,
        SupportSigmaEnd = 0.5,
        Search = ["support_threshold=0.9,0.6,0.15,0.2"],
        SearchRuns = 3,
    };

    [Fact]
    public void SearchOverThreshold_PicksASensibleOne_AndRecordsEveryCandidate()
    {
        var (set, search, truth, shape) = Run(Options);
        var candidates = (Dictionary<string, object>[])search["candidates"];
        Assert.Equal(4, candidates.Length);
        foreach (var candidate in candidates)
        {
            var options = (Dictionary<string, object>)candidate["options"];
            var llks = (object[])candidate["free_llk"];
            output.WriteLine($"support_threshold={options["support_threshold"]}: score {candidate["score"]}, free LLK {string.Join(", ", llks)}; runs {string.Join(" | ", (string[])candidate["runs"])}");
            Assert.Equal(3, llks.Length);
            Assert.True(candidate.ContainsKey("score"));
        }

        var chosen = (int)search["chosen"];
        var chosenThreshold = (string)((Dictionary<string, object>)search["chosen_options"])["support_threshold"];
        Assert.NotEqual("0.9", chosenThreshold);
        Assert.NotEqual(0, chosen);
        var absurd = candidates[0]["score"] is double s ? s : double.PositiveInfinity;
        Assert.True(double.IsNaN(absurd) || absurd > (double)candidates[chosen]["score"], $"absurd {absurd} vs chosen {candidates[chosen]["score"]}");

        // The runs used the chosen threshold and reconstruct the object.
        using var backend = new Cxdi.Plugins.Phasing.Compute.CpuComputeBackend(Cxdi.Plugins.Phasing.Fft.FftPreference.Managed, 1);
        var error = Canonicalizer.ErrorToTruth(truth, set.Average!, shape, backend);
        output.WriteLine($"chosen support_threshold={chosenThreshold}; average error to truth {error:F4}");
        Assert.True(error < 0.2, $"average error {error:F4}");
        Assert.Equal(2, set.Runs.Count(r => r.State == RunState.Kept));
    }

    [Fact]
    public void SameSeeds_GiveTheSameChoiceAndScores()
    {
        var options = Options with { Search = ["support_threshold=0.15,0.9"], SearchRuns = 2, SearchCyclesFraction = 0.5 };
        var a = Run(options).Search;
        var b = Run(options).Search;
        Assert.Equal(a["chosen"], b["chosen"]);
        var scoresA = ((Dictionary<string, object>[])a["candidates"]).Select(c => c["score"]).ToArray();
        var scoresB = ((Dictionary<string, object>[])b["candidates"]).Select(c => c["score"]).ToArray();
        Assert.Equal(scoresA, scoresB);
        Assert.Equal("0.15", ((Dictionary<string, object>)a["chosen_options"])["support_threshold"]);
    }

    [Theory]
    [InlineData("suport_threshold=0.2,0.3", "unknown option 'suport_threshold'")]
    [InlineData("support_threshold=0.2,abc", "support_threshold=abc: expects a number")]
    [InlineData("support_threshold=0.2,1.5", "support_threshold=1.5 is outside")]
    [InlineData("beta", "is not name=value1,value2")]
    [InlineData("seed=1,2", "seed cannot be searched")]
    [InlineData("support_threshold_reference=max,median", "expects one of max, rms")]
    [InlineData("operators=ER**10|HIO**10 * Foo", "candidate operators=HIO**10 * Foo: operators:")]
    public void BadSearch_IsOneProblemNamingSearch(string entry, string expected)
    {
        var problems = (Options with { Search = [entry] }).Validate().ToList();
        var problem = Assert.Single(problems);
        Assert.Equal(nameof(PhaseOptions.Search), problem.Key);
        Assert.Contains(expected, problem.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', problem.Message);
    }

    [Fact]
    public void TooManyCombinations_IsAProblem_AndCyclesScale()
    {
        var problems = (Options with { Search = ["support_threshold=0.1,0.2,0.3,0.4,0.5", "beta=0.5,0.6,0.7,0.8,0.9"] }).Validate().ToList();
        Assert.Contains("25 combinations", Assert.Single(problems).Message, StringComparison.Ordinal);
        Assert.Empty((Options with { Search = ["support_threshold=0.1,0.2", "beta=0.7,0.9", "support_threshold_reference=max,rms"] }).Validate());
        Assert.Equal("ER**15 * (Sup * ER**3 * HIO(0.7)**13)**6 * HIO**25", ParameterSearch.ScaleCycles("ER**30 * (Sup * ER**5 * HIO(0.7)**25)**6 * HIO**50", 0.5));
    }

    private static (ReconstructionSet Set, Dictionary<string, object> Search, Complex32[] Truth, Shape Shape) Run(PhaseOptions options)
    {
        using var simulator = new Cxdi.Plugins.Phasing.Compute.CpuComputeBackend(Cxdi.Plugins.Phasing.Fft.FftPreference.Managed, 1);
        var data = Simulator.Simulate(Simulation, simulator);
        var set = new PhasePlugin().Reconstruct(data, options, StepContext.None);
        var phase = (Dictionary<string, object>)set.Findings["cxdi.phase"];
        return (set, (Dictionary<string, object>)phase["search"], data.GroundTruth!, data.Shape);
    }
}
