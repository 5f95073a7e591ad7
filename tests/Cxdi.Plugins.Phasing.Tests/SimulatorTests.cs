using Cxdi.Plugins.Phasing.Compute;
using Cxdi.Plugins.Phasing.Simulation;
using Cxdi.Plugins.Phasing.Support;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Roles;

namespace Cxdi.Plugins.Phasing.Tests;

public sealed class SimulatorTests
{
    [Fact]
    public void Simulate2D_PhotonsMaskAndTruthAsAsked()
    {
        IDataReader reader = new SimulateReader();
        var options = new SimulateOptions { Size = 128, Oversampling = 4, Photons = 1e8, Seed = 4, BeamstopRadius = 1, GapWidth = 3, GapOffsets = [20] };
        var data = reader.Read(new DataPath(""), options, StepContext.None);
        Assert.Equal(Shape.Of(128, 128), data.Shape);
        Assert.Equal(reader.Probe(new DataPath(""), options).Shape, data.Shape);
        var truth = Assert.IsType<Complex32[]>(data.GroundTruth);

        // The object fits in a disc of diameter size / oversampling around the centre and is not empty.
        var radius = 128 / 4.0 / 2;
        for (var y = 0; y < 128; y++)
        {
            for (var x = 0; x < 128; x++)
            {
                if (truth[(y * 128) + x].Norm2 > 0)
                {
                    Assert.True(Math.Sqrt(((y - 64) * (y - 64)) + ((x - 64) * (x - 64))) <= radius + 1e-9);
                }
            }
        }

        Assert.True(truth.Count(z => z.Norm2 > 0) > 100);

        // Beamstop: a disc of one speckle (4 px) radius at the centre; gaps: 3-pixel stripes at offset 20.
        Assert.Equal((uint)MaskFlags.Beamstop, data.Mask[(64 * 128) + 64] & (uint)MaskFlags.Beamstop);
        Assert.Equal(0u, data.Mask[(64 * 128) + 69] & (uint)MaskFlags.Beamstop);
        Assert.NotEqual(0u, data.Mask[(84 * 128) + 5] & (uint)MaskFlags.Gap);
        Assert.NotEqual(0u, data.Mask[(5 * 128) + 83] & (uint)MaskFlags.Gap);
        Assert.Equal(0u, data.Mask[(5 * 128) + 5]);
        Assert.All(Enumerable.Range(0, data.Mask.Length).Where(i => data.Mask[i] != 0), i => Assert.Equal(0f, data.Intensity[i]));

        // Photon counts are integers summing to about the requested total (minus what the mask hides).
        Assert.All(data.Intensity, v => Assert.Equal(Math.Round(v), v));
        var total = data.Intensity.Sum(v => (double)v);
        Assert.InRange(total, 0.3e8, 1.0e8 * 1.001);

        // The pattern is |FT(truth)|² up to noise: check a strong pixel against the noiseless value.
        using var backend = new CpuComputeBackend(Cxdi.Plugins.Phasing.Fft.FftPreference.Managed, 1);
        var f = ArrayTools.IfftShift<Complex32>(truth, data.Shape);
        backend.Transform(f, data.Shape, Cxdi.Sdk.Compute.FftDirection.Forward);
        var noiseless = ArrayTools.FftShift<Complex32>(f, data.Shape).Select(z => (double)z.Norm2).ToArray();
        var scale = 1e8 / noiseless.Sum();
        var probe = (64 * 128) + 64 + 6;
        var expected = noiseless[probe] * scale;
        Assert.InRange(data.Intensity[probe], expected - (6 * Math.Sqrt(expected)) - 1, expected + (6 * Math.Sqrt(expected)) + 1);
    }

    [Fact]
    public void Simulate_SameSeedSameData_3DShape()
    {
        using var backend = new CpuComputeBackend(Cxdi.Plugins.Phasing.Fft.FftPreference.Managed, 1);
        var options = new SimulateOptions { Dims = 3, Size = 32, Oversampling = 4, Photons = 1e7, Seed = 9, Complex = false };
        var a = Simulator.Simulate(options, backend);
        var b = Simulator.Simulate(options, backend);
        Assert.Equal(Shape.Of(32, 32, 32), a.Shape);
        Assert.Equal(a.Intensity, b.Intensity);
        Assert.All(a.GroundTruth!, z => Assert.Equal(0f, z.Im));
    }

    [Fact]
    public void SimulateOptions_RejectGapsOutsideThePattern()
    {
        var problems = new SimulateOptions { Size = 64, GapWidth = 2, GapOffsets = [40] }.Validate().ToList();
        Assert.Single(problems);
        Assert.Equal("GapOffsets", problems[0].Key);
    }
}
