using Cxdi.Plugins.Phasing.Compute;
using Cxdi.Plugins.Phasing.Engine;
using Cxdi.Plugins.Phasing.Fft;
using Cxdi.Plugins.Phasing.Simulation;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Xunit.Abstractions;

namespace Cxdi.Plugins.Phasing.Tests;

/// <summary>Generations of runs: an ab-initio first generation whose best run's support starts the next one.</summary>
public sealed class GenerationTests(ITestOutputHelper output)
{
    private static readonly CpuComputeBackend Backend = new(FftPreference.Managed, 1);

    [Fact]
    public void NextGenerationSupport_HoldsTheBestSupport_GrowsByAboutSigma()
    {
        var shape = Shape.Of(64, 64);
        var best = new byte[shape.Length];
        for (var y = 20; y < 30; y++)
        {
            for (var x = 40; x < 50; x++)
            {
                best[(y * 64) + x] = 1;
            }
        }

        // σ 2 px at 0.2 of the maximum: a straight edge moves out by 2 px (the 14 × 14 square), the corners round off.
        var next = PhasePlugin.NextGenerationSupport(best, shape, new PhaseOptions { GenerationSigma = 2, GenerationThreshold = 0.2 });
        for (var i = 0; i < best.Length; i++)
        {
            Assert.True(best[i] == 0 || next[i] != 0, $"pixel {i} of the best support is missing");
            var (y, x) = (i / 64, i % 64);
            var inGrown = y >= 18 && y < 32 && x >= 38 && x < 52;
            Assert.True(next[i] == 0 || inGrown, $"pixel ({y}, {x}) is more than 2 px from the best support");
        }

        var count = next.Count(v => v != 0);
        Assert.InRange(count, 150, 14 * 14 - 8);
    }

    [Fact]
    public void AutocorrelationStart_RunsTwoGenerations_SecondFromTheBestRun()
    {
        var data = Simulator.Simulate(new SimulateOptions { Dims = 2, Size = 64, Oversampling = 3, Photons = 1e9, Seed = 3 }, Backend);
        var options = new PhaseOptions
        {
            Operators = "ER**30 * (Sup * HIO**20)**10",
            Runs = 3,
            Keep = 2,
            Seed = 40,
            Threads = 1,
            ParallelRuns = 1,
            Backend = "cpu-managed",
        };

        var set = new PhasePlugin().Reconstruct(data, options, StepContext.None);
        var phase = (Dictionary<string, object>)set.Findings["cxdi.phase"];
        var generations = Assert.IsType<List<Dictionary<string, object>>>(phase["generations"]);
        var first = Assert.Single(generations);
        var scores = (double[])first["free_llk"];
        Assert.Equal(3, scores.Length);

        // The first generation's seeds follow the last generation's; its best run has the lowest free LLK of them.
        var bestSeed = (long)first["best_seed"];
        Assert.InRange(bestSeed, 43, 45);
        Assert.Equal(scores.Where(double.IsFinite).Min(), (double)first["best_free_llk"], 3);
        Assert.True((long)first["next_support_size"] > 0);

        // Only the last generation's runs are the result: seeds 40–42, two kept and averaged.
        Assert.Equal([40L, 41L, 42L], set.Runs.Select(r => r.Seed).Order());
        Assert.Equal(2, set.Runs.Count(r => r.State == RunState.Kept));
        var error = (double)phase["error_to_truth"];
        output.WriteLine($"best of generation 1: seed {bestSeed}, free LLK {first["best_free_llk"]}; error of the average {error:F4}");
        Assert.True(error < 0.1, $"error of the average {error:F4}");
    }

    [Fact]
    public void OneGeneration_OrAGivenSupport_RecordsNoGenerations()
    {
        var data = Simulator.Simulate(new SimulateOptions { Dims = 2, Size = 64, Oversampling = 3, Photons = 1e9, Seed = 3 }, Backend);
        var options = new PhaseOptions { Operators = "ER**10 * (Sup * HIO**10)**2", Runs = 2, Keep = 1, Threads = 1, ParallelRuns = 1, Backend = "cpu-managed" };

        var explicitOne = new PhasePlugin().Reconstruct(data, options with { Generations = 1 }, StepContext.None);
        Assert.False(((Dictionary<string, object>)explicitOne.Findings["cxdi.phase"]).ContainsKey("generations"));

        data.InitialSupport = Support.ArrayTools.Disc(data.Shape, 16);
        var given = new PhasePlugin().Reconstruct(data, options, StepContext.None);
        Assert.False(((Dictionary<string, object>)given.Findings["cxdi.phase"]).ContainsKey("generations"));
    }
}
