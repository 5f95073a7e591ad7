using Cxdi.Plugins.Phasing.Compute;
using Cxdi.Plugins.Phasing.Engine;
using Cxdi.Plugins.Phasing.Fft;
using Cxdi.Plugins.Phasing.Simulation;
using Cxdi.Plugins.Phasing.Support;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;

namespace Cxdi.Plugins.Phasing.Tests;

/// <summary>The zero frequency of patterns whose intensity centroid is off (asymmetric masks), and results that canonicalisation leaves as they are.</summary>
public sealed class CentringTests
{
    private static readonly CpuComputeBackend Backend = new(FftPreference.Managed, 1);

    /// <summary>The pattern of an asymmetric real object (an L of random amplitudes), its zero frequency moved to <paramref name="centre"/>, with a beamstop off to one side, a detector gap and a dead band on one side only.</summary>
    private static DiffractionData AsymmetricPattern(int n, int[] centre, int seed, float phase = 0)
    {
        var shape = Shape.Of(n, n);
        var random = new Random(seed);
        var obj = new Complex32[shape.Length];
        for (var y = 0; y < n; y++)
        {
            for (var x = 0; x < n; x++)
            {
                int dy = y - (n / 2), dx = x - (n / 2);
                var inL = (Math.Abs(dy) < 14 && Math.Abs(dx + 4) < 8) || (dy > 4 && dy < 14 && dx > -4 && dx < 18);
                if (inL)
                {
                    obj[(y * n) + x] = Complex32.FromPolar(0.5f + (0.5f * (float)random.NextDouble()), phase * (float)Math.Sin(dy / 7.0));
                }
            }
        }

        var wave = ArrayTools.IfftShift<Complex32>(obj, shape);
        Backend.Transform(wave, shape, FftDirection.Forward);
        var centred = ArrayTools.FftShift<Complex32>(wave, shape);
        var total = centred.Sum(z => (double)z.Norm2);
        var intensity = new float[shape.Length];
        var mask = new uint[shape.Length];
        for (var y = 0; y < n; y++)
        {
            for (var x = 0; x < n; x++)
            {
                // The pattern's pixel (y, x) is frequency (y − centre) of the simulation.
                var source = (ArrayTools.Mod(y - centre[1] + (n / 2), n) * n) + ArrayTools.Mod(x - centre[2] + (n / 2), n);
                intensity[(y * n) + x] = (float)Math.Round(1e8 * centred[source].Norm2 / total);
                int dy = y - centre[1], dx = x - centre[2];
                var masked = (dy >= -3 && dy <= 3 && dx >= -2 && dx <= 6) || (dx >= 9 && dx <= 12) || (dy >= 20 && dy <= 22);
                mask[(y * n) + x] = masked ? (uint)MaskFlags.Gap : 0;
            }
        }

        return new DiffractionData(shape, intensity, mask);
    }

    [Theory]
    [InlineData(60, 69, 1)]
    [InlineData(64, 65, 2)]
    [InlineData(69, 59, 3)]
    public void AsymmetricMask_CentreOfSymmetryIsExact_WhereTheCentroidIsAPixelOff(int cy, int cx, int seed)
    {
        var data = AsymmetricPattern(128, [0, cy, cx], seed);
        var centroid = ZeroFrequency.Centroid(data);
        Assert.True(Math.Round(centroid[1]) != cy || Math.Round(centroid[2]) != cx, $"the test needs a centroid that rounds a pixel off: {centroid[1]:F2}, {centroid[2]:F2}");

        var prepared = PreparedData.Create(data, 0, 1, PatternCentering.Auto, Backend);
        Assert.Equal([0, cy, cx], prepared.Centre);
        Assert.InRange(prepared.SubPixelCentre[1], cy - 0.15, cy + 0.15);
        Assert.InRange(prepared.SubPixelCentre[2], cx - 0.15, cx + 0.15);
    }

    [Fact]
    public void WeaklyComplexObject_CentreOfSymmetryStillExact()
    {
        var data = AsymmetricPattern(128, [0, 62, 67], 4, phase: 0.3f);
        Assert.Equal([0, 62, 67], PreparedData.Create(data, 0, 1, PatternCentering.Auto, Backend).Centre);
    }

    [Fact]
    public void KeepOne_ResultIsTheKeptRun_Unchanged()
    {
        var data = Simulator.Simulate(new SimulateOptions { Dims = 2, Size = 64, Oversampling = 3, Photons = 1e9, Seed = 21, BeamstopRadius = 0.3 }, Backend);
        var plugin = new PhasePlugin();
        var options = new PhaseOptions { Operators = "ER**20 * (Sup * ER**5 * HIO**20)**3 * HIO**40", Runs = 2, Keep = 1, Seed = 3, Threads = 1, ParallelRuns = 1 };
        var alone = plugin.Reconstruct(data, options with { Runs = 1 }, StepContext.None).Runs[0].Object;
        var set = plugin.Reconstruct(data, options, StepContext.None);
        var kept = Assert.Single(set.Runs, r => r.State == RunState.Kept);
        Assert.Equal(kept.Object, set.Average);
        if (kept.Index == 0)
        {
            Assert.Equal(alone, set.Average);
        }
    }
}
