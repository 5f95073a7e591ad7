using Cxdi.Plugins.Phasing.Compute;
using Cxdi.Plugins.Phasing.Engine;
using Cxdi.Plugins.Phasing.Fft;
using Cxdi.Plugins.Phasing.Simulation;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Xunit.Abstractions;
namespace Cxdi.Plugins.Phasing.Tests;
public sealed class ScratchTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(64, 1e9)]
    [InlineData(64, 1e6)]
    [InlineData(64, 1e4)]
    [InlineData(96, 1e5)]
    [InlineData(256, 1e9)]
    public void Scratch(int size, double photons)
    {
        var simulation = new SimulateOptions { Dims = 2, Size = size, Oversampling = 4, Photons = photons, Seed = 4, BeamstopRadius = 0.5 };
        var options = new PhaseOptions { Operators = "ER**50 * (Sup * ER**5 * HIO**30)**10 * HIO**100", Runs = 4, Keep = 3, Seed = 5, Support = InitialSupportSource.Autocorrelation, SupportThresholdReference = SupportThresholdReference.Max, ParallelRuns = 1, Threads = 1, FscPixelHalves = true, FscPixelHalvesRuns = 2 };
        using var backend = new CpuComputeBackend(FftPreference.Managed, 1);
        var data = Simulator.Simulate(simulation, backend);
        var w = System.Diagnostics.Stopwatch.StartNew();
        var set = new PhasePlugin().Reconstruct(data, options, StepContext.None);
        var f = (Dictionary<string, object>)set.Findings["cxdi.phase"];
        var h = (Dictionary<string, object>)f["fsc_half_pixels"];
        var u = f["uncertainty_map"] as Dictionary<string, object>;
        output.WriteLine($"{size} {photons:G2}: total {w.Elapsed.TotalSeconds:F2}s halves {h["seconds"]}s; main runs {set.Runs.Sum(r => r.Seconds):F2}s; cut pixels {set.FscHalfPixelsCutoff} runs {set.FscHalfRunsCutoff} prtf {set.PrtfCutoff}; err {f.GetValueOrDefault("error_to_truth")}; unc {string.Join(",", u!.Select(kv => kv.Key + "=" + kv.Value))}; rel {f["uncertainty_relative"]}");
        output.WriteLine("pix " + string.Join(" ", set.FscHalfPixels!.Value.Select(v => v.ToString("F2"))));
        output.WriteLine("run " + string.Join(" ", set.FscHalfRuns!.Value.Select(v => v.ToString("F2"))));
        output.WriteLine("llk " + string.Join(" ", ((List<double>[])h.First(kv => kv.Key.EndsWith("llk")).Value).Select(l => string.Join(",", l))));
    }
}
