using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;

namespace Cxdi.Sdk.Tests;

public sealed record SmoothingOptions : PluginOptions
{
    /// <summary>Half-width of the square window, in pixels.</summary>
    public int Radius { get; init; } = 1;
}

/// <summary>A real (if simple) denoiser: each measured pixel becomes the mean of the measured pixels in its window; unknown pixels are left alone.</summary>
[CxdiPlugin("test.box-smooth", "1.0.0")]
public sealed class BoxSmoothing : DenoiserBase<SmoothingOptions>
{
    protected override DiffractionData Denoise(DiffractionData input, SmoothingOptions options, StepContext context)
    {
        var (ny, nx) = (input.Shape.Ny, input.Shape.Nx);
        var result = input.Clone();
        for (var z = 0; z < input.Shape.Nz; z++)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            var plane = (long)z * ny * nx;
            for (var y = 0; y < ny; y++)
            {
                for (var x = 0; x < nx; x++)
                {
                    var i = plane + ((long)y * nx) + x;
                    if (!input.IsMeasured(i))
                    {
                        continue;
                    }

                    double sum = 0;
                    var n = 0;
                    for (var yy = Math.Max(0, y - options.Radius); yy <= Math.Min(ny - 1, y + options.Radius); yy++)
                    {
                        for (var xx = Math.Max(0, x - options.Radius); xx <= Math.Min(nx - 1, x + options.Radius); xx++)
                        {
                            var k = plane + ((long)yy * nx) + xx;
                            if (input.IsMeasured(k))
                            {
                                sum += input.Intensity[k];
                                n++;
                            }
                        }
                    }

                    result.Intensity[i] = (float)(sum / n);
                }
            }
        }

        return result;
    }
}

/// <summary>A faulty denoiser: what it returns is chosen by the test.</summary>
public sealed class FaultyDenoiser(Func<DiffractionData, DiffractionData> body) : DenoiserBase<NoOptions>
{
    protected override DiffractionData Denoise(DiffractionData input, NoOptions options, StepContext context) => body(input);
}

public sealed class DenoiserBaseTests
{
    private static DiffractionData NoisyFlatField(int ny = 16, int nx = 16)
    {
        var random = new Random(7);
        var intensity = new float[ny * nx];
        for (var i = 0; i < intensity.Length; i++)
        {
            intensity[i] = 100f + (float)((random.NextDouble() - 0.5) * 40);
        }

        var data = new DiffractionData(Shape.Of(ny, nx), intensity);
        data.Mask[0] = (uint)MaskFlags.Beamstop;
        data.Mask[(5 * nx) + 5] = (uint)MaskFlags.Hot;
        data.Intensity[(5 * nx) + 5] = 1e6f;
        return data;
    }

    private static double Variance(DiffractionData data)
    {
        var measured = Enumerable.Range(0, data.Intensity.Length).Where(i => data.IsMeasured(i)).Select(i => (double)data.Intensity[i]).ToArray();
        var mean = measured.Average();
        return measured.Sum(v => (v - mean) * (v - mean)) / measured.Length;
    }

    [Fact]
    public void Denoise_Smoothing_ReducesNoiseKeepsShapeAndFlags()
    {
        var input = NoisyFlatField();
        IDenoiser denoiser = new BoxSmoothing();

        var output = denoiser.Denoise(input, new SmoothingOptions(), StepContext.None);

        Assert.Equal(input.Shape, output.Shape);
        Assert.Equal(input.Mask, output.Mask);
        Assert.Equal((uint)MaskFlags.Hot, output.Mask[(5 * 16) + 5]);
        Assert.Equal(1e6f, output.Intensity[(5 * 16) + 5]);
        Assert.True(Variance(output) < Variance(input) / 3, $"variance {Variance(output)} vs {Variance(input)}");
        Assert.All(Enumerable.Range(0, output.Intensity.Length).Where(i => output.IsMeasured(i)), i => Assert.InRange(output.Intensity[i], 80f, 120f));
        Assert.Equal(typeof(SmoothingOptions), denoiser.OptionsType);
    }

    [Fact]
    public void Denoise_WrongShape_IsRejectedNamingBothShapes()
    {
        var denoiser = new FaultyDenoiser(input => new DiffractionData(Shape.Of(8, 8), new float[64]));

        var error = Assert.Throws<InvalidOperationException>(() => denoiser.Denoise(NoisyFlatField(), new NoOptions(), StepContext.None));

        Assert.Contains("returned shape 8x8 for an input of shape 16x16", error.Message, StringComparison.Ordinal);
        Assert.Contains("must keep the shape", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Denoise_ClearedFlags_AreRejected()
    {
        var denoiser = new FaultyDenoiser(input =>
        {
            var output = input.Clone();
            Array.Clear(output.Mask);
            return output;
        });

        var error = Assert.Throws<InvalidOperationException>(() => denoiser.Denoise(NoisyFlatField(), new NoOptions(), StepContext.None));

        Assert.Contains("cleared mask flags at 2 pixel(s)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Denoise_InPlaceClearingFlags_IsRejected()
    {
        var denoiser = new FaultyDenoiser(input =>
        {
            input.Mask[0] = 0;
            return input;
        });

        var error = Assert.Throws<InvalidOperationException>(() => denoiser.Denoise(NoisyFlatField(), new NoOptions(), StepContext.None));

        Assert.Contains("cleared mask flags at 1 pixel(s) (first at index 0)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Denoise_AddedFlags_AreAccepted()
    {
        var denoiser = new FaultyDenoiser(input =>
        {
            var output = input.Clone();
            output.Mask[3] |= (uint)MaskFlags.Invalid;
            output.Intensity[3] = float.NaN;
            return output;
        });

        var output = denoiser.Denoise(NoisyFlatField(), new NoOptions(), StepContext.None);

        Assert.False(output.IsMeasured(3));
    }

    [Fact]
    public void Denoise_NaNAtMeasuredPixel_IsRejected()
    {
        var denoiser = new FaultyDenoiser(input =>
        {
            var output = input.Clone();
            output.Intensity[3] = float.NaN;
            output.Intensity[4] = float.PositiveInfinity;
            return output;
        });

        var error = Assert.Throws<InvalidOperationException>(() => denoiser.Denoise(NoisyFlatField(), new NoOptions(), StepContext.None));

        Assert.Contains("NaN or infinite intensities at 2 measured pixel(s)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Denoise_NullResult_IsRejected()
    {
        var denoiser = new FaultyDenoiser(_ => null!);

        var error = Assert.Throws<InvalidOperationException>(() => denoiser.Denoise(NoisyFlatField(), new NoOptions(), StepContext.None));

        Assert.Contains("returned no data", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Denoise_CancelledBefore_ThrowsWithoutCallingThePlugin()
    {
        var called = false;
        var denoiser = new FaultyDenoiser(input =>
        {
            called = true;
            return input;
        });
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => denoiser.Denoise(NoisyFlatField(), new NoOptions(), new StepContext { Cancellation = cts.Token }));
        Assert.False(called);
    }

    [Fact]
    public void Denoise_CancelledDuring_Throws()
    {
        using var cts = new CancellationTokenSource();
        var denoiser = new FaultyDenoiser(input =>
        {
            cts.Cancel();
            return input;
        });

        Assert.ThrowsAny<OperationCanceledException>(() => denoiser.Denoise(NoisyFlatField(), new NoOptions(), new StepContext { Cancellation = cts.Token }));
    }

    [Fact]
    public void Denoise_OptionsOfAnotherPlugin_AreRejected()
    {
        IDenoiser denoiser = new BoxSmoothing();

        var error = Assert.Throws<ArgumentException>(() => denoiser.Denoise(NoisyFlatField(), new NoOptions(), StepContext.None));

        Assert.Contains("takes SmoothingOptions options, not NoOptions", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Denoise_Stack_SmoothsEachFrameAndKeepsShape()
    {
        var data = new DiffractionData(Shape.Of(2, 4, 4), [.. Enumerable.Range(0, 32).Select(i => (float)(i % 2 == 0 ? 10 : 20))]);

        var output = new BoxSmoothing().Denoise(data, new SmoothingOptions { Radius = 3 }, StepContext.None);

        Assert.Equal(data.Shape, output.Shape);
        Assert.All(output.Intensity, v => Assert.Equal(15f, v, 3));
    }

    [Fact]
    public void Denoise_SetsRawIntensity_FromInputCountsEvenWhenDenoisedInPlace()
    {
        var input = NoisyFlatField();
        var counts = (float[])input.Intensity.Clone();
        var inPlace = new FaultyDenoiser(d =>
        {
            Array.Fill(d.Intensity, 100f);
            return d;
        });

        var output = inPlace.Denoise(input, new NoOptions(), StepContext.None);

        Assert.Equal(counts, output.RawIntensity);
        Assert.All(output.Intensity, v => Assert.Equal(100f, v));

        // A second denoiser keeps the first one's raw counts, not its denoised output; Clone copies them.
        var again = new BoxSmoothing().Denoise(output, new SmoothingOptions(), StepContext.None);
        Assert.Equal(counts, again.RawIntensity);
        var copy = again.Clone();
        Assert.Equal(counts, copy.RawIntensity);
        Assert.NotSame(again.RawIntensity, copy.RawIntensity);
    }

    [Fact]
    public void Denoise_BoundsOfInput_AreHandedOn_AndOneSidedBoundsAreRejected()
    {
        var input = NoisyFlatField();
        var lower = new float[input.Intensity.Length];
        var upper = new float[input.Intensity.Length];
        Array.Fill(lower, float.NaN);
        Array.Fill(upper, float.NaN);
        (lower[0], upper[0]) = (50f, 150f);
        (input.LowerBound, input.UpperBound) = (lower, upper);

        var output = new BoxSmoothing().Denoise(input, new SmoothingOptions(), StepContext.None);
        Assert.Equal(50f, output.LowerBound![0]);
        Assert.Equal(150f, output.UpperBound![0]);
        Assert.True(float.IsNaN(output.LowerBound[1]));

        var oneSided = new FaultyDenoiser(d =>
        {
            var r = d.Clone();
            r.UpperBound = null;
            return r;
        });
        var error = Assert.Throws<InvalidOperationException>(() => oneSided.Denoise(input, new NoOptions(), StepContext.None));
        Assert.Contains("only one intensity bound", error.Message, StringComparison.Ordinal);
    }
}
