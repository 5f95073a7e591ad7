using Cxdi.Plugins.Phasing.Fft;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Phasing.Compute;

/// <summary>
/// The CPU compute backend: buffers in 64-byte aligned native memory, FFTs from <see cref="FftEngines"/> (FFTW when
/// present, managed otherwise, or as forced), fused kernels run in fixed chunks on a <see cref="WorkerTeam"/> so results
/// do not depend on scheduling and the per-cycle path allocates nothing. One instance serves one thread at a time; use
/// <see cref="Fork"/> for runs side by side.
/// </summary>
internal sealed unsafe class CpuComputeBackend : IComputeBackend
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
    public string Name => Preference == FftPreference.Managed ? "cpu-managed" : "cpu";

    /// <inheritdoc />
    public string FftName
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
    public IComputeBackend Fork(int threads) => new CpuComputeBackend(Preference, threads);

    /// <inheritdoc />
    public void Transform(Span<Complex32> data, Shape shape, FftDirection direction)
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
    public ComplexBuffer AllocateComplex(Shape shape) => new CpuComplexBuffer(shape);

    /// <inheritdoc />
    public RealBuffer AllocateReal(Shape shape) => new CpuRealBuffer(shape);

    /// <inheritdoc />
    public MaskBuffer AllocateMask(Shape shape) => new CpuMaskBuffer(shape);

    /// <inheritdoc />
    public void Upload(ReadOnlySpan<Complex32> source, ComplexBuffer destination) => CopyChecked(source, C(destination).Span);

    /// <inheritdoc />
    public void Upload(ReadOnlySpan<float> source, RealBuffer destination) => CopyChecked(source, R(destination).Span);

    /// <inheritdoc />
    public void Upload(ReadOnlySpan<byte> source, MaskBuffer destination) => CopyChecked(source, M(destination).Span);

    /// <inheritdoc />
    public void Download(ComplexBuffer source, Span<Complex32> destination) => CopyChecked<Complex32>(C(source).Span, destination);

    /// <inheritdoc />
    public void Download(RealBuffer source, Span<float> destination) => CopyChecked<float>(R(source).Span, destination);

    /// <inheritdoc />
    public void Download(MaskBuffer source, Span<byte> destination) => CopyChecked<byte>(M(source).Span, destination);

    /// <inheritdoc />
    public FftPlan CreateFftPlan(Shape shape)
    {
        var plan = new CpuFftPlan(FftEngines.Create(shape, Threads, Preference));

        // The name of a real plan (threads used for this size) replaces the small probe's.
        fftName = plan.Name;
        return plan;
    }

    /// <inheritdoc />
    public void Fft(FftPlan plan, ComplexBuffer data, FftDirection direction)
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
    public void Copy(ComplexBuffer source, ComplexBuffer destination)
    {
        SameLength(source, destination);
        C(source).Span.CopyTo(C(destination).Span);
    }

    /// <inheritdoc />
    public void Scale(ComplexBuffer data, float factor)
    {
        var job = jobs.Scale;
        job.Data = (float*)C(data).Pointer;
        job.Length = data.Length * 2;
        job.Factor = factor;
        team.Run(job, Chunks(job.Length));
    }

    /// <inheritdoc />
    public FourierMetrics ProjectModulus(ComplexBuffer psi, RealBuffer observedAmplitude, MaskBuffer pixelClass, bool project, bool metrics)
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
        for (var c = 0; c < chunks; c++)
        {
            total += job.Partials[c];
        }

        return total;
    }

    /// <inheritdoc />
    public void UpdateObject(ComplexBuffer current, ComplexBuffer? previous, MaskBuffer support, ObjectUpdate update)
    {
        SameLength(current, support);
        var needsPrevious = update.Kind is ObjectUpdateKind.HybridInputOutput or ObjectUpdateKind.Raar or ObjectUpdateKind.DifferenceMap;
        if (needsPrevious && previous is null)
        {
            throw new ArgumentNullException(nameof(previous), $"{update.Kind} needs the previous object");
        }

        if (previous is not null)
        {
            SameLength(current, previous);
        }

        var job = jobs.Update;
        job.Current = C(current).Pointer;
        job.Previous = previous is null ? null : C(previous).Pointer;
        job.Support = M(support).Pointer;
        job.Length = current.Length;
        job.Update = update;
        team.Run(job, Chunks(current.Length));
    }

    /// <inheritdoc />
    public void Amplitude(ComplexBuffer source, RealBuffer destination)
    {
        SameLength(source, destination);
        var job = jobs.Amplitude;
        job.Source = C(source).Pointer;
        job.Destination = R(destination).Pointer;
        job.Length = source.Length;
        team.Run(job, Chunks(source.Length));
    }

    /// <inheritdoc />
    public void GaussianBlur(RealBuffer data, float sigma)
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
    public float Max(RealBuffer data)
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
    public (double SumOfSquares, long Count) SumOfSquares(RealBuffer data, MaskBuffer? where)
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
    public long Threshold(RealBuffer data, float level, MaskBuffer mask)
    {
        SameLength(data, mask);
        var job = jobs.Reduce;
        job.Start(CpuKernelJobs.ReduceKind.Threshold, R(data).Pointer, M(mask).Pointer, data.Length, level, null);
        return RunCount(job, data.Length);
    }

    /// <inheritdoc />
    public long Count(MaskBuffer mask)
    {
        var job = jobs.Reduce;
        job.Start(CpuKernelJobs.ReduceKind.Count, null, M(mask).Pointer, mask.Length, 0f, null);
        return RunCount(job, mask.Length);
    }

    /// <inheritdoc />
    public SupportEnergy Energy(ComplexBuffer data, MaskBuffer support)
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
    public void Dispose()
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

        var radius = Math.Min((int)MathF.Ceiling(4 * sigma), (n - 1) / 2);
        job.Weights = Grow(job.Weights, radius + 1);
        double sum = 0;
        for (var k = 0; k <= radius; k++)
        {
            var w = Math.Exp(-0.5 * k * k / (sigma * (double)sigma));
            job.Weights[k] = (float)w;
            sum += k == 0 ? w : 2 * w;
        }

        for (var k = 0; k <= radius; k++)
        {
            job.Weights[k] = (float)(job.Weights[k] / sum);
        }

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
