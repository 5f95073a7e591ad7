using Cxdi.Plugins.Phasing.Support;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Phasing.Engine;

/// <summary>
/// Detects a collapsed support: the autocorrelation of an object lies inside the autocorrelation of its support, so a
/// support whose own autocorrelation (S ⋆ S) misses much of the region where the measured autocorrelation stands above
/// its noise cannot hold the object: shrink-wrap kept a few bright islands (a flat object's cross and corners, the
/// brightest parts of a sparse one). Measured once per pattern; the check costs one transform pair per run.
/// </summary>
internal sealed class SupportCoverage
{
    /// <summary>Significance of the measured autocorrelation region, in robust standard deviations of its noise.</summary>
    internal const double Significance = 10;

    private readonly byte[] region;
    private readonly long regionSize;

    private SupportCoverage(Shape shape, byte[] region)
    {
        Shape = shape;
        this.region = region;
        regionSize = ArrayTools.Count(region);
    }

    public Shape Shape { get; }

    /// <summary>The significant region of the measured autocorrelation (unknown pixels filled), centred.</summary>
    public static SupportCoverage Measure(DiffractionData data, IComputeBackend backend) => Measure(data.Shape, Autocorrelation.Amplitude(data, backend));

    /// <summary>The significant region of a centred autocorrelation <paramref name="amplitude"/> (not changed).</summary>
    public static SupportCoverage Measure(Shape shape, float[] amplitude) => new(shape, Autocorrelation.Significant(amplitude, shape, Significance, sigma: 2));

    /// <summary>For tests: a coverage check against a given region.</summary>
    internal static SupportCoverage FromRegion(Shape shape, byte[] region) => new(shape, region);

    /// <summary>The fraction of the measured autocorrelation region covered by S ⋆ S of a centred <paramref name="support"/> (grown by <see cref="Tolerance"/> px for the blur of the region); 1 when the region is empty.</summary>
    public double Coverage(byte[] support, IComputeBackend backend)
    {
        if (regionSize == 0)
        {
            return 1;
        }

        var own = AutocorrelationOf(support, Shape, backend);
        Autocorrelation.Dilate(own, Shape, Tolerance);
        long covered = 0;
        for (long i = 0; i < own.Length; i++)
        {
            covered += region[i] != 0 && own[i] != 0 ? 1 : 0;
        }

        return covered / (double)regionSize;
    }

    /// <summary>Pixels by which S ⋆ S is grown before the comparison: the measured region is blurred by 2 px.</summary>
    internal const int Tolerance = 3;

    /// <summary>The support of S ⋆ S (where at least one pair of support pixels overlaps), centred.</summary>
    internal static byte[] AutocorrelationOf(byte[] support, Shape shape, IComputeBackend backend)
    {
        var values = new Complex32[support.Length];
        for (long i = 0; i < values.Length; i++)
        {
            values[i] = new Complex32(support[i], 0);
        }

        backend.Transform(values, shape, FftDirection.Forward);
        for (long i = 0; i < values.Length; i++)
        {
            values[i] = new Complex32(values[i].Norm2, 0);
        }

        backend.Transform(values, shape, FftDirection.Inverse);

        // S ⋆ S counts overlapping pairs (0.5 allows for rounding); its origin is index 0.
        var pairs = new byte[values.Length];
        for (long i = 0; i < values.Length; i++)
        {
            pairs[i] = values[i].Re > 0.5f ? (byte)1 : (byte)0;
        }

        return ArrayTools.FftShift<byte>(pairs, shape);
    }
}
