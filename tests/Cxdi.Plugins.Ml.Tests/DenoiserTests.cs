using Cxdi.Plugins.Ml.Denoising;
using Cxdi.Plugins.Ml.Models;
using Cxdi.Plugins.Ml.Simulation;
using Microsoft.ML;
using Xunit.Abstractions;

namespace Cxdi.Plugins.Ml.Tests;

public sealed class DenoiserTests(ITestOutputHelper output)
{
    [Fact]
    public void Denoiser_OnUnseenSeedsAt1e6Photons_CutsAmplitudeRmseBy30Percent()
    {
        var spec = new SimulationSpec(128, 128, 32, 1e6, null);
        var plan = new TrainingPlan(spec, 5, 30_000, 50, 31, 3);
        var ml = new MLContext(3);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var model = DenoiserTraining.Train(ml, plan, null, CancellationToken.None);
        output.WriteLine($"train {clock.Elapsed.TotalSeconds:F1} s; validation {model.Provenance["validation_rmse_reduction"]}");
        var gains = new List<double>();
        foreach (var seed in new[] { 777_001, 777_002, 777_003 })
        {
            var p = PatternSimulator.Simulate(spec, seed);
            var d = DenoiserTraining.Apply(ml, model.Model, p.Counts, p.Mask, 128, 128);
            var raw = DenoiserTraining.AmplitudeRmse(p.Counts, p.Expected, p.Mask);
            var den = DenoiserTraining.AmplitudeRmse(d, p.Expected, p.Mask);
            gains.Add(1 - (den / raw));
            output.WriteLine($"seed {seed}: raw {raw:F4} denoised {den:F4} gain {1 - (den / raw):P1}");
        }

        Assert.All(gains, g => Assert.True(g >= 0.30, $"amplitude RMSE only {g:P1} lower"));
    }
}
