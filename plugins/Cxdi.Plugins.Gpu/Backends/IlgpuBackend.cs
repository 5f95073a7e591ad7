using System.Collections.Concurrent;
using Cxdi.Plugins.Gpu.Kernels;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using ILGPU;
using ILGPU.Runtime;

namespace Cxdi.Plugins.Gpu.Backends;

/// <summary>
/// A compute backend on one ILGPU accelerator: the whole core (<see cref="IComputeCore"/>) and the fused kernels
/// (projection with metrics in double, object updates, blur, Fourier filter, energy) run as <see cref="GpuKernels"/> on
/// accelerator buffers, reductions included; only the scalars of a reduction come back to the host. Object updates take
/// the linear kernel when the rule says it is linear, else the rule struct inlined into a generic kernel, else (a rule ILGPU
/// cannot compile) the managed default. Derived classes supply the accelerator and the FFT.
/// </summary>
public abstract class IlgpuBackend : ComputeBackendBase
{
    private readonly ConcurrentDictionary<Type, object?> ruleKernels = new();
    private readonly ConcurrentBag<IDisposable> launchers = [];
    private readonly ConcurrentDictionary<string, string> ruleFailures = new();
    private readonly MemoryBuffer1D<double, Stride1D.Dense> sums;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> maxima;
    private readonly double[] hostSums = new double[7 * GpuKernels.Slots];
    private readonly float[] hostMaxima = new float[GpuKernels.Slots];

    private readonly Action<AcceleratorStream, Index1D, ArrayView<Complex32>, float, long, int> scale;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<Complex32>, ArrayView<byte>, float, float, float, long, int> scaleMasked;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<Complex32>, ArrayView<Complex32>, float, long, int> copyScaled;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<Complex32>, ArrayView<float>, long, int> multiplyReal;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<Complex32>, ArrayView<Complex32>, long, int> multiplyComplex;
    private readonly Action<AcceleratorStream, Index1D, float, ArrayView<Complex32>, float, ArrayView<Complex32>, long, int> axpby;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<Complex32>, ArrayView<float>, int, long, int> modulus;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, float, ArrayView<byte>, ArrayView<double>, long, int> threshold;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<byte>, int, ArrayView<double>, long, int> sumReal;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, long, int> maxReal;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, float, long, int> fill;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<Complex32>, ArrayView<Complex32>, ArrayView<double>, long, int> dot;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<byte>, ArrayView<double>, long, int> countMask;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<Complex32>, ArrayView<byte>, float, ArrayView<double>, long, int> energy;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<Complex32>, ArrayView<float>, ArrayView<byte>, float, int, int, ArrayView<double>, long, int> project;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<Complex32>, ArrayView<Complex32>, ArrayView<byte>, int, float, float, float, long, int> updateLinear;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, long, long, int> blurAxis;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<Complex32>, int, int, int, double, float, long, int> fourierFilter;
    private bool disposed;

    /// <summary>Loads the kernels on <paramref name="accelerator"/> (owned by the caller) and runs them on <paramref name="stream"/>.</summary>
    /// <param name="accelerator">The accelerator.</param>
    /// <param name="stream">The stream every kernel, copy and FFT of this backend is queued on.</param>
    /// <param name="threads">Threads per launch (grid-stride loops cover the rest).</param>
    protected IlgpuBackend(Accelerator accelerator, AcceleratorStream stream, int threads)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        Accelerator = accelerator;
        Stream = stream ?? throw new ArgumentNullException(nameof(stream));
        LaunchThreads = Math.Max(1, threads);
        var a = accelerator;
        scale = a.LoadAutoGroupedKernel<Index1D, ArrayView<Complex32>, float, long, int>(GpuKernels.Scale);
        scaleMasked = a.LoadAutoGroupedKernel<Index1D, ArrayView<Complex32>, ArrayView<byte>, float, float, float, long, int>(GpuKernels.ScaleMasked);
        copyScaled = a.LoadAutoGroupedKernel<Index1D, ArrayView<Complex32>, ArrayView<Complex32>, float, long, int>(GpuKernels.CopyScaled);
        multiplyReal = a.LoadAutoGroupedKernel<Index1D, ArrayView<Complex32>, ArrayView<float>, long, int>(GpuKernels.MultiplyReal);
        multiplyComplex = a.LoadAutoGroupedKernel<Index1D, ArrayView<Complex32>, ArrayView<Complex32>, long, int>(GpuKernels.MultiplyComplex);
        axpby = a.LoadAutoGroupedKernel<Index1D, float, ArrayView<Complex32>, float, ArrayView<Complex32>, long, int>(GpuKernels.Axpby);
        modulus = a.LoadAutoGroupedKernel<Index1D, ArrayView<Complex32>, ArrayView<float>, int, long, int>(GpuKernels.Modulus);
        threshold = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, float, ArrayView<byte>, ArrayView<double>, long, int>(GpuKernels.Threshold);
        sumReal = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<byte>, int, ArrayView<double>, long, int>(GpuKernels.SumReal);
        maxReal = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, long, int>(GpuKernels.MaxReal);
        fill = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, float, long, int>(GpuKernels.Fill);
        dot = a.LoadAutoGroupedKernel<Index1D, ArrayView<Complex32>, ArrayView<Complex32>, ArrayView<double>, long, int>(GpuKernels.Dot);
        countMask = a.LoadAutoGroupedKernel<Index1D, ArrayView<byte>, ArrayView<double>, long, int>(GpuKernels.CountMask);
        energy = a.LoadAutoGroupedKernel<Index1D, ArrayView<Complex32>, ArrayView<byte>, float, ArrayView<double>, long, int>(GpuKernels.Energy);
        project = a.LoadAutoGroupedKernel<Index1D, ArrayView<Complex32>, ArrayView<float>, ArrayView<byte>, float, int, int, ArrayView<double>, long, int>(GpuKernels.ProjectModulus);
        updateLinear = a.LoadAutoGroupedKernel<Index1D, ArrayView<Complex32>, ArrayView<Complex32>, ArrayView<byte>, int, float, float, float, long, int>(GpuKernels.UpdateLinear);
        blurAxis = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, long, long, int>(GpuKernels.BlurAxis);
        fourierFilter = a.LoadAutoGroupedKernel<Index1D, ArrayView<Complex32>, int, int, int, double, float, long, int>(GpuKernels.FourierFilter);
        sums = a.Allocate1D<double>(hostSums.Length);
        maxima = a.Allocate1D<float>(GpuKernels.Slots);
    }

    /// <summary>The accelerator the kernels run on.</summary>
    protected Accelerator Accelerator { get; }

    /// <summary>The stream of this backend.</summary>
    protected AcceleratorStream Stream { get; }

    /// <summary>Threads per launch.</summary>
    protected int LaunchThreads { get; }

    /// <summary>True when kernels read structures in the .NET layout (ILGPU's CPU accelerator runs the IL); false for compiled device code.</summary>
    protected virtual bool NativeRuleLayout => false;

    /// <summary>Object-update rules that ran as the generic kernel (rule type names), for diagnostics and tests.</summary>
    public IReadOnlyCollection<string> CompiledRules => ruleKernels.Where(p => p.Value is not null).Select(p => p.Key.Name).ToList();

    /// <summary>Rules that fell back to the managed default, with ILGPU's reason.</summary>
    public IReadOnlyDictionary<string, string> FallbackRules => ruleFailures;

    /// <inheritdoc />
    public override ComplexBuffer AllocateComplex(Shape shape)
    {
        Enter();
        Budget(shape.Length * 8, $"a complex {shape} array");
        var memory = Accelerator.Allocate1D<Complex32>(shape.Length);
        memory.View.MemSetToZero(Stream);
        return new GpuComplex(shape, memory, this);
    }

    /// <inheritdoc />
    public override RealBuffer AllocateReal(Shape shape)
    {
        Enter();
        Budget(shape.Length * 4, $"a real {shape} array");
        var memory = Accelerator.Allocate1D<float>(shape.Length);
        memory.View.MemSetToZero(Stream);
        return new GpuReal(shape, memory, this);
    }

    /// <inheritdoc />
    public override MaskBuffer AllocateMask(Shape shape)
    {
        Enter();
        Budget(shape.Length, $"a {shape} mask");
        var memory = Accelerator.Allocate1D<byte>(shape.Length);
        memory.View.MemSetToZero(Stream);
        return new GpuMask(shape, memory, this);
    }

    /// <inheritdoc />
    public override void Upload(ReadOnlySpan<Complex32> source, ComplexBuffer destination)
    {
        var d = C(destination);
        SameLength(source.Length, d.Length);
        d.Memory.View.CopyFromCPU(Stream, source);
        d.Pending = 1f;
        Stream.Synchronize();
    }

    /// <inheritdoc />
    public override void Upload(ReadOnlySpan<float> source, RealBuffer destination)
    {
        var d = R(destination);
        SameLength(source.Length, d.Length);
        d.Memory.View.CopyFromCPU(Stream, source);
        Stream.Synchronize();
    }

    /// <inheritdoc />
    public override void Upload(ReadOnlySpan<byte> source, MaskBuffer destination)
    {
        var d = M(destination);
        SameLength(source.Length, d.Length);
        d.Memory.View.CopyFromCPU(Stream, source);
        Stream.Synchronize();
    }

    /// <inheritdoc />
    public override void Download(ComplexBuffer source, Span<Complex32> destination)
    {
        var s = Settled(source);
        SameLength(destination.Length, s.Length);
        s.Memory.View.CopyToCPU(Stream, destination);
        Stream.Synchronize();
    }

    /// <inheritdoc />
    public override void Download(RealBuffer source, Span<float> destination)
    {
        var s = R(source);
        SameLength(destination.Length, s.Length);
        s.Memory.View.CopyToCPU(Stream, destination);
        Stream.Synchronize();
    }

    /// <inheritdoc />
    public override void Download(MaskBuffer source, Span<byte> destination)
    {
        var s = M(source);
        SameLength(destination.Length, s.Length);
        s.Memory.View.CopyToCPU(Stream, destination);
        Stream.Synchronize();
    }

    /// <inheritdoc />
    public override void Fft(FftPlan plan, ComplexBuffer data, FftDirection direction)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var d = C(data);
        if (plan.Shape != d.Shape)
        {
            throw new ArgumentException($"plan for {plan.Shape} used on a {d.Shape} buffer", nameof(plan));
        }

        // Both transforms are unscaled and linear: a pending factor passes through, and the inverse adds 1/N to it.
        Transform(plan, d, direction);
        if (direction == FftDirection.Inverse)
        {
            d.Pending = (float)(d.Pending / (double)d.Length);
        }
    }

    /// <summary>The unscaled in-place transform of <paramref name="data"/> (stored values; the pending factor is handled by the caller).</summary>
    private protected abstract void Transform(FftPlan plan, GpuComplex data, FftDirection direction);

    /// <inheritdoc />
    public override void Copy(ComplexBuffer source, ComplexBuffer destination)
    {
        var s = C(source);
        var d = C(destination);
        SameLength(s.Length, d.Length);
        copyScaled(Stream, Extent(s.Length), s.View, d.View, s.Pending, s.Length, Extent(s.Length));
        d.Pending = 1f;
    }

    /// <inheritdoc />
    public override void Scale(ComplexBuffer data, float factor)
    {
        var d = C(data);
        scale(Stream, Extent(d.Length), d.View, factor * d.Pending, d.Length, Extent(d.Length));
        d.Pending = 1f;
    }

    /// <inheritdoc />
    public override void Scale(ComplexBuffer data, MaskBuffer mask, float inside, float outside)
    {
        var d = C(data);
        var m = M(mask);
        SameLength(d.Length, m.Length);
        scaleMasked(Stream, Extent(d.Length), d.View, m.View, inside, outside, d.Pending, d.Length, Extent(d.Length));
        d.Pending = 1f;
    }

    /// <inheritdoc />
    public override void Multiply(ComplexBuffer data, RealBuffer factor)
    {
        var d = Settled(data);
        var f = R(factor);
        SameLength(d.Length, f.Length);
        multiplyReal(Stream, Extent(d.Length), d.View, f.View, d.Length, Extent(d.Length));
    }

    /// <inheritdoc />
    public override void Multiply(ComplexBuffer data, ComplexBuffer factor)
    {
        var d = Settled(data);
        var f = Settled(factor);
        SameLength(d.Length, f.Length);
        multiplyComplex(Stream, Extent(d.Length), d.View, f.View, d.Length, Extent(d.Length));
    }

    /// <inheritdoc />
    public override void Axpby(float a, ComplexBuffer x, float b, ComplexBuffer y)
    {
        var u = C(x);
        var v = C(y);
        SameLength(u.Length, v.Length);
        axpby(Stream, Extent(u.Length), a * u.Pending, u.View, b * v.Pending, v.View, u.Length, Extent(u.Length));
        v.Pending = 1f;
    }

    /// <inheritdoc />
    public override void Abs(ComplexBuffer source, RealBuffer destination) => Modulus(source, destination, false);

    /// <inheritdoc />
    public override void AbsSquared(ComplexBuffer source, RealBuffer destination) => Modulus(source, destination, true);

    /// <inheritdoc />
    public override long Threshold(RealBuffer data, float level, MaskBuffer mask)
    {
        var d = R(data);
        var m = M(mask);
        SameLength(d.Length, m.Length);
        ClearSums();
        threshold(Stream, Extent(d.Length), d.View, level, m.View, sums.View, d.Length, Extent(d.Length));
        return (long)ReadSums(1)[0];
    }

    /// <inheritdoc />
    public override double Sum(RealBuffer data)
    {
        var d = R(data);
        ClearSums();
        sumReal(Stream, Extent(d.Length), d.View, d.View.Cast<byte>(), 0, sums.View, d.Length, Extent(d.Length));
        return ReadSums(1)[0];
    }

    /// <inheritdoc />
    public override (double SumOfSquares, long Count) SumOfSquares(RealBuffer data, MaskBuffer? where)
    {
        var d = R(data);
        ArrayView<byte> mask = d.View.Cast<byte>();
        if (where is not null)
        {
            var m = M(where);
            SameLength(d.Length, m.Length);
            mask = m.View;
        }

        ClearSums();
        sumReal(Stream, Extent(d.Length), d.View, mask, where is null ? 0 : 1, sums.View, d.Length, Extent(d.Length));
        var s = ReadSums(3);
        return (s[1], (long)s[2]);
    }

    /// <inheritdoc />
    public override float Max(RealBuffer data)
    {
        var d = R(data);
        fill(Stream, GpuKernels.Slots, maxima.View, float.NegativeInfinity, GpuKernels.Slots, GpuKernels.Slots);
        maxReal(Stream, Extent(d.Length), d.View, maxima.View, d.Length, Extent(d.Length));
        maxima.View.CopyToCPU(Stream, hostMaxima.AsSpan());
        Stream.Synchronize();
        return hostMaxima.Max();
    }

    /// <inheritdoc />
    public override System.Numerics.Complex Dot(ComplexBuffer a, ComplexBuffer b)
    {
        var u = Settled(a);
        var v = Settled(b);
        SameLength(u.Length, v.Length);
        ClearSums();
        dot(Stream, Extent(u.Length), u.View, v.View, sums.View, u.Length, Extent(u.Length));
        var s = ReadSums(2);
        return new System.Numerics.Complex(s[0], s[1]);
    }

    /// <inheritdoc />
    public override long Count(MaskBuffer mask)
    {
        var m = M(mask);
        ClearSums();
        countMask(Stream, Extent(m.Length), m.View, sums.View, m.Length, Extent(m.Length));
        return (long)ReadSums(1)[0];
    }

    /// <inheritdoc />
    public override FourierMetrics ProjectModulus(ComplexBuffer psi, RealBuffer observedAmplitude, MaskBuffer pixelClass, bool project, bool metrics)
    {
        var p = C(psi);
        var a = R(observedAmplitude);
        var c = M(pixelClass);
        SameLength(p.Length, a.Length);
        SameLength(p.Length, c.Length);
        if (!project && !metrics)
        {
            return default;
        }

        if (metrics)
        {
            ClearSums();
        }

        this.project(Stream, Extent(p.Length), p.View, a.View, c.View, p.Pending, project ? 1 : 0, metrics ? 1 : 0, sums.View, p.Length, Extent(p.Length));
        if (project)
        {
            p.Pending = 1f;
        }

        if (!metrics)
        {
            return default;
        }

        var s = ReadSums(7);
        return new FourierMetrics { LlkSum = s[0], FreeLlkSum = s[1], Chi2Sum = s[2], CalcSum = s[3], ObsSum = s[4], Count = (long)s[5], FreeCount = (long)s[6] };
    }

    /// <inheritdoc />
    public override void UpdateObject<TRule>(ComplexBuffer current, ComplexBuffer? previous, MaskBuffer support, TRule rule)
    {
        if (previous is null && rule.ReadsPrevious)
        {
            throw new ArgumentNullException(nameof(previous), $"{typeof(TRule).Name} reads the previous object");
        }

        var cur = C(current);
        var prev = previous is null ? null : Settled(previous);
        var sup = M(support);
        SameLength(cur.Length, sup.Length);
        if (prev is not null)
        {
            SameLength(cur.Length, prev.Length);
        }

        var n = cur.Length;
        var prevView = prev?.View ?? cur.View;
        var hasPrevious = prev is null ? 0 : 1;
        if (rule.IsLinear(out var previousWeight, out var projectedWeight))
        {
            updateLinear(Stream, Extent(n), cur.View, prevView, sup.View, hasPrevious, previousWeight, projectedWeight, cur.Pending, n, Extent(n));
            cur.Pending = 1f;
            return;
        }

        if (RuleKernel<TRule>() is { } kernel)
        {
            kernel.Launch(Stream, Extent(n), cur.View, prevView, sup.View, hasPrevious, rule, cur.Pending, n);
            cur.Pending = 1f;
            return;
        }

        base.UpdateObject(current, previous, support, rule);
    }

    /// <inheritdoc />
    public override void GaussianBlur(RealBuffer data, float sigma)
    {
        var d = R(data);
        if (!(sigma > 0))
        {
            return;
        }

        var shape = d.Shape;
        using var temp = Accelerator.Allocate1D<float>(d.Length);
        var axes = shape.Rank == 3
            ? new (int Length, long Stride)[] { (shape.Nx, 1), (shape.Ny, shape.Nx), (shape.Nz, (long)shape.Ny * shape.Nx) }
            : new (int Length, long Stride)[] { (shape.Nx, 1), (shape.Ny, shape.Nx) };
        var source = d.View;
        var destination = temp.View;
        var passes = 0;
        foreach (var (length, stride) in axes)
        {
            if (length < 2)
            {
                continue;
            }

            var radius = ManagedKernels.BlurRadius(length, sigma);
            var weights = new float[radius + 1];
            ManagedKernels.BlurWeights(sigma, weights);
            using var w = Accelerator.Allocate1D(weights);
            blurAxis(Stream, Extent(d.Length), source, destination, w.View, radius, length, stride, d.Length, Extent(d.Length));
            Stream.Synchronize();
            (source, destination) = (destination, source);
            passes++;
        }

        if (passes % 2 == 1)
        {
            d.Memory.View.CopyFrom(Stream, temp.View);
        }

        Stream.Synchronize();
    }

    /// <inheritdoc />
    public override void GaussianFourierFilter(ComplexBuffer spectrum, float sigma)
    {
        var d = C(spectrum);
        if (float.IsPositiveInfinity(sigma))
        {
            return;
        }

        var inv = sigma > 0 ? -0.5 / (sigma * (double)sigma) : double.NegativeInfinity;
        var s = d.Shape;
        fourierFilter(Stream, Extent(d.Length), d.View, s.Nz, s.Ny, s.Nx, inv, d.Pending, d.Length, Extent(d.Length));
        d.Pending = 1f;
    }

    /// <inheritdoc />
    public override SupportEnergy Energy(ComplexBuffer data, MaskBuffer support)
    {
        var d = C(data);
        var m = M(support);
        SameLength(d.Length, m.Length);
        ClearSums();
        energy(Stream, Extent(d.Length), d.View, m.View, d.Pending, sums.View, d.Length, Extent(d.Length));
        var s = ReadSums(2);
        return new SupportEnergy(s[0], s[1]);
    }

    /// <summary>Threads for a launch over <paramref name="n"/> elements.</summary>
    private protected int Extent(long n) => (int)Math.Max(1, Math.Min(n, LaunchThreads));

    /// <summary>The buffer as this backend's complex buffer, with any pending factor applied to its stored values.</summary>
    private protected GpuComplex Settled(ComplexBuffer buffer)
    {
        var b = C(buffer);
        if (b.Pending != 1f)
        {
            scale(Stream, Extent(b.Length), b.View, b.Pending, b.Length, Extent(b.Length));
            b.Pending = 1f;
        }

        return b;
    }

    /// <summary>Refuses, before allocating, an array larger than the memory the device has left.</summary>
    private protected void Budget(long bytes, string what)
    {
        var available = AvailableMemory;
        if (bytes > available)
        {
            throw new InsufficientMemoryForRunException(bytes, available, $"{what} on {Name}");
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (!disposed && disposing)
        {
            disposed = true;
            sums.Dispose();
            maxima.Dispose();
            foreach (var launcher in launchers)
            {
                launcher.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    /// <summary>Makes the accelerator current on the calling thread (CUDA contexts are per thread); a no-op elsewhere.</summary>
    private protected void Enter() => Accelerator.Bind();

    private protected GpuComplex C(ComplexBuffer buffer) =>
        buffer is GpuComplex g && ReferenceEquals(g.Owner, this) ? Entered(g) : throw new ArgumentException($"buffer does not belong to backend {Name}", nameof(buffer));

    private protected GpuReal R(RealBuffer buffer) =>
        buffer is GpuReal g && ReferenceEquals(g.Owner, this) ? Entered(g) : throw new ArgumentException($"buffer does not belong to backend {Name}", nameof(buffer));

    private protected GpuMask M(MaskBuffer buffer) =>
        buffer is GpuMask g && ReferenceEquals(g.Owner, this) ? Entered(g) : throw new ArgumentException($"buffer does not belong to backend {Name}", nameof(buffer));

    private T Entered<T>(T buffer)
    {
        Enter();
        return buffer;
    }

    private void Modulus(ComplexBuffer source, RealBuffer destination, bool squared)
    {
        var s = Settled(source);
        var d = R(destination);
        SameLength(s.Length, d.Length);
        modulus(Stream, Extent(s.Length), s.View, d.View, squared ? 1 : 0, s.Length, Extent(s.Length));
    }

    private void ClearSums() => sums.View.MemSetToZero(Stream);

    /// <summary>The totals of the first <paramref name="quantities"/> quantities of the slot sums.</summary>
    private double[] ReadSums(int quantities)
    {
        var count = quantities * GpuKernels.Slots;
        sums.View.SubView(0, count).CopyToCPU(Stream, hostSums.AsSpan(0, count));
        Stream.Synchronize();
        var totals = new double[quantities];
        for (var q = 0; q < quantities; q++)
        {
            double total = 0;
            for (var k = 0; k < GpuKernels.Slots; k++)
            {
                total += hostSums[(q * GpuKernels.Slots) + k];
            }

            totals[q] = total;
        }

        return totals;
    }

    /// <summary>The generic update kernel for <typeparamref name="TRule"/>, compiled once; null when ILGPU cannot compile the rule.</summary>
    private IRuleLauncher<TRule>? RuleKernel<TRule>()
        where TRule : struct, IObjectUpdateRule =>
        (IRuleLauncher<TRule>?)ruleKernels.GetOrAdd(typeof(TRule), _ =>
        {
            try
            {
                // The kernel needs an unmanaged rule (no references): MakeGenericType checks the constraint.
                var type = typeof(RuleLauncher<>).MakeGenericType(typeof(TRule));
                var launcher = (IRuleLauncher<TRule>)Activator.CreateInstance(type, Accelerator, NativeRuleLayout)!;
                launchers.Add((IDisposable)launcher);
                return launcher;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A rule that holds references or calls what ILGPU cannot translate: the managed default runs it.
                ruleFailures[typeof(TRule).Name] = e.GetBaseException().Message;
                return null;
            }
        });

    private static void SameLength(long a, long b)
    {
        if (a != b)
        {
            throw new ArgumentException($"arrays of {a} and {b} elements do not match");
        }
    }
}

/// <summary>Launches the generic update kernel for one rule type.</summary>
internal interface IRuleLauncher<in TRule>
{
    void Launch(AcceleratorStream stream, int extent, ArrayView<Complex32> current, ArrayView<Complex32> previous, ArrayView<byte> support, int hasPrevious, TRule rule, float scale, long n);
}

/// <summary>The compiled <see cref="GpuKernels.UpdateRule{TRule}"/> and the one-element device buffer its rule travels in.</summary>
internal sealed class RuleLauncher<TRule> : IRuleLauncher<TRule>, IDisposable
    where TRule : unmanaged, IObjectUpdateRule
{
    private readonly Action<AcceleratorStream, Index1D, ArrayView<Complex32>, ArrayView<Complex32>, ArrayView<byte>, int, ArrayView<byte>, float, long, int> kernel;
    private readonly MemoryBuffer1D<byte, Stride1D.Dense> rules;

    private readonly bool native;

    public RuleLauncher(Accelerator accelerator, bool nativeLayout)
    {
        native = nativeLayout;
        if (!native && RuleLayout.Device(default(TRule)) is null)
        {
            throw new NotSupportedException($"{typeof(TRule).Name} has a field type the device layout does not pack");
        }

        kernel = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<Complex32>, ArrayView<Complex32>, ArrayView<byte>, int, ArrayView<byte>, float, long, int>(GpuKernels.UpdateRule<TRule>);
        rules = accelerator.Allocate1D<byte>(Math.Max(native ? RuleLayout.Native(default(TRule)).Length : RuleLayout.Device(default(TRule))!.Length, 16));
    }

    public void Launch(AcceleratorStream stream, int extent, ArrayView<Complex32> current, ArrayView<Complex32> previous, ArrayView<byte> support, int hasPrevious, TRule rule, float scale, long n)
    {
        var bytes = native ? RuleLayout.Native(rule) : RuleLayout.Device(rule)!;
        rules.View.SubView(0, bytes.Length).CopyFromCPU(stream, bytes);
        kernel(stream, extent, current, previous, support, hasPrevious, rules.View, scale, n, extent);
    }

    public void Dispose() => rules.Dispose();
}
