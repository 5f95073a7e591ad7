using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;

namespace Cxdi.Sdk.Phasing;

/// <summary>How the run's support updates (shrink-wrap, operator <c>Sup</c>) refine the support; operators may override them with parameters.</summary>
public sealed record SupportUpdateSettings
{
    /// <summary>Relative threshold applied to the blurred amplitude.</summary>
    public float Threshold { get; init; } = 0.25f;

    /// <summary>Gaussian σ (px) at the first support update.</summary>
    public float SigmaStart { get; init; } = 2f;

    /// <summary>Gaussian σ (px) at the last support update; σ decays geometrically from start to end over the planned updates.</summary>
    public float SigmaEnd { get; init; } = 0.5f;

    /// <summary>The threshold is relative to the maximum of the blurred amplitude (true) or to its rms inside the current support (false, PyNX's default).</summary>
    public bool RelativeToMax { get; init; }

    /// <summary>Below this fraction of the array the update throws <see cref="SupportTooSmallException"/>.</summary>
    public double MinFraction { get; init; } = 1e-4;

    /// <summary>Above this fraction of the array the update throws <see cref="SupportTooLargeException"/>.</summary>
    public double MaxFraction { get; init; } = 0.5;
}

/// <summary>
/// Everything one phasing run works on, held on a compute backend for the whole run: the object (real space, or Fourier
/// space between <c>FT</c> and <c>IFT</c>), the previous object for feedback algorithms, the observed amplitudes, the
/// Fourier pixel classes (measured / unknown / held out), the support and a real scratch array for the support update,
/// plus the cycle count, metric history and the run's random source. Operators (<see cref="PhasingOperator"/>) modify it in place.
/// Memory: the previous object and the scratch array are never held together (<c>Sup</c> releases the first before it
/// takes the second), and the observed amplitudes and pixel classes may be shared by all runs, so a run holds at most
/// 2 complex + 1 byte array (2.125 × one complex64 array) of its own, plus 0.625 × shared (2.125 × shared with the
/// optional raw amplitudes and unknown-pixel bounds, also shared).
/// </summary>
public sealed class PhasingState : IDisposable
{
    private readonly bool ownsBackend;
    private readonly bool ownsData;
    private ComplexBuffer? previous;
    private RealBuffer? scratch;

    /// <summary>Allocates the state on <paramref name="backend"/> for <paramref name="shape"/>, with its own observed amplitudes and pixel classes; arrays start zeroed.</summary>
    /// <param name="backend">Where the arrays live.</param>
    /// <param name="shape">Array shape (FFT order: zero frequency at index 0).</param>
    /// <param name="ownsBackend">Dispose the backend with the state.</param>
    public PhasingState(IComputeBackend backend, Shape shape, bool ownsBackend = false)
        : this(backend, shape, backend.AllocateReal(shape), backend.AllocateMask(shape), ownsData: true)
    {
        this.ownsBackend = ownsBackend;
    }

    /// <summary>
    /// Allocates the state on <paramref name="backend"/> for <paramref name="shape"/> around observed amplitudes and pixel
    /// classes that several runs share (read only; on <paramref name="backend"/> or the backend it was forked from); they
    /// are not disposed with the state.
    /// </summary>
    /// <param name="backend">Where the run's own arrays live.</param>
    /// <param name="shape">Array shape (FFT order: zero frequency at index 0).</param>
    /// <param name="observedAmplitude">√(observed intensity) in FFT order, 0 where unknown.</param>
    /// <param name="pixelClasses">One <see cref="PixelClass"/> per Fourier pixel.</param>
    public PhasingState(IComputeBackend backend, Shape shape, RealBuffer observedAmplitude, MaskBuffer pixelClasses)
        : this(backend, shape, observedAmplitude, pixelClasses, ownsData: false)
    {
    }

    private PhasingState(IComputeBackend backend, Shape shape, RealBuffer observedAmplitude, MaskBuffer pixelClasses, bool ownsData)
    {
        ArgumentNullException.ThrowIfNull(backend);
        Backend = backend;
        Shape = shape;
        this.ownsData = ownsData;
        ObservedAmplitude = observedAmplitude;
        PixelClasses = pixelClasses;
        Object = backend.AllocateComplex(shape);
        Support = backend.AllocateMask(shape);
        Plan = backend.CreateFftPlan(shape);
    }

    /// <summary>The backend holding the arrays.</summary>
    public IComputeBackend Backend { get; }

    /// <summary>Array shape.</summary>
    public Shape Shape { get; }

    /// <summary>The current object (or its Fourier transform while <see cref="InFourierSpace"/>).</summary>
    public ComplexBuffer Object { get; }

    /// <summary>The object before the current cycle (feedback algorithms); allocated when first used, freed by <see cref="ReleasePrevious"/>.</summary>
    public ComplexBuffer Previous => previous ??= Backend.AllocateComplex(Shape);

    /// <summary>√(observed intensity) in FFT order, 0 where unknown.</summary>
    public RealBuffer ObservedAmplitude { get; }

    /// <summary>
    /// √(raw counts) in FFT order, 0 where unknown, when the observed amplitudes come from a denoised pattern (shared, read
    /// only, not disposed with the state); null otherwise. When set, every metric (LLK, free LLK, χ²) is computed against it
    /// (<see cref="MetricAmplitude"/>), and the projection imposes it once <see cref="ProjectOnRaw"/> is set.
    /// </summary>
    public RealBuffer? RawAmplitude { get; set; }

    /// <summary>Impose <see cref="RawAmplitude"/> instead of <see cref="ObservedAmplitude"/> in the modulus projection (the final cycles); no effect without raw amplitudes.</summary>
    public bool ProjectOnRaw { get; set; }

    /// <summary>
    /// √(lower intensity bound) in FFT order at unknown pixels with a predicted range (e.g. inpainted beamstop pixels), NaN
    /// elsewhere; shared, read only, not disposed with the state. With <see cref="UpperAmplitude"/> it makes
    /// <see cref="ProjectModulus"/> clamp |ψ| there (<see cref="IComputeBackend.ClampAmplitude"/>); the pixels stay unknown.
    /// </summary>
    public RealBuffer? LowerAmplitude { get; set; }

    /// <summary>√(upper intensity bound) in FFT order, NaN where there is no prediction (see <see cref="LowerAmplitude"/>).</summary>
    public RealBuffer? UpperAmplitude { get; set; }

    /// <summary>The amplitudes the modulus projection imposes: <see cref="RawAmplitude"/> when <see cref="ProjectOnRaw"/> is set and raw amplitudes exist, else <see cref="ObservedAmplitude"/>.</summary>
    public RealBuffer ProjectionAmplitude => ProjectOnRaw && RawAmplitude is not null ? RawAmplitude : ObservedAmplitude;

    /// <summary>The amplitudes every metric is computed against: <see cref="RawAmplitude"/> when set, else <see cref="ObservedAmplitude"/>.</summary>
    public RealBuffer MetricAmplitude => RawAmplitude ?? ObservedAmplitude;

    /// <summary>Real scratch array (support update); allocated when first used, freed by <see cref="ReleaseScratch"/>.</summary>
    public RealBuffer Scratch => scratch ??= Backend.AllocateReal(Shape);

    /// <summary>One <see cref="PixelClass"/> per Fourier pixel.</summary>
    public MaskBuffer PixelClasses { get; }

    /// <summary>The support, 1 inside.</summary>
    public MaskBuffer Support { get; }

    /// <summary>The FFT plan.</summary>
    public FftPlan Plan { get; }

    /// <summary>True between <c>FT</c> and <c>IFT</c>.</summary>
    public bool InFourierSpace { get; set; }

    /// <summary>True when <see cref="Previous"/> holds the object at the start of the next cycle.</summary>
    public bool PreviousValid { get; set; }

    /// <summary>Cycles done.</summary>
    public int Cycle { get; set; }

    /// <summary>Force the real part of the object to be non-negative inside the support.</summary>
    public bool Positivity { get; set; }

    /// <summary>Force the object to be real.</summary>
    public bool Real { get; set; }

    /// <summary>Support update settings.</summary>
    public SupportUpdateSettings SupportSettings { get; set; } = new();

    /// <summary>Support updates planned in the whole operator sequence (for the σ schedule); 0 = unknown (σ stays at its start).</summary>
    public int SupportUpdatesPlanned { get; set; }

    /// <summary>Support updates done.</summary>
    public int SupportUpdatesDone { get; set; }

    /// <summary>Current support size in pixels.</summary>
    public long SupportSize { get; set; }

    /// <summary>Metrics are computed (fused into the modulus projection) every this many cycles, and at every <c>Sup</c>.</summary>
    public int MetricEvery { get; set; } = 10;

    /// <summary>The last metrics computed.</summary>
    public FourierMetrics LastMetrics { get; set; }

    /// <summary>Metric samples, one per metric computation.</summary>
    public List<MetricSample> History { get; } = [];

    /// <summary>The run's random source (seeded from the run's seed), for operators that draw random numbers.</summary>
    public Random Random { get; set; } = new(0);

    /// <summary>Per-run data of operators (an operator instance is shared by runs side by side), keyed by a name the operator chooses; values that are <see cref="IDisposable"/> (device buffers) are disposed with the state.</summary>
    public Dictionary<string, object> Items { get; } = new(StringComparer.Ordinal);

    /// <summary>Called after each cycle (progress reports, cancellation checks); may throw <see cref="OperationCanceledException"/>.</summary>
    public Action<PhasingState>? AfterCycle { get; set; }

    /// <summary>Counts the support and stores it in <see cref="SupportSize"/>.</summary>
    public long CountSupport() => SupportSize = Backend.Count(Support);

    /// <summary>Copies the object into <see cref="Previous"/> so feedback algorithms start from it.</summary>
    public void SyncPrevious()
    {
        Backend.Copy(Object, Previous);
        PreviousValid = true;
    }

    /// <summary>Frees <see cref="Previous"/> (its content is lost: the next feedback cycle copies the object again).</summary>
    public void ReleasePrevious()
    {
        previous?.Dispose();
        previous = null;
        PreviousValid = false;
    }

    /// <summary>Frees <see cref="Scratch"/>.</summary>
    public void ReleaseScratch()
    {
        scratch?.Dispose();
        scratch = null;
    }

    /// <summary>
    /// The metrics of the current real-space object without changing it (FT, metrics, no projection, on
    /// <see cref="Previous"/> as scratch); leaves <see cref="Previous"/> equal to the object.
    /// </summary>
    public FourierMetrics EvaluateMetrics()
    {
        if (InFourierSpace)
        {
            throw new InvalidOperationException("metrics are evaluated in real space: apply IFT first");
        }

        Backend.Copy(Object, Previous);
        Backend.Fft(Plan, Previous, FftDirection.Forward);
        var m = ProjectModulus(Previous, project: false, metrics: true);
        Backend.Copy(Object, Previous);
        PreviousValid = true;
        return m;
    }

    /// <summary>
    /// The run's Fourier-space constraint on <paramref name="psi"/> (a Fourier-space wave of this state's shape, modified in
    /// place when projecting): <see cref="IComputeBackend.ProjectModulus"/> with <see cref="ProjectionAmplitude"/>, the
    /// metrics taken against <see cref="MetricAmplitude"/> from the values before projection (a separate metrics-only pass
    /// when the two differ), then, when projecting and bounds are set, <see cref="IComputeBackend.ClampAmplitude"/> at the
    /// unknown pixels. Operators call this rather than the backend so that raw counts and bounds apply everywhere.
    /// </summary>
    public FourierMetrics ProjectModulus(ComplexBuffer psi, bool project, bool metrics)
    {
        ArgumentNullException.ThrowIfNull(psi);
        var imposed = ProjectionAmplitude;
        var scored = MetricAmplitude;
        FourierMetrics m;
        if (metrics && !ReferenceEquals(imposed, scored))
        {
            m = Backend.ProjectModulus(psi, scored, PixelClasses, project: false, metrics: true);
            if (project)
            {
                Backend.ProjectModulus(psi, imposed, PixelClasses, project: true, metrics: false);
            }
        }
        else
        {
            m = Backend.ProjectModulus(psi, imposed, PixelClasses, project, metrics);
        }

        if (project && LowerAmplitude is not null && UpperAmplitude is not null)
        {
            Backend.ClampAmplitude(psi, LowerAmplitude, UpperAmplitude, PixelClasses);
        }

        return m;
    }

    /// <summary>Downloads the object (real space) to the host.</summary>
    public Complex32[] DownloadObject()
    {
        var result = new Complex32[Shape.Length];
        Backend.Download(Object, result);
        return result;
    }

    /// <summary>Downloads the support to the host.</summary>
    public byte[] DownloadSupport()
    {
        var result = new byte[Shape.Length];
        Backend.Download(Support, result);
        return result;
    }

    /// <summary>Records a metric sample for the current cycle.</summary>
    public void Record(string algorithm, FourierMetrics metrics)
    {
        LastMetrics = metrics;
        History.Add(new MetricSample(Cycle, algorithm, metrics.Llk, metrics.FreeLlk, metrics.Chi2, SupportSize));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var item in Items.Values.OfType<IDisposable>())
        {
            item.Dispose();
        }

        Items.Clear();
        Object.Dispose();
        ReleasePrevious();
        ReleaseScratch();
        if (ownsData)
        {
            ObservedAmplitude.Dispose();
            PixelClasses.Dispose();
        }

        Support.Dispose();
        Plan.Dispose();
        if (ownsBackend)
        {
            Backend.Dispose();
        }
    }
}
