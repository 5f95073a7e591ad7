using System.Runtime.InteropServices;
using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Phasing.Fft;

/// <summary>
/// In-place complex64 FFTs through FFTW 3 (single precision). Plans are made once per (shape, threads, direction,
/// planner) for the whole process on 64-byte aligned scratch and executed with <c>fftwf_execute_dft</c> on the
/// caller's array, so one plan serves every buffer of that shape. Arrays aligned like <see cref="AlignedComplexBuffer"/>
/// are transformed in place; others are copied through an aligned scratch (same result, one extra copy each way).
/// The 1/N scaling of <see cref="Inverse"/> is a separate SIMD pass (fused with the copy-back on the unaligned path).
/// </summary>
internal sealed unsafe class FftwEngine : IFftEngine
{
    /// <summary>Smallest share of a transform worth a thread; smaller transforms run on one (waking threads costs more).</summary>
    private const int MinValuesPerThread = 1 << 15;

    /// <summary>From this many values an unaligned array is transformed where it is, by plans made for any alignment, instead of through an aligned copy.</summary>
    private const int LargeUnaligned = 1 << 22;

    private static readonly Lock PlannerLock = new();
    private static readonly Dictionary<PlanKey, PlanEntry> Plans = [];
    private static readonly Lazy<Availability> Probe = new(ProbeLibrary);
    private static bool _threadsInitialised;

    private readonly PlanEntry _forward;
    private readonly PlanEntry _inverse;
    private readonly int _length;
    private AlignedComplexBuffer? _scratch;
    private PlanEntry? _forwardUnaligned;
    private PlanEntry? _inverseUnaligned;
    private bool _disposed;

    /// <summary>
    /// Creates an engine for <paramref name="shape"/> using up to <paramref name="threads"/> threads per transform
    /// (≤ 0: all cores; one per 32 Ki values at most). Planning may take seconds per new shape with <see cref="FftPlanning.Measure"/> unless wisdom
    /// is cached on disk. Throws <see cref="InvalidOperationException"/> when FFTW is not available here.
    /// </summary>
    public FftwEngine(Shape shape, int threads, FftPlanning planning = FftPlanning.Default)
    {
        if (!IsAvailable(out string reason))
        {
            throw new InvalidOperationException($"FFTW cannot be used: {reason}");
        }

        Shape = shape;
        _length = checked((int)shape.Length);
        int wanted = threads <= 0 ? Environment.ProcessorCount : threads;
        Threads = Probe.Value.HasThreads ? Math.Clamp(_length / MinValuesPerThread, 1, wanted) : 1;
        Planning = FftPlanningSettings.Resolve(planning);
        _forward = Acquire(new PlanKey(shape, Threads, FftwNative.Forward, Planning));
        try
        {
            _inverse = Acquire(new PlanKey(shape, Threads, FftwNative.Backward, Planning));
        }
        catch
        {
            Release(_forward);
            throw;
        }
    }

    /// <summary>FFTW's version string, e.g. "fftw-3.3.10-sse2-avx", or "FFTW 3" when the library does not export it.</summary>
    public static string Version => Probe.Value.Version;

    /// <summary>The version without its "fftw-" prefix, e.g. "3.3.10-sse2-avx".</summary>
    private static string ShortVersion => Version.StartsWith("fftw-", StringComparison.Ordinal) ? Version[5..] : Version;

    /// <summary>Number of distinct plans alive in the process-wide cache.</summary>
    internal static int CachedPlanCount
    {
        get
        {
            lock (PlannerLock)
            {
                return Plans.Count;
            }
        }
    }

    /// <inheritdoc />
    public Shape Shape { get; }

    /// <inheritdoc />
    public string Name => $"FFTW {ShortVersion}, {Threads} thread{(Threads == 1 ? "" : "s")}, {(Planning == FftPlanning.Measure ? "measured" : "estimated")} plans";

    /// <inheritdoc />
    public int Threads { get; }

    /// <summary>The planner mode the plans were made with (never <see cref="FftPlanning.Default"/>).</summary>
    public FftPlanning Planning { get; }

    /// <summary>Native handle of the forward plan (shared by every engine of the same key).</summary>
    internal nint ForwardPlan => _forward.Handle;

    /// <summary>
    /// True when FFTW can be used here; otherwise <paramref name="reason"/> says why (library missing, or
    /// <c>CXDI_FFT=managed</c> asks for the managed engine).
    /// </summary>
    public static bool IsAvailable(out string reason)
    {
        string? forced = Environment.GetEnvironmentVariable("CXDI_FFT");
        if (string.Equals(forced?.Trim(), "managed", StringComparison.OrdinalIgnoreCase))
        {
            reason = "CXDI_FFT=managed selects the managed FFT";
            return false;
        }

        Availability probe = Probe.Value;
        reason = probe.Reason;
        return probe.Loaded;
    }

    /// <summary>Destroys cached plans that no live engine uses (frees FFTW's twiddle tables).</summary>
    public static void ReleaseUnusedPlans()
    {
        lock (PlannerLock)
        {
            foreach ((PlanKey key, PlanEntry entry) in Plans.Where(p => p.Value.References == 0).ToList())
            {
                FftwNative.DestroyPlan(entry.Handle);
                Plans.Remove(key);
            }
        }
    }

    /// <summary>
    /// Writes FFTW's accumulated wisdom to <paramref name="path"/> atomically; false (never an exception) when it
    /// cannot. Measured planning does this by itself; this is for tools and tests.
    /// </summary>
    public static bool ExportWisdom(string path)
    {
        if (!IsAvailable(out _))
        {
            return false;
        }

        lock (PlannerLock)
        {
            return FftwWisdom.Export(path);
        }
    }

    /// <inheritdoc />
    public void Forward(Span<Complex32> data) => Execute(data, backward: false, scale: false);

    /// <inheritdoc />
    public void Inverse(Span<Complex32> data) => Execute(data, backward: true, scale: true);

    /// <summary>In-place inverse transform without the 1/N scaling: for a caller that scales on its own threads.</summary>
    public void InverseUnscaled(Span<Complex32> data) => Execute(data, backward: true, scale: false);

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Release(_forward);
        Release(_inverse);
        if (_forwardUnaligned is not null)
        {
            Release(_forwardUnaligned);
        }

        if (_inverseUnaligned is not null)
        {
            Release(_inverseUnaligned);
        }

        _scratch?.Dispose();
        _scratch = null;
    }

    private void Execute(Span<Complex32> data, bool backward, bool scale)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (data.Length != _length)
        {
            throw new ArgumentException($"expected {_length} values for shape {Shape}, got {data.Length}", nameof(data));
        }

        float factor = 1f / _length;
        fixed (Complex32* p = data)
        {
            bool aligned = FftwNative.AlignmentOf((float*)p) == 0;
            if (aligned || _length >= LargeUnaligned)
            {
                // Aligned arrays (every phasing buffer) use the plans made on aligned memory; a large unaligned host
                // array (a managed array, rare) gets plans for any alignment rather than a second copy of itself.
                nint plan = aligned ? (backward ? _inverse : _forward).Handle : UnalignedPlan(backward);
                FftwNative.ExecuteDft(plan, p, p);
                if (scale)
                {
                    ComplexScaling.Scale(p, _length, factor, Threads);
                }

                return;
            }
        }

        _scratch ??= new AlignedComplexBuffer(_length);
        Span<Complex32> scratch = _scratch.Span;
        data.CopyTo(scratch);
        FftwNative.ExecuteDft((backward ? _inverse : _forward).Handle, _scratch.Pointer, _scratch.Pointer);
        if (scale)
        {
            ComplexScaling.ScaleCopy(scratch, data, factor);
        }
        else
        {
            scratch.CopyTo(data);
        }
    }

    private nint UnalignedPlan(bool backward)
    {
        if (backward)
        {
            _inverseUnaligned ??= Acquire(new PlanKey(Shape, Threads, FftwNative.Backward, Planning, Unaligned: true));
            return _inverseUnaligned.Handle;
        }

        _forwardUnaligned ??= Acquire(new PlanKey(Shape, Threads, FftwNative.Forward, Planning, Unaligned: true));
        return _forwardUnaligned.Handle;
    }

    private static PlanEntry Acquire(PlanKey key)
    {
        lock (PlannerLock)
        {
            if (!Plans.TryGetValue(key, out PlanEntry? entry))
            {
                entry = new PlanEntry(CreatePlan(key));
                Plans[key] = entry;
            }

            entry.References++;
            return entry;
        }
    }

    private static void Release(PlanEntry entry)
    {
        lock (PlannerLock)
        {
            entry.References--;
        }
    }

    /// <summary>Makes a plan; the caller holds <see cref="PlannerLock"/>.</summary>
    private static nint CreatePlan(PlanKey key)
    {
        // Threads first: wisdom holding threaded plans is refused as a whole (import fails) until the threaded
        // solvers exist, and every process would then measure again, picking possibly different algorithms.
        if (Probe.Value.HasThreads)
        {
            if (!_threadsInitialised)
            {
                _threadsInitialised = FftwNative.InitThreads() != 0;
            }

            if (_threadsInitialised)
            {
                FftwNative.PlanWithNThreads(key.Threads);
            }
        }

        bool measure = key.Planning == FftPlanning.Measure;
        if (measure)
        {
            FftwWisdom.ImportOnce();
        }

        uint flags = (measure ? FftwNative.Measure : FftwNative.Estimate) | (key.Unaligned ? FftwNative.Unaligned : 0);
        using var scratch = new AlignedComplexBuffer(checked((int)key.Shape.Length));
        Complex32* p = scratch.Pointer;
        Shape s = key.Shape;
        nint plan = s.Is3D
            ? FftwNative.PlanDft3d(s.Nz, s.Ny, s.Nx, p, p, key.Sign, flags)
            : FftwNative.PlanDft2d(s.Ny, s.Nx, p, p, key.Sign, flags);
        if (plan == 0)
        {
            throw new InvalidOperationException($"FFTW could not plan a {s} transform");
        }

        if (measure && FftwWisdom.FilePath is { } wisdom)
        {
            FftwWisdom.Export(wisdom);
        }

        return plan;
    }

    private static Availability ProbeLibrary()
    {
        if (!NativeLibrary.TryLoad(FftwNative.Library, out nint handle))
        {
            return new Availability(false, false, "FFTW 3", $"{FftwNative.Library} not found (install libfftw3-single3)");
        }

        string[] needed = ["fftwf_plan_dft_2d", "fftwf_plan_dft_3d", "fftwf_execute_dft", "fftwf_destroy_plan", "fftwf_alignment_of",
            "fftwf_import_wisdom_from_filename", "fftwf_export_wisdom_to_filename"];
        string? missing = needed.FirstOrDefault(name => !NativeLibrary.TryGetExport(handle, name, out _));
        if (missing is not null)
        {
            return new Availability(false, false, "FFTW 3", $"{FftwNative.Library} lacks {missing} (FFTW 3.3 or later is needed)");
        }

        string version = "FFTW 3";
        if (NativeLibrary.TryGetExport(handle, "fftwf_version", out nint symbol) && symbol != 0)
        {
            version = Marshal.PtrToStringUTF8(symbol) ?? version;
        }

        bool threads = NativeLibrary.TryLoad(FftwNative.ThreadsLibrary, out nint threadsHandle)
            && NativeLibrary.TryGetExport(threadsHandle, "fftwf_init_threads", out _)
            && NativeLibrary.TryGetExport(threadsHandle, "fftwf_plan_with_nthreads", out _);
        return new Availability(true, threads, version, threads ? "available" : $"available, single-threaded ({FftwNative.ThreadsLibrary} not found)");
    }

    private sealed record Availability(bool Loaded, bool HasThreads, string Version, string Reason);

    private readonly record struct PlanKey(Shape Shape, int Threads, int Sign, FftPlanning Planning, bool Unaligned = false);

    private sealed class PlanEntry(nint handle)
    {
        public nint Handle { get; } = handle;

        public int References { get; set; }
    }
}
