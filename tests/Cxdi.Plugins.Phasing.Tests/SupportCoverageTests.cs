using Cxdi.Plugins.Phasing.Compute;
using Cxdi.Plugins.Phasing.Engine;
using Cxdi.Plugins.Phasing.Fft;
using Cxdi.Plugins.Phasing.Simulation;
using Cxdi.Plugins.Phasing.Support;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;

namespace Cxdi.Plugins.Phasing.Tests;

/// <summary>The mask-aware autocorrelation and the collapse check built on it.</summary>
public sealed class SupportCoverageTests
{
    private static readonly CpuComputeBackend Backend = new(FftPreference.Managed, 1);

    /// <summary>A flat rectangle (the object whose runs collapse to a cross and corners) and its pattern at 1e9 photons, centred.</summary>
    private static (byte[] Support, DiffractionData Data) FlatRectangle(int n, uint[]? mask = null)
    {
        var shape = Shape.Of(n, n);
        var support = new byte[shape.Length];
        var obj = new Complex32[shape.Length];
        for (var y = (n / 2) - 10; y < (n / 2) + 10; y++)
        {
            for (var x = (n / 2) - 16; x < (n / 2) + 14; x++)
            {
                support[(y * n) + x] = 1;
                obj[(y * n) + x] = new Complex32(1, 0);
            }
        }

        var wave = ArrayTools.IfftShift<Complex32>(obj, shape);
        Backend.Transform(wave, shape, FftDirection.Forward);
        var centred = ArrayTools.FftShift<Complex32>(wave, shape);
        var total = centred.Sum(z => (double)z.Norm2);
        var intensity = centred.Select(z => (float)Math.Round(1e9 * z.Norm2 / total)).ToArray();
        return (support, new DiffractionData(shape, intensity, mask));
    }

    [Fact]
    public void TheObjectsSupportCoversTheMeasuredAutocorrelation_ItsBrightIslandsDoNot()
    {
        var (support, data) = FlatRectangle(128);
        var coverage = SupportCoverage.Measure(data, Backend);
        Assert.True(coverage.Coverage(support, Backend) > 0.95, $"true support {coverage.Coverage(support, Backend):F3}");

        // What a collapsed run keeps: the four corners of the rectangle.
        var islands = new byte[support.Length];
        foreach (var (cy, cx) in new[] { (54, 48), (54, 77), (73, 48), (73, 77) })
        {
            for (var y = cy - 1; y <= cy + 1; y++)
            {
                for (var x = cx - 1; x <= cx + 1; x++)
                {
                    islands[(y * 128) + x] = 1;
                }
            }
        }

        Assert.True(coverage.Coverage(islands, Backend) < 0.5, $"islands {coverage.Coverage(islands, Backend):F3}");
    }

    [Fact]
    public void BeamstopFill_TheSignificantAutocorrelationCoversMoreOfTheTrueOne()
    {
        // A compact random object, a beamstop of two speckles' radius: the zeros there hide most of the energy.
        var simulation = new SimulateOptions { Dims = 2, Size = 128, Oversampling = 3, Photons = 1e8, Seed = 31, BeamstopRadius = 2 };
        var data = Simulator.Simulate(simulation, Backend);
        var truth = data.GroundTruth!.Select(z => z.Norm2 > 0 ? (byte)1 : (byte)0).ToArray();
        var filled = SupportCoverage.FromRegion(data.Shape, Autocorrelation.Significant(Autocorrelation.Amplitude(data, Backend), data.Shape, SupportCoverage.Significance, 2));
        var zeros = SupportCoverage.FromRegion(data.Shape, Autocorrelation.Significant(Autocorrelation.Amplitude(data, Backend, fillIterations: 0), data.Shape, SupportCoverage.Significance, 2));
        var trueAutocorrelation = SupportCoverage.AutocorrelationOf(truth, data.Shape, Backend);
        var filledCover = Cover(trueAutocorrelation, Autocorrelation.Significant(Autocorrelation.Amplitude(data, Backend), data.Shape, SupportCoverage.Significance, 2));
        var zerosCover = Cover(trueAutocorrelation, Autocorrelation.Significant(Autocorrelation.Amplitude(data, Backend, fillIterations: 0), data.Shape, SupportCoverage.Significance, 2));
        Assert.True(filledCover > zerosCover + 0.1, $"share of the true autocorrelation support found: zeros {zerosCover:F3}, filled {filledCover:F3}");
        Assert.True(filled.Coverage(truth, Backend) > 0.95, $"true support covers {filled.Coverage(truth, Backend):F3} of the filled region");
        Assert.True(zeros.Coverage(truth, Backend) > 0.95, $"true support covers {zeros.Coverage(truth, Backend):F3} of the zero-filled region");
    }

    private static double Cover(byte[] target, byte[] region) =>
        target.Zip(region, (t, r) => t != 0 && r != 0 ? 1.0 : 0.0).Sum() / target.Count(t => t != 0);

    [Fact]
    public void CollapsedRuns_AreRetried_ThenRejectedWithTheReason()
    {
        var data = Simulator.Simulate(new SimulateOptions { Dims = 2, Size = 64, Oversampling = 3, Photons = 1e9, Seed = 8 }, Backend);

        // A shrink-wrap at 95 % of the maximum keeps only the brightest pixels: a collapse by construction.
        var options = new PhaseOptions
        {
            Operators = "ER**10 * (Sup * ER**5 * HIO**10)**4",
            Runs = 2,
            Keep = 1,
            Threads = 1,
            ParallelRuns = 1,
            SupportThreshold = 0.95,
            SupportThresholdReference = SupportThresholdReference.Max,
            SupportRetries = 1,
            SupportMinFraction = 0,
        };
        var error = Assert.ThrowsAny<Cxdi.Sdk.Errors.CxdiException>(() => new PhasePlugin().Reconstruct(data, options, StepContext.None));
        Assert.True(error.Message.Contains("support collapsed", StringComparison.Ordinal), error.Message);
        Assert.Contains("attempt 1: support collapsed", error.Message);
        Assert.Contains("support collapsed: its autocorrelation covers", error.Message);

        // Without the check the same runs are kept, their energy outside the support ignored as well.
        var relaxed = new PhasePlugin().Reconstruct(data, options with { SupportMinCoverage = 0, MaxOutsideEnergy = 1 }, StepContext.None);
        Assert.Contains(relaxed.Runs, r => r.State == RunState.Kept);
    }
}
