using Cxdi.Plugins.Phasing.Fft;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Phasing.Compute;

/// <summary>
/// The CPU compute backend: buffers in 64-byte aligned native memory, FFTs from <see cref="FftEngines"/> (FFTW when
/// present, managed otherwise, or as forced), fused kernels run in fixed chunks on a <see cref="WorkerTeam"/> so results
/// do not depend on scheduling and the per-cycle path allocates nothing. Every fused kernel is overridden with a SIMD
/// version. One instance serves one thread at a time; use <see cref="Fork"/> for runs side by side.
/// </summary>
internal sealed unsafe class CpuComputeBackend : ComputeBackendBase, IThreadedBackend
{
    /// <summary>Elements per chunk of the element-wise kernels (fixed, so reductions are reproducible for any thread count).</summary>
    internal const int ChunkSize = 1 << 15;

    private readonly WorkerTeam team;
    private readonly Dictionary<Shape, IFftEngine> hostEngines = [];
    private readonly CpuKernelJobs jobs;
    private string? fftName;

    /// <summary>Creates a backend using <paramref name="threads"/> threads (0 = all cores) and the FFT <paramref name="preference"/>.</summary>
    public CpuComputeBackend(FftPreference preference, int threads)
    {
        Preference = preference;
        Threads = threads <= 0 ? Environment.ProcessorCount : threads;
        team = new WorkerTeam(Threads);
        jobs = new CpuKernelJobs();
    }

    /// <summary>The FFT implementation asked for.</summary>
    public FftPreference Preference { get; }

    /// <inheritdoc />
    public override string Name => Preference == FftPreference.Managed ? "cpu-managed" : "cpu";

    /// <inheritdoc />
    public override string FftName
    {
        get
        {
            if (fftName is null)
            {
                using var probe = FftEngines.Create(Shape.Of(8, 8), Threads, Preference);
                fftName = probe.Name;
            }

            return fftName;
        }
    }

    /// <inheritdoc />
    public int Threads { get; }

    /// <inheritdoc />
    public override long AvailableMemory => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes - GC.GetTotalMemory(false);

    /// <inheritdoc />
    public IComputeBackend Fork(int threads) => new CpuComputeBackend(Preference, threads);

    /// <inheritdoc />
    public override void Transform(Span<Complex32> data, Shape shape, FftDirection direction)
    {
        if (data.Length != shape.Length)
        {
            throw new ArgumentException($"data holds {data.Length} values, shape {shape} needs {shape.Length}", nameof(data));
        }

        IFftEngine engine;
        lock (hostEngines)
        {
            if (!hostEngines.TryGetValue(shape, out engine!))
            {
                engine = FftEngines.Create(shape, Threads, Preference);
                hostEngines[shape] = engine;
            }
        }

        lock (engine)
        {
            if (direction == FftDirection.Forward)
            {
                engine.Forward(data);
            }
            else
            {
                engine.Inverse(data);
            }
        }
    }

    /// <inheritdoc />
    public override ComplexBuffer AllocateComplex(Shape shape) => new CpuComplexBuffer(shape);

    /// <inheritdoc />
    public override RealBuffer AllocateReal(Shape shape) => new CpuRealBuffer(shape);

    /// <inheritdoc />
    public override MaskBuffer AllocateMask(Shape shape) => new CpuMaskBuffer(shape);

    /// <inheritdoc />
    public override void Upload(ReadOnlySpan<Complex32> source, ComplexBuffer destination) => CopyChecked(source, C(destination).Span);

    /// <inheritdoc />
    public override void Upload(ReadOnlySpan<float> source, RealBuffer destination) => CopyChecked(source, R(destination).Span);

    /// <inheritdoc />
    public override void Upload(ReadOnlySpan<byte> source, MaskBuffer destination) => CopyChecked(source, M(destination).Span);

    /// <inheritdoc />
    public override void Download(ComplexBuffer source, Span<Complex32> destination) => CopyChecked<Complex32>(C(source).Span, destination);

    /// <inheritdoc />
    public override void Download(RealBuffer source, Span<float> destination) => CopyChecked<float>(R(source).Span, destination);

    /// <inheritdoc />
    public override void Download(MaskBuffer source, Span<byte> destination) => CopyChecked<byte>(M(source).Span, destination);

    /// <inheritdoc />
    public override FftPlan CreateFftPlan(Shape shape)
    {
        var plan = new CpuFftPlan(FftEngines.Create(shape, Threads, Preference));

        // The name of a real plan (threads used for this size) replaces the small probe's.
        fftName = plan.Name;
        return plan;
    }

    /// <inheritdoc />
    public override void Fft(FftPlan plan, ComplexBuffer data, FftDirection direction)
    {
        var engine = ((CpuFftPlan)plan).Engine;
        var span = C(data).Span;
        if (direction == FftDirection.Forward)
        {
            engine.Forward(span);
        }
        else if (engine is FftwEngine fftw)
        {
            // FFTW leaves the 1/N to us: scaled on the backend's own threads, which allocates nothing per call.
            fftw.InverseUnscaled(span);
            Scale(data, 1f / data.Length);
        }
        else
        {
            engine.Inverse(span);
        }
    }

    /// <inheritdoc />
    public override void Copy(ComplexBuffer source, ComplexBuffer destination)
    {
        SameLength(source, destination);
        C(source).Span.CopyTo(C(destination).Span);
    }

    /// <inheritdoc />
    public override void Scale(ComplexBuffer data, float factor)
    {
        var job = jobs.Scale;
        job.Data = (float*)C(data).Pointer;
        job.Length = data.Length * 2;
        job.Factor = factor;
        team.Run(job, Chunks(job.Length));
    }

    /// <inheritdoc />
    public override FourierMetrics ProjectModulus(ComplexBuffer psi, RealBuffer observedAmplitude, MaskBuffer pixelClass, bool project, bool metrics)
    {
        SameLength(psi, observedAmplitude);
        SameLength(psi, pixelClass);
        var job = jobs.Project;
        job.Psi = C(psi).Pointer;
        job.Amplitude = R(observedAmplitude).Pointer;
        job.Class = M(pixelClass).Pointer;
        job.Length = psi.Length;
        job.DoProject = project;
        job.DoMetrics = metrics;
        var chunks = Chunks(psi.Length);
        job.Partials = Grow(job.Partials, chunks);
        team.Run(job, chunks);
        var total = default(FourierMetrics);
        for (var c = 0; metrics && c < chunks; c++)
        {
            total += job.Partials[c];
        }

        return total;
    }

    /// <inheritdoc />
    public override long ClampAmplitude(ComplexBuffer psi, RealBuffer lowerAmplitude, RealBuffer upperAmplitude, MaskBuffer pixelClass)
    {
        SameLength(psi, lowerAmplitude);
        SameLength(psi, upperAmplitude);
        SameLength(psi, pixelClass);
        var job = jobs.Clamp;
        job.Psi = C(psi).Pointer;
        job.Lower = R(lowerAmplitude).Pointer;
        job.Upper = R(upperAmplitude).Pointer;
        job.Class = M(pixelClass).Pointer;
        job.Length = psi.Length;
        var chunks = Chunks(psi.Length);
        job.Partials = Grow(job.Partials, chunks);
        team.Run(job, chunks);
        long changed = 0;
        for (var c = 0; c < chunks; c++)
        {
            changed += job.Partials[c];
        }

        return changed;
    }

    /// <inheritdoc />
    public override void UpdateObject<TRule>(ComplexBuffer current, ComplexBuffer? previous, MaskBuffer support, TRule rule)
    {
        SameLength(current, support);
        if (previous is null && rule.ReadsPrevious)
        {
            throw new ArgumentNullException(nameof(previous), $"{typeof(TRule).Name} reads the previous object");
        }

        if (previous is not null)
        {
            SameLength(current, previous);
        }

        var job = jobs.Update<TRule>();
        job.Current = C(current).Pointer;
        job.Previous = previous is null ? null : C(previous).Pointer;
        job.Support = M(support).Pointer;
        job.Length = current.Length;
        job.Rule = rule;
        team.Run(job, Chunks(current.Length));
    }

    /// <inheritdoc />
    public override void Abs(ComplexBuffer source, RealBuffer destination)
    {
        SameLength(source, destination);
        var job = jobs.Amplitude;
        job.Source = C(source).Pointer;
        job.Destination = R(destination).Pointer;
        job.Length = source.Length;
        team.Run(job, Chunks(source.Length));
    }

    /// <inheritdoc />
    public override void GaussianBlur(RealBuffer data, float sigma)
    {
        if (!(sigma > 0))
        {
            return;
        }

        var s = data.Shape;
        var job = jobs.Blur;
        job.Data = R(data).Pointer;
        BlurAxis(job, s.Nx, 1, (long)s.Nz * s.Ny, sigma);
        BlurAxis(job, s.Ny, s.Nx, s.Nz, sigma);
        if (s.Rank == 3)
        {
            BlurAxis(job, s.Nz, (long)s.Ny * s.Nx, 1, sigma);
        }
    }

    /// <inheritdoc />
    public override float Max(RealBuffer data)
    {
        var job = jobs.Reduce;
        job.Start(CpuKernelJobs.ReduceKind.Max, R(data).Pointer, null, data.Length, 0f, null);
        var chunks = Chunks(data.Length);
        job.Grow(chunks);
        team.Run(job, chunks);
        var max = float.NegativeInfinity;
        for (var c = 0; c < chunks; c++)
        {
            max = MathF.Max(max, (float)job.Values[c]);
        }

        return max;
    }

    /// <inheritdoc />
    public override (double SumOfSquares, long Count) SumOfSquares(RealBuffer data, MaskBuffer? where)
    {
        if (where is not null)
        {
            SameLength(data, where);
        }

        var job = jobs.Reduce;
        job.Start(CpuKernelJobs.ReduceKind.SumOfSquares, R(data).Pointer, where is null ? null : M(where).Pointer, data.Length, 0f, null);
        var chunks = Chunks(data.Length);
        job.Grow(chunks);
        team.Run(job, chunks);
        double sum = 0;
        long count = 0;
        for (var c = 0; c < chunks; c++)
        {
            sum += job.Values[c];
            count += job.Counts[c];
        }

        return (sum, count);
    }

    /// <inheritdoc />
    public override long Threshold(RealBuffer data, float level, MaskBuffer mask)
    {
        SameLength(data, mask);
        var job = jobs.Reduce;
        job.Start(CpuKernelJobs.ReduceKind.Threshold, R(data).Pointer, M(mask).Pointer, data.Length, level, null);
        return RunCount(job, data.Length);
    }

    /// <inheritdoc />
    public override long Count(MaskBuffer mask)
    {
        var job = jobs.Reduce;
        job.Start(CpuKernelJobs.ReduceKind.Count, null, M(mask).Pointer, mask.Length, 0f, null);
        return RunCount(job, mask.Length);
    }

    /// <inheritdoc />
    public override SupportEnergy Energy(ComplexBuffer data, MaskBuffer support)
    {
        SameLength(data, support);
        var job = jobs.Reduce;
        job.Start(CpuKernelJobs.ReduceKind.Energy, null, M(support).Pointer, data.Length, 0f, C(data).Pointer);
        var chunks = Chunks(data.Length);
        job.Grow(chunks);
        team.Run(job, chunks);
        double inside = 0, outside = 0;
        for (var c = 0; c < chunks; c++)
        {
            inside += job.Values[c];
            outside += job.Values2[c];
        }

        return new SupportEnergy(inside, outside);
    }

    /// <inheritdoc />
    public override void Scale(ComplexBuffer data, MaskBuffer mask, float inside, float outside)
    {
        SameLength(data, mask);
        RunElement(CpuKernelJobs.ElementKind.MaskedScale, data.Length, x: C(data).Pointer, mask: M(mask).Pointer, a: inside, b: outside);
    }

    /// <inheritdoc />
    public override void Multiply(ComplexBuffer data, RealBuffer factor)
    {
        SameLength(data, factor);
        RunElement(CpuKernelJobs.ElementKind.MultiplyReal, data.Length, x: C(data).Pointer, real: R(factor).Pointer);
    }

    /// <inheritdoc />
    public override void Multiply(ComplexBuffer data, ComplexBuffer factor)
    {
        SameLength(data, factor);
        RunElement(CpuKernelJobs.ElementKind.MultiplyComplex, data.Length, x: C(data).Pointer, y: C(factor).Pointer);
    }

    /// <inheritdoc />
    public override void Axpby(float a, ComplexBuffer x, float b, ComplexBuffer y)
    {
        SameLength(x, y);
        RunElement(CpuKernelJobs.ElementKind.Axpby, x.Length, x: C(x).Pointer, y: C(y).Pointer, a: a, b: b);
    }

    /// <inheritdoc />
    public override void AbsSquared(ComplexBuffer source, RealBuffer destination)
    {
        SameLength(source, destination);
        RunElement(CpuKernelJobs.ElementKind.AbsSquared, source.Length, x: C(source).Pointer, real: R(destination).Pointer);
    }

    /// <inheritdoc />
    public override double Sum(RealBuffer data)
    {
        var job = RunElement(CpuKernelJobs.ElementKind.Sum, data.Length, real: R(data).Pointer);
        double sum = 0;
        for (var c = 0; c < Chunks(data.Length); c++)
        {
            sum += job.Re[c];
        }

        return sum;
    }

    /// <inheritdoc />
    public override System.Numerics.Complex Dot(ComplexBuffer a, ComplexBuffer b)
    {
        SameLength(a, b);
        var job = RunElement(CpuKernelJobs.ElementKind.Dot, a.Length, x: C(a).Pointer, y: C(b).Pointer);
        double re = 0, im = 0;
        for (var c = 0; c < Chunks(a.Length); c++)
        {
            re += job.Re[c];
            im += job.Im[c];
        }

        return new System.Numerics.Complex(re, im);
    }

    /// <inheritdoc />
    public override void GaussianFourierFilter(ComplexBuffer spectrum, float sigma) => ManagedKernels.GaussianFourierFilter(C(spectrum).Span, spectrum.Shape, sigma);

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        team.Dispose();
        lock (hostEngines)
        {
            foreach (var engine in hostEngines.Values)
            {
                engine.Dispose();
            }

            hostEngines.Clear();
        }
    }

    private CpuKernelJobs.ElementJob RunElement(CpuKernelJobs.ElementKind kind, long length, Complex32* x = null, Complex32* y = null, float* real = null, byte* mask = null, float a = 0, float b = 0)
    {
        var job = jobs.Element;
        job.Kind = kind;
        job.X = x;
        job.Y = y;
        job.Real = real;
        job.Mask = mask;
        job.Length = length;
        job.A = a;
        job.B = b;
        var chunks = Chunks(length);
        job.Grow(chunks);
        team.Run(job, chunks);
        return job;
    }

    private static int Chunks(long length) => (int)Math.Max(1, (length + ChunkSize - 1) / ChunkSize);

    private static T[] Grow<T>(T[] array, int length) => array.Length >= length ? array : new T[length];

    private long RunCount(CpuKernelJobs.ReduceJob job, long length)
    {
        var chunks = Chunks(length);
        job.Grow(chunks);
        team.Run(job, chunks);
        long count = 0;
        for (var c = 0; c < chunks; c++)
        {
            count += job.Counts[c];
        }

        return count;
    }

    private void BlurAxis(CpuKernelJobs.BlurJob job, int n, long stride, long outer, float sigma)
    {
        if (n < 2)
        {
            return;
        }

        var radius = ManagedKernels.BlurRadius(n, sigma);
        job.Weights = Grow(job.Weights, radius + 1);
        ManagedKernels.BlurWeights(sigma, job.Weights.AsSpan(0, radius + 1));
        job.Radius = radius;
        job.N = n;
        job.Stride = stride;
        job.TileWidth = (int)Math.Min(CpuKernelJobs.BlurJob.MaxTile, stride);
        job.BlocksPerOuter = (stride + job.TileWidth - 1) / job.TileWidth;
        var chunks = outer * job.BlocksPerOuter;
        team.Run(job, checked((int)chunks));
    }

    private static void CopyChecked<T>(ReadOnlySpan<T> source, Span<T> destination)
    {
        if (source.Length != destination.Length)
        {
            throw new ArgumentException($"length mismatch: {source.Length} values for a buffer of {destination.Length}");
        }

        source.CopyTo(destination);
    }

    private static void SameLength(DeviceBuffer a, DeviceBuffer b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException($"buffers of shapes {a.Shape} and {b.Shape} do not match");
        }
    }

    private static CpuComplexBuffer C(ComplexBuffer b) => b as CpuComplexBuffer ?? throw new ArgumentException("buffer belongs to another backend", nameof(b));

    private static CpuRealBuffer R(RealBuffer b) => b as CpuRealBuffer ?? throw new ArgumentException("buffer belongs to another backend", nameof(b));

    private static CpuMaskBuffer M(MaskBuffer b) => b as CpuMaskBuffer ?? throw new ArgumentException("buffer belongs to another backend", nameof(b));
}
