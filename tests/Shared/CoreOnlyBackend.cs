using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;

namespace Cxdi.Testing;

/// <summary>
/// A compute backend that implements only the core of the contract (<see cref="IComputeCore"/>) in plain managed loops,
/// with a separable DFT (any size, O(n) per element and axis): every fused kernel runs through the managed defaults of
/// <see cref="ComputeBackendBase"/>. It proves that an operator written against the SDK runs on a backend that
/// accelerates nothing, and it is the third backend of the conformance suite.
/// </summary>
public class CoreOnlyBackend(string name = "core-only") : ComputeBackendBase
{
    /// <inheritdoc />
    public override string Name { get; } = name;

    /// <inheritdoc />
    public override string FftName => "separable DFT";

    /// <inheritdoc />
    public override long AvailableMemory => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes - GC.GetTotalMemory(false);

    /// <inheritdoc />
    public override ComplexBuffer AllocateComplex(Shape shape) => new HostComplex(shape);

    /// <inheritdoc />
    public override RealBuffer AllocateReal(Shape shape) => new HostReal(shape);

    /// <inheritdoc />
    public override MaskBuffer AllocateMask(Shape shape) => new HostMask(shape);

    /// <inheritdoc />
    public override void Upload(ReadOnlySpan<Complex32> source, ComplexBuffer destination) => Checked(source, C(destination));

    /// <inheritdoc />
    public override void Upload(ReadOnlySpan<float> source, RealBuffer destination) => Checked(source, R(destination));

    /// <inheritdoc />
    public override void Upload(ReadOnlySpan<byte> source, MaskBuffer destination) => Checked(source, M(destination));

    /// <inheritdoc />
    public override void Download(ComplexBuffer source, Span<Complex32> destination) => Checked<Complex32>(C(source), destination);

    /// <inheritdoc />
    public override void Download(RealBuffer source, Span<float> destination) => Checked<float>(R(source), destination);

    /// <inheritdoc />
    public override void Download(MaskBuffer source, Span<byte> destination) => Checked<byte>(M(source), destination);

    /// <inheritdoc />
    public override FftPlan CreateFftPlan(Shape shape) => new DftPlan(shape);

    /// <inheritdoc />
    public override void Fft(FftPlan plan, ComplexBuffer data, FftDirection direction)
    {
        var values = C(data);
        var shape = data.Shape;
        var sign = direction == FftDirection.Forward ? -1 : 1;
        Axis(values, shape.Nx, 1, sign);
        Axis(values, shape.Ny, shape.Nx, sign);
        if (shape.Rank == 3)
        {
            Axis(values, shape.Nz, shape.Ny * shape.Nx, sign);
        }

        if (direction == FftDirection.Inverse)
        {
            Scale(data, 1f / values.Length);
        }
    }

    /// <inheritdoc />
    public override void Copy(ComplexBuffer source, ComplexBuffer destination) => Checked<Complex32>(C(source), C(destination));

    /// <inheritdoc />
    public override void Scale(ComplexBuffer data, float factor)
    {
        var d = C(data);
        for (var i = 0; i < d.Length; i++)
        {
            d[i] = factor * d[i];
        }
    }

    /// <inheritdoc />
    public override void Scale(ComplexBuffer data, MaskBuffer mask, float inside, float outside)
    {
        var d = C(data);
        var m = M(mask);
        Same(d.Length, m.Length);
        for (var i = 0; i < d.Length; i++)
        {
            d[i] = (m[i] != 0 ? inside : outside) * d[i];
        }
    }

    /// <inheritdoc />
    public override void Multiply(ComplexBuffer data, RealBuffer factor)
    {
        var d = C(data);
        var f = R(factor);
        Same(d.Length, f.Length);
        for (var i = 0; i < d.Length; i++)
        {
            d[i] = f[i] * d[i];
        }
    }

    /// <inheritdoc />
    public override void Multiply(ComplexBuffer data, ComplexBuffer factor)
    {
        var d = C(data);
        var f = C(factor);
        Same(d.Length, f.Length);
        for (var i = 0; i < d.Length; i++)
        {
            d[i] *= f[i];
        }
    }

    /// <inheritdoc />
    public override void Axpby(float a, ComplexBuffer x, float b, ComplexBuffer y)
    {
        var xs = C(x);
        var ys = C(y);
        Same(xs.Length, ys.Length);
        for (var i = 0; i < xs.Length; i++)
        {
            ys[i] = (a * xs[i]) + (b * ys[i]);
        }
    }

    /// <inheritdoc />
    public override void Abs(ComplexBuffer source, RealBuffer destination)
    {
        var s = C(source);
        var d = R(destination);
        Same(s.Length, d.Length);
        for (var i = 0; i < s.Length; i++)
        {
            d[i] = s[i].Abs;
        }
    }

    /// <inheritdoc />
    public override void AbsSquared(ComplexBuffer source, RealBuffer destination)
    {
        var s = C(source);
        var d = R(destination);
        Same(s.Length, d.Length);
        for (var i = 0; i < s.Length; i++)
        {
            d[i] = s[i].Norm2;
        }
    }

    /// <inheritdoc />
    public override long Threshold(RealBuffer data, float level, MaskBuffer mask)
    {
        var d = R(data);
        var m = M(mask);
        Same(d.Length, m.Length);
        long count = 0;
        for (var i = 0; i < d.Length; i++)
        {
            m[i] = d[i] >= level ? (byte)1 : (byte)0;
            count += m[i];
        }

        return count;
    }

    /// <inheritdoc />
    public override double Sum(RealBuffer data) => R(data).Sum(v => (double)v);

    /// <inheritdoc />
    public override (double SumOfSquares, long Count) SumOfSquares(RealBuffer data, MaskBuffer? where)
    {
        var d = R(data);
        var w = where is null ? null : M(where);
        double sum = 0;
        long count = 0;
        for (var i = 0; i < d.Length; i++)
        {
            if (w is null || w[i] != 0)
            {
                sum += (double)d[i] * d[i];
                count++;
            }
        }

        return (sum, count);
    }

    /// <inheritdoc />
    public override float Max(RealBuffer data) => R(data).Max();

    /// <inheritdoc />
    public override System.Numerics.Complex Dot(ComplexBuffer a, ComplexBuffer b)
    {
        var x = C(a);
        var y = C(b);
        Same(x.Length, y.Length);
        double re = 0, im = 0;
        for (var i = 0; i < x.Length; i++)
        {
            re += ((double)x[i].Re * y[i].Re) + ((double)x[i].Im * y[i].Im);
            im += ((double)x[i].Re * y[i].Im) - ((double)x[i].Im * y[i].Re);
        }

        return new System.Numerics.Complex(re, im);
    }

    /// <inheritdoc />
    public override long Count(MaskBuffer mask) => M(mask).LongCount(b => b != 0);

    /// <summary>One axis of the separable DFT: every line of <paramref name="n"/> values at <paramref name="stride"/>.</summary>
    private static void Axis(Complex32[] data, int n, int stride, int sign)
    {
        if (n < 2)
        {
            return;
        }

        var cos = new double[n];
        var sin = new double[n];
        for (var k = 0; k < n; k++)
        {
            cos[k] = Math.Cos(2 * Math.PI * k / n);
            sin[k] = sign * Math.Sin(2 * Math.PI * k / n);
        }

        var line = new Complex32[n];
        var block = n * stride;
        for (var start = 0; start < data.Length; start += block)
        {
            for (var inner = 0; inner < stride; inner++)
            {
                for (var j = 0; j < n; j++)
                {
                    line[j] = data[start + inner + (j * stride)];
                }

                for (var k = 0; k < n; k++)
                {
                    double re = 0, im = 0;
                    for (var j = 0; j < n; j++)
                    {
                        var t = (int)((long)k * j % n);
                        re += (line[j].Re * cos[t]) - (line[j].Im * sin[t]);
                        im += (line[j].Re * sin[t]) + (line[j].Im * cos[t]);
                    }

                    data[start + inner + (k * stride)] = new Complex32((float)re, (float)im);
                }
            }
        }
    }

    private static void Checked<T>(ReadOnlySpan<T> source, Span<T> destination)
    {
        Same(source.Length, destination.Length);
        source.CopyTo(destination);
    }

    private static void Same(long a, long b)
    {
        if (a != b)
        {
            throw new ArgumentException($"length mismatch: {a} and {b} elements");
        }
    }

    private static Complex32[] C(ComplexBuffer b) => (b as HostComplex ?? throw new ArgumentException("buffer belongs to another backend")).Data;

    private static float[] R(RealBuffer b) => (b as HostReal ?? throw new ArgumentException("buffer belongs to another backend")).Data;

    private static byte[] M(MaskBuffer b) => (b as HostMask ?? throw new ArgumentException("buffer belongs to another backend")).Data;

    private sealed class HostComplex(Shape shape) : ComplexBuffer(shape)
    {
        public Complex32[] Data { get; } = new Complex32[shape.Length];

        protected override void Dispose(bool disposing)
        {
        }
    }

    private sealed class HostReal(Shape shape) : RealBuffer(shape)
    {
        public float[] Data { get; } = new float[shape.Length];

        protected override void Dispose(bool disposing)
        {
        }
    }

    private sealed class HostMask(Shape shape) : MaskBuffer(shape)
    {
        public byte[] Data { get; } = new byte[shape.Length];

        protected override void Dispose(bool disposing)
        {
        }
    }

    private sealed class DftPlan(Shape shape) : FftPlan(shape)
    {
        public override string Name => "separable DFT";

        protected override void Dispose(bool disposing)
        {
        }
    }
}
