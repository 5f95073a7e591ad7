using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Ml.Denoising;

/// <summary>
/// The learned linear 3D denoising filter (feature contract <see cref="Contract"/>): on the Anscombe scale A = 2√(I + 3/8),
/// each measured voxel's estimate is A(centre) + ŷ with ŷ = Σₚ wₚ·fₚ + w_c·A(centre) + b, where fₚ is the mean of
/// A(centre + oₚ) − A(centre) and A(centre − oₚ) − A(centre) over the centrosymmetric pair p of offsets within the
/// (2R+1)³ stencil (an unknown or outside neighbour contributes 0). The weights depend on the voxel's level — the mean
/// A of the measured voxels of its 3×3×3 neighbourhood — through fixed bins (<see cref="Edges"/>): one least-squares fit per
/// bin, so low-count voxels are smoothed hard and bright voxels barely. λ̂ = ((A + ŷ)/2)² − 3/8, clamped at 0.
/// </summary>
internal sealed class LinearFilter3D
{
    /// <summary>The feature contract id recorded in model provenance.</summary>
    public const string Contract = "anscombe-3d-centrosymmetric-pairs+centre+bias, 3x3x3-level bins/v1";

    /// <summary>Level bin edges (Anscombe units of the 3×3×3 mean): λ ≈ 0.05, 0.15, … 3000 counts.</summary>
    public static readonly float[] Edges = [1.3f, 1.45f, 1.6f, 1.8f, 2.05f, 2.35f, 2.7f, 3.1f, 3.6f, 4.2f, 5f, 6f, 7.5f, 9.5f, 12f, 16f, 22f, 30f, 45f, 70f, 110f];

    /// <summary>Creates a filter of stencil half-width <paramref name="radius"/> with one weight row per level bin.</summary>
    public LinearFilter3D(int radius, float[][] weights)
    {
        if (radius is < 1 or > 3)
        {
            throw new ArgumentOutOfRangeException(nameof(radius), radius, "the stencil half-width is 1, 2 or 3 voxels");
        }

        Radius = radius;
        Pairs = PairOffsets(radius);
        if (weights.Length != Bins || weights.Any(w => w.Length != Width))
        {
            throw new ArgumentException($"a radius-{radius} filter needs {Bins} rows of {Width} weights", nameof(weights));
        }

        Weights = weights;
    }

    /// <summary>Stencil half-width R in voxels.</summary>
    public int Radius { get; }

    /// <summary>The first offset (dz, dy, dx) of each centrosymmetric pair, the other being its negative.</summary>
    public (int Dz, int Dy, int Dx)[] Pairs { get; }

    /// <summary>Level bins: one more than the edges.</summary>
    public static int Bins => Edges.Length + 1;

    /// <summary>Weights per bin: one per pair, then the centre's, then the bias.</summary>
    public int Width => Pairs.Length + 2;

    /// <summary>Weights per bin, <see cref="Bins"/> × <see cref="Width"/>.</summary>
    public float[][] Weights { get; }

    /// <summary>Number of centrosymmetric pairs in a (2R+1)³ stencil, ((2R+1)³ − 1)/2.</summary>
    public static int PairCount(int radius) => ((((2 * radius) + 1) * ((2 * radius) + 1) * ((2 * radius) + 1)) - 1) / 2;

    /// <summary>The offsets whose first non-zero component is positive, slowest axis first.</summary>
    public static (int Dz, int Dy, int Dx)[] PairOffsets(int radius)
    {
        var list = new List<(int, int, int)>();
        for (var dz = -radius; dz <= radius; dz++)
        {
            for (var dy = -radius; dy <= radius; dy++)
            {
                for (var dx = -radius; dx <= radius; dx++)
                {
                    if (dz > 0 || (dz == 0 && (dy > 0 || (dy == 0 && dx > 0))))
                    {
                        list.Add((dz, dy, dx));
                    }
                }
            }
        }

        return [.. list];
    }

    /// <summary>The bin of a 3×3×3 mean level.</summary>
    public static int Bin(float level)
    {
        var b = 0;
        while (b < Edges.Length && level >= Edges[b])
        {
            b++;
        }

        return b;
    }

    /// <summary>Denoises the measured voxels of a volume; unknown voxels keep their values.</summary>
    public float[] Apply(float[] counts, uint[] mask, int nz, int ny, int nx, CancellationToken cancel = default)
    {
        var grid = new PaddedVolume(counts, mask, nz, ny, nx, Radius);
        var output = (float[])counts.Clone();
        var offsets = grid.Offsets(Pairs);
        var half = Weights.Select(row => row.Take(Pairs.Length).Select(w => w / 2).ToArray()).ToArray();
        Parallel.For(0, nz, new ParallelOptions { CancellationToken = cancel }, z =>
        {
            for (var y = 0; y < ny; y++)
            {
                var i = (((long)z * ny) + y) * nx;
                var j = grid.Index(z, y, 0);
                for (var x = 0; x < nx; x++, i++, j++)
                {
                    if ((mask[i] & (uint)MaskFlags.Unknown) != 0)
                    {
                        continue;
                    }

                    var centre = grid.KnownA[j];
                    var bin = Bin(grid.Level(j));
                    var h = half[bin];
                    float s1 = 0, s2 = 0;
                    for (var p = 0; p < offsets.Length; p++)
                    {
                        var o = offsets[p];
                        s1 += h[p] * (grid.KnownA[j + o] + grid.KnownA[j - o]);
                        s2 += h[p] * (grid.Known[j + o] + grid.Known[j - o]);
                    }

                    var w = Weights[bin];
                    var estimate = centre + s1 - (centre * s2) + (w[Pairs.Length] * centre) + w[Pairs.Length + 1];
                    var value = PatchFeatures.Inverse(estimate);
                    output[i] = float.IsFinite(value) ? value : counts[i];
                }
            }
        });
        return output;
    }

    /// <summary>RMSE of √I against √(expected) over the measured voxels.</summary>
    public static double AmplitudeRmse(float[] intensity, float[] expected, uint[] mask) => DenoiserTraining.AmplitudeRmse(intensity, expected, mask);
}

/// <summary>
/// A volume on the Anscombe scale with a border of unknown voxels, so stencils need no bounds checks: <see cref="KnownA"/>
/// holds A at measured voxels and 0 elsewhere, <see cref="Known"/> 1 at measured voxels and 0 elsewhere.
/// </summary>
internal sealed class PaddedVolume
{
    private readonly int border;
    private readonly int py;
    private readonly int px;
    private readonly long plane;

    /// <summary>Builds the padded arrays of <paramref name="counts"/> with a border of <paramref name="radius"/> voxels (at least 1).</summary>
    public PaddedVolume(float[] counts, uint[] mask, int nz, int ny, int nx, int radius)
    {
        border = Math.Max(1, radius);
        py = ny + (2 * border);
        px = nx + (2 * border);
        plane = (long)py * px;
        var length = (nz + (2 * border)) * plane;
        KnownA = new float[length];
        Known = new float[length];
        Parallel.For(0, nz, z =>
        {
            for (var y = 0; y < ny; y++)
            {
                var i = (((long)z * ny) + y) * nx;
                var j = Index(z, y, 0);
                for (var x = 0; x < nx; x++, i++, j++)
                {
                    if ((mask[i] & (uint)MaskFlags.Unknown) == 0)
                    {
                        KnownA[j] = 2f * MathF.Sqrt(MathF.Max(0, counts[i]) + 0.375f);
                        Known[j] = 1;
                    }
                }
            }
        });
    }

    /// <summary>A at measured voxels, 0 at unknown and border voxels.</summary>
    public float[] KnownA { get; }

    /// <summary>1 at measured voxels, 0 at unknown and border voxels.</summary>
    public float[] Known { get; }

    /// <summary>The padded index of voxel (z, y, x) of the volume.</summary>
    public long Index(int z, int y, int x) => ((z + border) * plane) + ((long)(y + border) * px) + x + border;

    /// <summary>The padded index offsets of stencil offsets.</summary>
    public long[] Offsets((int Dz, int Dy, int Dx)[] pairs) => pairs.Select(p => (p.Dz * plane) + ((long)p.Dy * px) + p.Dx).ToArray();

    /// <summary>The mean A of the measured voxels of the 3×3×3 neighbourhood of padded index <paramref name="j"/> (0 when none).</summary>
    public float Level(long j)
    {
        float sum = 0, known = 0;
        for (var dz = -1; dz <= 1; dz++)
        {
            for (var dy = -1; dy <= 1; dy++)
            {
                var row = j + (dz * plane) + (dy * px);
                sum += KnownA[row - 1] + KnownA[row] + KnownA[row + 1];
                known += Known[row - 1] + Known[row] + Known[row + 1];
            }
        }

        return known > 0 ? sum / known : 0;
    }
}
