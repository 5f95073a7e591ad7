using System.Diagnostics;
using Cxdi.Plugins.Phasing.Engine;
using Cxdi.Plugins.Phasing.Simulation;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Xunit.Abstractions;

namespace Cxdi.Plugins.Phasing.Tests;

public sealed class KnownAnswerTests(ITestOutputHelper output)
{
    [Fact]
    public void Smoke()
    {
        using var backend = new Compute.CpuComputeBackend(Cxdi.Plugins.Phasing.Fft.FftPreference.Auto, 2);
        var data = Simulator.Simulate(new SimulateOptions { Size = 128, Photons = 1e9, Seed = 3, GapWidth = 2, GapOffsets = [20] }, backend);
        var w = Stopwatch.StartNew();
        var set = new PhasePlugin().Reconstruct(data, new PhaseOptions { Runs = 4, Keep = 2, Support = InitialSupportSource.Autocorrelation }, StepContext.None);
        output.WriteLine($"{w.Elapsed.TotalSeconds:F2} s");
        foreach (var r in set.Runs)
        {
            if (r.Object.Length > 0) output.WriteLine($"err {Quality.Error(data.GroundTruth!, r.Object, data.Shape, backend):F4}");
            output.WriteLine($"run {r.Index} {r.State} llk {r.Llk:G4} free {r.FreeLlk:G4} sup {r.SupportSize} out {r.EnergyOutsideSupport:F3} rm {r.RMatch} {r.Seconds:F2}s {r.Reason}");
        }

        output.WriteLine($"truth support {data.GroundTruth!.Count(z => z.Norm2 > 0)}; error {Quality.Error(data.GroundTruth!, set.Average!, data.Shape, backend):F4}; prtf cutoff {set.PrtfCutoff}");
    }
}
