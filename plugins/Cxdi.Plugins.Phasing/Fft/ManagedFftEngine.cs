using System.Numerics;
using System.Runtime.Intrinsics;
using Cxdi.Plugins.Phasing.Fft.Managed;
using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Phasing.Fft;

/// <summary>
/// In-place complex64 FFTs in managed code, for machines without FFTW. Each axis is a pass over batches of
/// <see cref="Vector{T}.Count"/> lines (8 with AVX): a batch is copied into per-thread scratch in split re/im layout,
/// transformed by a mixed-radix Stockham <see cref="LinePlan"/> with vertical SIMD butterflies, and copied back. Along
/// the strided axes (columns, planes) a batch is 8 adjacent lines, so every load is 64 contiguous bytes and no
/// transpose is needed. The inverse runs as conj∘forward∘conj, with the conjugations and the 1/N scaling fused into the
/// first load and last store. Batches are split over <see cref="Threads"/> threads; nothing is allocated per transform
/// when <see cref="Threads"/> is 1 (Parallel.For's bookkeeping allocates a little otherwise).
/// </summary>
internal sealed unsafe class ManagedFftEngine : IFftEngine
{
    private readonly Axis[] _axes;
    private readonly AlignedComplexBuffer[] _scratch;
    private readonly int _bufferFloats;
    private readonly Action<int> _worker;
    private readonly ParallelOptions _parallel;
    private Complex32* _data;
    private Axis _axis = null!;
    private bool _conjugateIn, _conjugateOut;
    private float _scale;
    private bool _disposed;

    /// <summary>Creates an engine for <paramref name="shape"/> with <paramref name="threads"/> threads per transform (≤ 0: all cores).</summary>
    public ManagedFftEngine(Shape shape, int threads)
    {
        Shape = shape;
        Length = checked((int)shape.Length);
        Threads = threads <= 0 ? Environment.ProcessorCount : threads;
        int planeSize = shape.Ny * shape.Nx;
        var axes = new List<Axis>();
        var plans = new Dictionary<int, LinePlan>();
        LinePlan PlanFor(int n) => plans.TryGetValue(n, out LinePlan? p) ? p : plans[n] = new LinePlan(n);

        // Rows: lanes are consecutive rows; columns and planes: lanes are adjacent values of a row or plane.
        if (shape.Nx > 1)
        {
            axes.Add(new Axis(PlanFor(shape.Nx), Groups: 1, GroupStride: 0, LinesPerGroup: shape.Nz * shape.Ny, LaneStride: shape.Nx, ElementStride: 1));
        }

        if (shape.Ny > 1)
        {
            axes.Add(new Axis(PlanFor(shape.Ny), Groups: shape.Nz, GroupStride: planeSize, LinesPerGroup: shape.Nx, LaneStride: 1, ElementStride: shape.Nx));
        }

        if (shape.Nz > 1)
        {
            axes.Add(new Axis(PlanFor(shape.Nz), Groups: 1, GroupStride: 0, LinesPerGroup: planeSize, LaneStride: 1, ElementStride: planeSize));
        }

        _axes = [.. axes];
        int elements = _axes.Length == 0 ? 1 : _axes.Max(a => a.Plan.BufferElements);
        _bufferFloats = ((elements * StockhamKernels.ElementFloats) + 15) & ~15;
        _scratch = new AlignedComplexBuffer[Threads];
        for (int t = 0; t < Threads; t++)
        {
            _scratch[t] = new AlignedComplexBuffer(3 * _bufferFloats / 2);
        }

        _worker = RunWorker;
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = Threads };
        Name = $"managed mixed-radix ({string.Join(" x ", _axes.Select(a => a.Plan.Description).Reverse())}), {SimdDescription}, {Threads} thread{(Threads == 1 ? "" : "s")}";
    }

    /// <summary>The SIMD width the kernels use here, e.g. "SIMD 256-bit (AVX2)".</summary>
    public static string SimdDescription
    {
        get
        {
            string isa = System.Runtime.Intrinsics.X86.Avx2.IsSupported ? " (AVX2)"
                : System.Runtime.Intrinsics.X86.Avx.IsSupported ? " (AVX)"
                : System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported ? " (NEON)"
                : Vector128.IsHardwareAccelerated ? " (SSE)" : " (no hardware SIMD)";
            return $"SIMD {Vector<float>.Count * 32}-bit{isa}";
        }
    }

    /// <inheritdoc />
    public Shape Shape { get; }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public int Threads { get; }

    /// <summary>Number of complex values per transform.</summary>
    public int Length { get; }

    /// <inheritdoc />
    public void Forward(Span<Complex32> data) => Run(data, inverse: false);

    /// <inheritdoc />
    public void Inverse(Span<Complex32> data) => Run(data, inverse: true);

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (LinePlan plan in _axes.Select(a => a.Plan).Distinct())
        {
            plan.Dispose();
        }

        foreach (AlignedComplexBuffer buffer in _scratch)
        {
            buffer.Dispose();
        }
    }

    private void Run(Span<Complex32> data, bool inverse)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (data.Length != Length)
        {
            throw new ArgumentException($"expected {Length} values for shape {Shape}, got {data.Length}", nameof(data));
        }

        fixed (Complex32* p = data)
        {
            _data = p;
            try
            {
                for (int i = 0; i < _axes.Length; i++)
                {
                    _axis = _axes[i];
                    _conjugateIn = inverse && i == 0;
                    _conjugateOut = inverse && i == _axes.Length - 1;
                    _scale = _conjugateOut ? 1f / Length : 1f;
                    int workers = Math.Min(Threads, _axis.Batches);
                    if (workers <= 1)
                    {
                        RunBatches(0, _axis.Batches, 0);
                    }
                    else
                    {
                        Parallel.For(0, workers, _parallel, _worker);
                    }
                }
            }
            finally
            {
                _data = null;
            }
        }
    }

    private void RunWorker(int worker)
    {
        int workers = Math.Min(Threads, _axis.Batches);
        long total = _axis.Batches;
        RunBatches((int)(total * worker / workers), (int)(total * (worker + 1) / workers), worker);
    }

    private void RunBatches(int first, int end, int worker)
    {
        Axis axis = _axis;
        int lanesPerBatch = Vector<float>.Count;
        int batchesPerGroup = axis.BatchesPerGroup;
        int n = axis.Plan.Length;
        float* a = (float*)_scratch[worker].Pointer;
        float* b = a + _bufferFloats;
        float* c = b + _bufferFloats;
        for (int batch = first; batch < end; batch++)
        {
            int group = batch / batchesPerGroup;
            int line = (batch - (group * batchesPerGroup)) * lanesPerBatch;
            int lanes = Math.Min(lanesPerBatch, axis.LinesPerGroup - line);
            Complex32* line0 = _data + (group * axis.GroupStride) + (line * axis.LaneStride);
            BatchTransfer.Load(line0, axis.LaneStride, axis.ElementStride, lanes, n, a, _conjugateIn);
            float* result = axis.Plan.Execute(a, b, c);
            BatchTransfer.Store(result, line0, axis.LaneStride, axis.ElementStride, lanes, n, _conjugateOut, _scale);
        }
    }

    /// <summary>One pass: lines of <see cref="LinePlan.Length"/> values, in groups of lines that sit at a fixed lane stride.</summary>
    private sealed record Axis(LinePlan Plan, int Groups, nint GroupStride, int LinesPerGroup, nint LaneStride, nint ElementStride)
    {
        public int BatchesPerGroup { get; } = (LinesPerGroup + Vector<float>.Count - 1) / Vector<float>.Count;

        public int Batches => Groups * BatchesPerGroup;
    }
}
