using System.Numerics;
using System.Runtime.Intrinsics;
using Cxdi.Plugins.Phasing.Fft.Managed;
using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Phasing.Fft;

/// <summary>
/// In-place complex64 FFTs in managed code, for machines without FFTW. Each axis is swept in batches of
/// <see cref="Vector{T}.Count"/> lines (8 with AVX): a batch is copied into per-thread scratch in split re/im layout,
/// transformed by a mixed-radix Stockham <see cref="LinePlan"/> with vertical SIMD butterflies, and copied back. Rows
/// are transposed 8×4 in registers on the way; along the strided axes (columns, planes) a batch is 8 adjacent lines,
/// so every access is 64·width contiguous bytes and no transpose is needed. In 3D, rows and columns run plane by plane
/// while the plane is in cache. The inverse runs as conj∘forward∘conj, with the conjugations and the 1/N scaling fused
/// into the first load and the last store. Work is shared among <see cref="Threads"/> threads in chunks of units, on a
/// worker team the engine owns (the calling thread works too). Nothing is allocated per transform.
/// </summary>
internal sealed unsafe class ManagedFftEngine : IFftEngine, Compute.IChunkJob
{
    /// <summary>Most batches of adjacent lines moved together in one strided sweep.</summary>
    private const int MaxWidth = 4;

    /// <summary>Smallest share of a transform worth a thread: below it, waking a worker costs more than it saves.</summary>
    private const int MinValuesPerWorker = 1 << 16;

    /// <summary>Largest plane (complex values; 512 KiB) transformed along rows and columns in one fused pass.</summary>
    private const int MaxFusedPlane = 1 << 16;

    private readonly Axis[] _axes;
    private readonly Pass[] _passes;
    private readonly AlignedComplexBuffer[] _scratch;
    private readonly int _bufferFloats;
    private readonly int[] _slotBusy;
    private readonly Compute.WorkerTeam? _team;
    private Complex32* _data;
    private Pass _pass = null!;
    private bool _conjugateIn, _conjugateOut;
    private float _scale;
    private int _units;
    private int _chunk;
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
        // In 3D, when a plane fits in cache, rows and columns are transformed plane by plane (one fused pass), so the
        // column sweep finds the plane still in L2; rows are then grouped per plane.
        bool fusePlanes = shape.Nz > 1 && shape.Ny > 1 && shape.Nx > 1 && planeSize <= MaxFusedPlane && shape.Nz >= 2 * Threads;
        if (shape.Nx > 1)
        {
            axes.Add(fusePlanes
                ? new Axis(PlanFor(shape.Nx), Groups: shape.Nz, GroupStride: planeSize, LinesPerGroup: shape.Ny, LaneStride: shape.Nx, ElementStride: 1)
                : new Axis(PlanFor(shape.Nx), Groups: 1, GroupStride: 0, LinesPerGroup: shape.Nz * shape.Ny, LaneStride: shape.Nx, ElementStride: 1));
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
        _passes = fusePlanes
            ? [new Pass([_axes[0], _axes[1]], shape.Nz), new Pass([_axes[2]], _axes[2].Units)]
            : [.. _axes.Select(a => new Pass([a], a.Units))];
        int elements = _axes.Length == 0 ? 1 : _axes.Max(a => a.Plan.BufferElements);
        int buffers = _axes.Length == 0 ? 3 : Math.Max(3, _axes.Max(a => a.Width) + 2);
        _bufferFloats = ((elements * StockhamKernels.ElementFloats) + 15) & ~15;
        _scratch = new AlignedComplexBuffer[Threads];
        for (int t = 0; t < Threads; t++)
        {
            _scratch[t] = new AlignedComplexBuffer(buffers * _bufferFloats / 2);
        }

        _slotBusy = new int[Threads];
        _team = Threads > 1 ? new Compute.WorkerTeam(Threads) : null;
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
        _team?.Dispose();
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
                for (int i = 0; i < _passes.Length; i++)
                {
                    _pass = _passes[i];
                    _conjugateIn = inverse && i == 0;
                    _conjugateOut = inverse && i == _passes.Length - 1;
                    _scale = _conjugateOut ? 1f / Length : 1f;
                    int workers = Math.Min(Math.Min(Threads, _pass.Units), Math.Max(1, Length / MinValuesPerWorker));
                    if (workers <= 1)
                    {
                        RunPassUnits(0, _pass.Units, 0);
                    }
                    else
                    {
                        RunShared(workers);
                    }
                }
            }
            finally
            {
                _data = null;
            }
        }
    }

    /// <summary>
    /// Runs the current pass in chunks of units on the engine's worker team (the calling thread included), each chunk
    /// with a free scratch slot; a fixed team allocates nothing per call, unlike queueing to the thread pool.
    /// </summary>
    private void RunShared(int workers)
    {
        _units = _pass.Units;
        _chunk = Math.Max(1, _units / (4 * workers));
        _team!.Run(this, (_units + _chunk - 1) / _chunk);
    }

    /// <summary>One chunk of units of the current pass, with the first free scratch slot (at most one per team thread).</summary>
    void Compute.IChunkJob.Execute(int chunk)
    {
        for (int slot = 0; slot < _slotBusy.Length; slot++)
        {
            if (Interlocked.CompareExchange(ref _slotBusy[slot], 1, 0) == 0)
            {
                try
                {
                    int first = chunk * _chunk;
                    RunPassUnits(first, Math.Min(_units, first + _chunk), slot);
                }
                finally
                {
                    Volatile.Write(ref _slotBusy[slot], 0);
                }

                return;
            }
        }

        throw new InvalidOperationException("more threads than scratch slots ran one FFT pass");
    }

    /// <summary>
    /// Runs units [first, end) of the current pass: units of its one axis, or, for a fused pass, whole groups
    /// (planes) through each of its axes in turn. The inverse's conjugations and scaling apply to the first and last
    /// axis of the whole transform only.
    /// </summary>
    private void RunPassUnits(int first, int end, int worker)
    {
        Axis[] axes = _pass.Axes;
        if (axes.Length == 1)
        {
            RunUnits(axes[0], first, end, worker, _conjugateIn, _conjugateOut, _scale);
            return;
        }

        for (int group = first; group < end; group++)
        {
            for (int i = 0; i < axes.Length; i++)
            {
                bool last = i == axes.Length - 1;
                int perGroup = axes[i].UnitsPerGroup;
                RunUnits(axes[i], group * perGroup, (group + 1) * perGroup, worker, _conjugateIn && i == 0, _conjugateOut && last, _conjugateOut && last ? _scale : 1f);
            }
        }
    }

    /// <summary>
    /// Transforms work units [first, end) of <paramref name="axis"/> with one worker's scratch. A unit is
    /// <see cref="Axis.Width"/> consecutive batches of one group, moved together so that a strided sweep reads and
    /// writes 64·width contiguous bytes per element; each batch then runs on its own buffer from a pool of width + 2.
    /// </summary>
    private void RunUnits(Axis axis, int first, int end, int worker, bool conjugateIn, bool conjugateOut, float scale)
    {
        int l = Vector<float>.Count;
        int n = axis.Plan.Length;
        float* scratch = (float*)_scratch[worker].Pointer;
        float** inputs = stackalloc float*[MaxWidth];
        float** results = stackalloc float*[MaxWidth];
        for (int unit = first; unit < end; unit++)
        {
            int group = unit / axis.UnitsPerGroup;
            int firstBatch = (unit - (group * axis.UnitsPerGroup)) * axis.Width;
            int batches = Math.Min(axis.Width, axis.BatchesPerGroup - firstBatch);
            int firstLine = firstBatch * l;
            Complex32* line0 = _data + (group * axis.GroupStride) + (firstLine * axis.LaneStride);
            if (batches == 1)
            {
                int lanes = Math.Min(l, axis.LinesPerGroup - firstLine);
                BatchTransfer.Load(line0, axis.LaneStride, axis.ElementStride, lanes, n, scratch, conjugateIn);
                float* result = axis.Plan.Execute(scratch, scratch + _bufferFloats, scratch + (2 * _bufferFloats));
                BatchTransfer.Store(result, line0, axis.LaneStride, axis.ElementStride, lanes, n, conjugateOut, scale);
                continue;
            }

            // Wide units exist only for adjacent lines (lane stride 1) where the AVX path is available.
            int full = Math.Min(batches, (axis.LinesPerGroup - firstLine) / l);
            for (int g = 0; g < batches; g++)
            {
                inputs[g] = scratch + (g * _bufferFloats);
            }

            BatchTransfer.LoadAdjacent(line0, axis.ElementStride, full, n, inputs, conjugateIn);
            for (int g = full; g < batches; g++)
            {
                BatchTransfer.Load(line0 + (g * l), 1, axis.ElementStride, axis.LinesPerGroup - firstLine - (g * l), n, inputs[g], conjugateIn);
            }

            float* free1 = scratch + (batches * _bufferFloats), free2 = free1 + _bufferFloats;
            for (int g = 0; g < batches; g++)
            {
                float* input = inputs[g];
                float* result = axis.Plan.Execute(input, free1, free2);
                results[g] = result;
                if (result == free1)
                {
                    free1 = input;
                }
                else if (result == free2)
                {
                    free2 = input;
                }
            }

            BatchTransfer.StoreAdjacent(results, line0, axis.ElementStride, full, n, conjugateOut, scale);
            for (int g = full; g < batches; g++)
            {
                BatchTransfer.Store(results[g], line0 + (g * l), 1, axis.ElementStride, axis.LinesPerGroup - firstLine - (g * l), n, conjugateOut, scale);
            }
        }
    }

    /// <summary>A sweep over the data: one axis, or rows and columns fused plane by plane; its units are shared among threads.</summary>
    private sealed record Pass(Axis[] Axes, int Units);

    /// <summary>One axis: lines of <see cref="LinePlan.Length"/> values, in groups of lines that sit at a fixed lane stride.</summary>
    private sealed record Axis(LinePlan Plan, int Groups, nint GroupStride, int LinesPerGroup, nint LaneStride, nint ElementStride)
    {
        /// <summary>Batches of up to <see cref="Vector{T}.Count"/> lines in one group.</summary>
        public int BatchesPerGroup { get; } = (LinesPerGroup + Vector<float>.Count - 1) / Vector<float>.Count;

        /// <summary>
        /// Batches moved together: for adjacent lines as many as keep (width + 2) batch buffers within ~512 KiB (half
        /// a typical L2), at most <see cref="MaxWidth"/>; 1 for rows.
        /// </summary>
        public int Width { get; } = LaneStride == 1 && BatchTransfer.HasAdjacentPath
            ? Math.Clamp((512 << 10) / (Plan.BufferElements * StockhamKernels.ElementFloats * sizeof(float)) - 2, 1, MaxWidth)
            : 1;

        /// <summary>Work units per group.</summary>
        public int UnitsPerGroup => (BatchesPerGroup + Width - 1) / Width;

        /// <summary>Work units of the whole pass.</summary>
        public int Units => Groups * UnitsPerGroup;
    }
}
