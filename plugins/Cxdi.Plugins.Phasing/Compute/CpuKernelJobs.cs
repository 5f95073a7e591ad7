using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Phasing.Compute;

/// <summary>The reusable kernel jobs of one <see cref="CpuComputeBackend"/>: parameters are set before each run, so nothing is allocated per call.</summary>
internal sealed unsafe class CpuKernelJobs
{
    private readonly Dictionary<Type, object> updateJobs = [];

    public ScaleJob Scale { get; } = new();

    public ProjectJob Project { get; } = new();

    public ClampJob Clamp { get; } = new();

    public ElementJob Element { get; } = new();

    public AmplitudeJob Amplitude { get; } = new();

    public BlurJob Blur { get; } = new();

    public ReduceJob Reduce { get; } = new();

    public enum ReduceKind
    {
        Max,
        SumOfSquares,
        Threshold,
        Count,
        Energy,
    }

    private static (long Start, long End) Range(int chunk, long length)
    {
        var start = (long)chunk * CpuComputeBackend.ChunkSize;
        return (start, Math.Min(length, start + CpuComputeBackend.ChunkSize));
    }

    public sealed class ScaleJob : IChunkJob
    {
        public float* Data;
        public long Length;
        public float Factor;

        public void Execute(int chunk)
        {
            var (start, end) = Range(chunk, Length);
            var span = new Span<float>(Data + start, (int)(end - start));
            var vectors = System.Runtime.InteropServices.MemoryMarshal.Cast<float, System.Numerics.Vector<float>>(span);
            for (var i = 0; i < vectors.Length; i++)
            {
                vectors[i] *= Factor;
            }

            for (var i = vectors.Length * System.Numerics.Vector<float>.Count; i < span.Length; i++)
            {
                span[i] *= Factor;
            }
        }
    }

    public sealed class ProjectJob : IChunkJob
    {
        public Complex32* Psi;
        public float* Amplitude;
        public byte* Class;
        public long Length;
        public bool DoProject;
        public bool DoMetrics;
        public FourierMetrics[] Partials = [];

        public void Execute(int chunk)
        {
            var (start, end) = Range(chunk, Length);
            if (DoMetrics)
            {
                Partials[chunk] = Metrics(start, end);
            }

            if (DoProject)
            {
                ProjectRange(start, end);
            }
        }

        private FourierMetrics Metrics(long start, long end)
        {
            double llk = 0, free = 0, chi2 = 0, calcSum = 0, obsSum = 0;
            long count = 0, freeCount = 0;
            var i = start;
            if (Avx2.IsSupported)
            {
                // Eight pixels per step, float terms summed over blocks of 512 pixels, then added in double.
                var tiny = Vector256.Create(1e-20f);
                var heldOut = Vector256.Create((int)PixelClass.HeldOut);
                while (i + 8 <= end)
                {
                    var blockEnd = Math.Min(end, i + 512);
                    Vector256<float> vLlk = default, vFree = default, vChi2 = default, vCalc = default, vObs = default;
                    for (; i + 8 <= blockEnd; i += 8)
                    {
                        var p0 = Avx.LoadVector256((float*)(Psi + i));
                        var p1 = Avx.LoadVector256((float*)(Psi + i + 4));

                        // hadd gives pixels 0 1 4 5 | 2 3 6 7; the 64-bit permute puts them in order.
                        var calc = Avx2.Permute4x64(Avx.HorizontalAdd(p0 * p0, p1 * p1).AsDouble(), 0b11_01_10_00).AsSingle();
                        var a = Avx.LoadVector256(Amplitude + i);
                        var obs = a * a;
                        var cls = Avx2.ConvertToVector256Int32(Class + i);
                        var measured = Avx2.CompareEqual(cls, Vector256<int>.Zero).AsSingle();
                        var held = Avx2.CompareEqual(cls, heldOut).AsSingle();
                        var d = calc - obs;
                        var log = Avx.And(obs * Vector256.Log(obs / Avx.Max(calc, tiny)), Avx.CompareGreaterThan(obs, Vector256<float>.Zero));
                        var term = d + log;
                        vLlk += Avx.And(term, measured);
                        vFree += Avx.And(term, held);
                        vChi2 += Avx.And(d * d / (obs + Vector256<float>.One), measured);
                        vCalc += Avx.And(calc, measured);
                        vObs += Avx.And(obs, measured);
                        count += System.Numerics.BitOperations.PopCount((uint)Avx.MoveMask(measured));
                        freeCount += System.Numerics.BitOperations.PopCount((uint)Avx.MoveMask(held));
                    }

                    llk += Sum(vLlk);
                    free += Sum(vFree);
                    chi2 += Sum(vChi2);
                    calcSum += Sum(vCalc);
                    obsSum += Sum(vObs);
                }
            }

            // The pixels left over (all of them without AVX2) by the reference loop.
            var n = (int)(end - i);
            var tail = ManagedKernels.ProjectModulus(new Span<Complex32>(Psi + i, n), new ReadOnlySpan<float>(Amplitude + i, n), new ReadOnlySpan<byte>(Class + i, n), project: false, metrics: true);
            return new FourierMetrics { LlkSum = llk, Count = count, FreeLlkSum = free, FreeCount = freeCount, Chi2Sum = chi2, CalcSum = calcSum, ObsSum = obsSum } + tail;
        }

        private static double Sum(Vector256<float> v)
        {
            double sum = 0;
            for (var k = 0; k < Vector256<float>.Count; k++)
            {
                sum += v.GetElement(k);
            }

            return sum;
        }

        private void ProjectRange(long start, long end)
        {
            var i = start;
            if (Avx2.IsSupported)
            {
                // Eight pixels per step: one square root and one division for the eight moduli (exact, as the scalar
                // path), the scale spread over the (re, im) pairs; unmeasured pixels keep ψ by a blend. A step with a
                // (near-)zero ψ takes the scalar path, which sets ψ = a.
                var low = Vector256.Create(0, 0, 1, 1, 2, 2, 3, 3);
                var high = Vector256.Create(4, 4, 5, 5, 6, 6, 7, 7);
                var tiny = Vector256.Create(1e-30f);
                for (; i + 8 <= end; i += 8)
                {
                    var p0 = Avx.LoadVector256((float*)(Psi + i));
                    var p1 = Avx.LoadVector256((float*)(Psi + i + 4));

                    // hadd gives pixels 0 1 4 5 | 2 3 6 7; the 64-bit permute puts them in order.
                    var m2 = Avx2.Permute4x64(Avx.HorizontalAdd(p0 * p0, p1 * p1).AsDouble(), 0b11_01_10_00).AsSingle();
                    if (Avx.MoveMask(Avx.CompareLessThan(m2, tiny)) != 0)
                    {
                        ProjectScalar(i, i + 8);
                        continue;
                    }

                    var scale = Avx.LoadVector256(Amplitude + i) / Avx.Sqrt(m2);
                    var measured = Avx2.CompareEqual(Avx2.ConvertToVector256Int32(Class + i), Vector256<int>.Zero);
                    if (Avx.MoveMask(measured.AsSingle()) == 0)
                    {
                        continue;
                    }

                    var keep0 = Avx2.PermuteVar8x32(measured, low).AsSingle();
                    var keep1 = Avx2.PermuteVar8x32(measured, high).AsSingle();
                    Avx.Store((float*)(Psi + i), Avx.BlendVariable(p0, p0 * Avx2.PermuteVar8x32(scale, low), keep0));
                    Avx.Store((float*)(Psi + i + 4), Avx.BlendVariable(p1, p1 * Avx2.PermuteVar8x32(scale, high), keep1));
                }
            }

            ProjectScalar(i, end);
        }

        private void ProjectScalar(long start, long end)
        {
            var n = (int)(end - start);
            ManagedKernels.ProjectModulus(new Span<Complex32>(Psi + start, n), new ReadOnlySpan<float>(Amplitude + start, n), new ReadOnlySpan<byte>(Class + start, n), project: true, metrics: false);
        }
    }

    /// <summary>The update job for rule <typeparamref name="TRule"/>, made once per backend and rule.</summary>
    public UpdateJob<TRule> Update<TRule>()
        where TRule : struct, IObjectUpdateRule
    {
        if (!updateJobs.TryGetValue(typeof(TRule), out var job))
        {
            job = new UpdateJob<TRule>();
            updateJobs[typeof(TRule)] = job;
        }

        return (UpdateJob<TRule>)job;
    }

    public sealed class UpdateJob<TRule> : IChunkJob
        where TRule : struct, IObjectUpdateRule
    {
        public Complex32* Current;
        public Complex32* Previous;
        public byte* Support;
        public long Length;
        public TRule Rule;

        public void Execute(int chunk)
        {
            var (start, end) = Range(chunk, Length);
            var rule = Rule;
            var prev = Previous;
            var i = start;
            if (Avx.IsSupported && prev is not null && rule.IsLinear(out var previousWeight, out var projectedWeight))
            {
                // Blocks of four pixels all inside or all outside the support (nearly all of them) are done with AVX.
                var a = Vector256.Create(previousWeight);
                var b = Vector256.Create(projectedWeight);
                for (; i + 4 <= end; i += 4)
                {
                    var s = *(uint*)(Support + i);
                    var pm = Avx.LoadVector256((float*)(Current + i));
                    Vector256<float> value;
                    if (s == 0x01010101u)
                    {
                        value = pm;
                    }
                    else if (s == 0)
                    {
                        value = (a * Avx.LoadVector256((float*)(prev + i))) + (b * pm);
                    }
                    else
                    {
                        for (var j = i; j < i + 4; j++)
                        {
                            var v = rule.Apply(Current[j], prev[j], Support[j] != 0);
                            Current[j] = v;
                            prev[j] = v;
                        }

                        continue;
                    }

                    Avx.Store((float*)(Current + i), value);
                    Avx.Store((float*)(prev + i), value);
                }
            }

            for (; i < end; i++)
            {
                var value = rule.Apply(Current[i], prev is null ? default : prev[i], Support[i] != 0);
                Current[i] = value;
                if (prev is not null)
                {
                    prev[i] = value;
                }
            }
        }
    }

    /// <summary>The element-wise core primitives that are not on the hot path of a cycle, one chunk at a time.</summary>
    public sealed class ElementJob : IChunkJob
    {
        public ElementKind Kind;
        public Complex32* X;
        public Complex32* Y;
        public float* Real;
        public byte* Mask;
        public long Length;
        public float A;
        public float B;
        public double[] Re = [];
        public double[] Im = [];

        public void Grow(int chunks)
        {
            if (Re.Length < chunks)
            {
                Re = new double[chunks];
                Im = new double[chunks];
            }
        }

        public void Execute(int chunk)
        {
            var (start, end) = Range(chunk, Length);
            switch (Kind)
            {
                case ElementKind.MaskedScale:
                    for (var i = start; i < end; i++)
                    {
                        X[i] = (Mask[i] != 0 ? A : B) * X[i];
                    }

                    break;
                case ElementKind.MultiplyReal:
                    for (var i = start; i < end; i++)
                    {
                        X[i] = Real[i] * X[i];
                    }

                    break;
                case ElementKind.MultiplyComplex:
                    for (var i = start; i < end; i++)
                    {
                        X[i] *= Y[i];
                    }

                    break;
                case ElementKind.Axpby:
                    for (var i = start; i < end; i++)
                    {
                        Y[i] = (A * X[i]) + (B * Y[i]);
                    }

                    break;
                case ElementKind.AbsSquared:
                    for (var i = start; i < end; i++)
                    {
                        Real[i] = X[i].Norm2;
                    }

                    break;
                case ElementKind.Sum:
                    {
                        double sum = 0;
                        for (var i = start; i < end; i++)
                        {
                            sum += Real[i];
                        }

                        Re[chunk] = sum;
                        break;
                    }

                default:
                    {
                        double re = 0, im = 0;
                        for (var i = start; i < end; i++)
                        {
                            var a = X[i];
                            var b = Y[i];
                            re += ((double)a.Re * b.Re) + ((double)a.Im * b.Im);
                            im += ((double)a.Re * b.Im) - ((double)a.Im * b.Re);
                        }

                        Re[chunk] = re;
                        Im[chunk] = im;
                        break;
                    }
            }
        }
    }

    public enum ElementKind
    {
        MaskedScale,
        MultiplyReal,
        MultiplyComplex,
        Axpby,
        AbsSquared,
        Sum,
        Dot,
    }

    /// <summary>The bounded constraint at unknown pixels, one chunk at a time through the reference loop (few pixels are bounded: the cost is the pass over the classes).</summary>
    public sealed class ClampJob : IChunkJob
    {
        public Complex32* Psi;
        public float* Lower;
        public float* Upper;
        public byte* Class;
        public long Length;
        public long[] Partials = [];

        public void Execute(int chunk)
        {
            var (start, end) = Range(chunk, Length);
            var n = (int)(end - start);
            var classes = new ReadOnlySpan<byte>(Class + start, n);

            // Most chunks hold no unknown pixel at all: skip them after one vectorised search.
            Partials[chunk] = classes.IndexOf(PixelClass.Unknown) < 0
                ? 0
                : ManagedKernels.ClampAmplitude(new Span<Complex32>(Psi + start, n), new ReadOnlySpan<float>(Lower + start, n), new ReadOnlySpan<float>(Upper + start, n), classes);
        }
    }

    public sealed class AmplitudeJob : IChunkJob
    {
        public Complex32* Source;
        public float* Destination;
        public long Length;

        public void Execute(int chunk)
        {
            var (start, end) = Range(chunk, Length);
            for (var i = start; i < end; i++)
            {
                var z = Source[i];
                Destination[i] = MathF.Sqrt((z.Re * z.Re) + (z.Im * z.Im));
            }
        }
    }

    /// <summary>
    /// 1D periodic Gaussian convolution along one axis: along x (stride 1) one line per chunk, copied with its periodic
    /// margins so eight outputs are made at once; along y and z on tiles of up to <see cref="MaxTile"/> neighbouring lines,
    /// eight lines at once. Every output is w₀·v + Σₖ wₖ·(v₋ₖ + v₊ₖ) in the same order, vector or scalar.
    /// </summary>
    public sealed class BlurJob : IChunkJob
    {
        public const int MaxTile = 16;

        [ThreadStatic]
        private static float[]? tile;

        public float* Data;
        public float[] Weights = [];
        public int Radius;
        public int N;
        public long Stride;
        public int TileWidth;
        public long BlocksPerOuter;

        public void Execute(int chunk)
        {
            var outer = chunk / BlocksPerOuter;
            if (Stride == 1)
            {
                Line(outer);
                return;
            }

            var block = chunk % BlocksPerOuter;
            var inner0 = block * TileWidth;
            var width = (int)Math.Min(TileWidth, Stride - inner0);
            var t = Tile(N * width);
            var baseIndex = (outer * N * Stride) + inner0;
            for (var j = 0; j < N; j++)
            {
                new ReadOnlySpan<float>(Data + baseIndex + (j * Stride), width).CopyTo(t.AsSpan(j * width, width));
            }

            var weights = Weights;
            fixed (float* p = t)
            {
                for (var j = 0; j < N; j++)
                {
                    var dst = Data + baseIndex + (j * Stride);
                    var w = 0;
                    for (; w + 8 <= width; w += 8)
                    {
                        var acc = Vector256.Create(weights[0]) * Vector256.Load(p + (j * width) + w);
                        for (var k = 1; k <= Radius; k++)
                        {
                            var lo = j - k < 0 ? j - k + N : j - k;
                            var hi = j + k >= N ? j + k - N : j + k;
                            acc += Vector256.Create(weights[k]) * (Vector256.Load(p + (lo * width) + w) + Vector256.Load(p + (hi * width) + w));
                        }

                        acc.Store(dst + w);
                    }

                    for (; w < width; w++)
                    {
                        var acc = weights[0] * p[(j * width) + w];
                        for (var k = 1; k <= Radius; k++)
                        {
                            var lo = j - k < 0 ? j - k + N : j - k;
                            var hi = j + k >= N ? j + k - N : j + k;
                            acc += weights[k] * (p[(lo * width) + w] + p[(hi * width) + w]);
                        }

                        dst[w] = acc;
                    }
                }
            }
        }

        private static float[] Tile(int need)
        {
            if (tile is null || tile.Length < need)
            {
                tile = new float[Math.Max(need, 1 << 12)];
            }

            return tile;
        }

        /// <summary>One x line: copied between its periodic margins (radius &lt; N/2), then convolved eight outputs at a time.</summary>
        private void Line(long outer)
        {
            int n = N, r = Radius;
            var t = Tile(n + (2 * r));
            var line = Data + (outer * n);
            var source = new ReadOnlySpan<float>(line, n);
            source.CopyTo(t.AsSpan(r, n));
            source[(n - r)..].CopyTo(t.AsSpan(0, r));
            source[..r].CopyTo(t.AsSpan(r + n, r));
            var weights = Weights;
            fixed (float* p = t)
            {
                var x = 0;
                for (; x + 8 <= n; x += 8)
                {
                    var c = p + r + x;
                    var acc = Vector256.Create(weights[0]) * Vector256.Load(c);
                    for (var k = 1; k <= r; k++)
                    {
                        acc += Vector256.Create(weights[k]) * (Vector256.Load(c - k) + Vector256.Load(c + k));
                    }

                    acc.Store(line + x);
                }

                for (; x < n; x++)
                {
                    var c = p + r + x;
                    var acc = weights[0] * c[0];
                    for (var k = 1; k <= r; k++)
                    {
                        acc += weights[k] * (c[-k] + c[k]);
                    }

                    line[x] = acc;
                }
            }
        }
    }

    public sealed class ReduceJob : IChunkJob
    {
        public double[] Values = [];
        public double[] Values2 = [];
        public long[] Counts = [];
        private ReduceKind kind;
        private float* data;
        private byte* mask;
        private Complex32* complexData;
        private long length;
        private float level;

        public void Start(ReduceKind reduceKind, float* values, byte* bytes, long count, float threshold, Complex32* complexValues)
        {
            kind = reduceKind;
            data = values;
            mask = bytes;
            length = count;
            level = threshold;
            complexData = complexValues;
        }

        public void Grow(int chunks)
        {
            if (Values.Length < chunks)
            {
                Values = new double[chunks];
                Values2 = new double[chunks];
                Counts = new long[chunks];
            }
        }

        public void Execute(int chunk)
        {
            var (start, end) = Range(chunk, length);
            switch (kind)
            {
                case ReduceKind.Max:
                    {
                        var max = float.NegativeInfinity;
                        for (var i = start; i < end; i++)
                        {
                            max = MathF.Max(max, data[i]);
                        }

                        Values[chunk] = max;
                        break;
                    }

                case ReduceKind.SumOfSquares:
                    {
                        double sum = 0;
                        long count = 0;
                        for (var i = start; i < end; i++)
                        {
                            if (mask is null || mask[i] != 0)
                            {
                                sum += (double)data[i] * data[i];
                                count++;
                            }
                        }

                        Values[chunk] = sum;
                        Counts[chunk] = count;
                        break;
                    }

                case ReduceKind.Threshold:
                    {
                        long count = 0;
                        for (var i = start; i < end; i++)
                        {
                            var inside = data[i] >= level;
                            mask[i] = inside ? (byte)1 : (byte)0;
                            count += inside ? 1 : 0;
                        }

                        Counts[chunk] = count;
                        break;
                    }

                case ReduceKind.Count:
                    {
                        long count = 0;
                        for (var i = start; i < end; i++)
                        {
                            count += mask[i] != 0 ? 1 : 0;
                        }

                        Counts[chunk] = count;
                        break;
                    }

                default:
                    {
                        double inside = 0, outside = 0;
                        for (var i = start; i < end; i++)
                        {
                            var z = complexData[i];
                            double e = (z.Re * z.Re) + (z.Im * z.Im);
                            if (mask[i] != 0)
                            {
                                inside += e;
                            }
                            else
                            {
                                outside += e;
                            }
                        }

                        Values[chunk] = inside;
                        Values2[chunk] = outside;
                        break;
                    }
            }
        }
    }
}
