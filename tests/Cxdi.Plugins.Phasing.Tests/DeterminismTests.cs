using Cxdi.Plugins.Phasing.Engine;
using Cxdi.Plugins.Phasing.Simulation;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;

namespace Cxdi.Plugins.Phasing.Tests;

public sealed class DeterminismTests
{
    private static readonly SimulateOptions Simulation = new() { Size = 64, Oversampling = 4, Photons = 1e8, Seed = 21, GapWidth = 2, GapOffsets = [9] };

    [Theory]
    [InlineData("cpu-managed", 0.0)]
    [InlineData("cpu", 1e-5)]
    public void SameSeedAndBackend_GiveTheSameResult(string backend, double tolerance)
    {
        var a = Run(backend, threads: 2);
        var b = Run(backend, threads: 2);
        Assert.Equal(a.Runs.Select(r => r.Seed), b.Runs.Select(r => r.Seed));
        for (var r = 0; r < a.Runs.Count; r++)
        {
            Assert.Equal(a.Runs[r].State, b.Runs[r].State);
            var diff = RelativeDifference(a.Runs[r].Object, b.Runs[r].Object);
            if (tolerance == 0)
            {
                Assert.Equal(a.Runs[r].Object, b.Runs[r].Object);
                Assert.Equal(a.Runs[r].Llk, b.Runs[r].Llk);
            }
            else
            {
                Assert.True(diff <= tolerance, $"run {r}: relative difference {diff:G3}");
            }
        }

        Assert.True(RelativeDifference(a.Average!, b.Average!) <= tolerance);
    }

    [Fact]
    public void RunSeeds_AreBasePlusIndex_AndDifferentSeedsDiffer()
    {
        var a = Run("cpu-managed", threads: 1, seed: 100);
        Assert.Equal([100L, 101L], a.Runs.Select(r => r.Seed));
        var c = Run("cpu-managed", threads: 1, seed: 200);
        Assert.NotEqual(a.Runs[0].Object, c.Runs[0].Object);
    }

    internal static double RelativeDifference(Complex32[] a, Complex32[] b)
    {
        double num = 0, den = 0;
        for (var i = 0; i < a.Length; i++)
        {
            num += (a[i] - b[i]).Norm2;
            den += a[i].Norm2;
        }

        return Math.Sqrt(num / Math.Max(den, 1e-30));
    }

    private static ReconstructionSet Run(string backend, int threads, long seed = 7)
    {
        using var simulator = new Compute.CpuComputeBackend(Cxdi.Plugins.Phasing.Fft.FftPreference.Managed, 1);
        var data = Simulator.Simulate(Simulation, simulator);
        return new PhasePlugin().Reconstruct(data, new PhaseOptions
        {
            Operators = "ER**20 * (Sup * ER**5 * HIO**20)**3 * HIO**30",
            Runs = 2,
            Keep = 2,
            Seed = seed,
            Threads = threads,
            Backend = backend,
        }, StepContext.None);
    }
}
