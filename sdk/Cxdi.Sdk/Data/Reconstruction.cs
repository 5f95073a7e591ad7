namespace Cxdi.Sdk.Data;

/// <summary>What became of one random start.</summary>
public enum RunState
{
    /// <summary>Not started yet.</summary>
    Pending,

    /// <summary>Iterating.</summary>
    Running,

    /// <summary>Finished and selected for the average.</summary>
    Kept,

    /// <summary>Finished but not selected (worse free LLK, energy outside the support, support guard).</summary>
    Rejected,

    /// <summary>Stopped by an error.</summary>
    Failed,

    /// <summary>Cancelled by the user.</summary>
    Cancelled,

    /// <summary>Finished iterating, waiting for the selection that makes it kept or rejected.</summary>
    Finished,
}

/// <summary>One sample of the metric history.</summary>
/// <param name="Cycle">Cycle number, from 1.</param>
/// <param name="Algorithm">Operator that ran (ER, HIO, RAAR…).</param>
/// <param name="Llk">Poisson log-likelihood per measured pixel.</param>
/// <param name="FreeLlk">Poisson log-likelihood per free (held-out) pixel.</param>
/// <param name="Chi2">Gaussian χ² per measured pixel.</param>
/// <param name="SupportSize">Number of support pixels.</param>
public sealed record MetricSample(int Cycle, string Algorithm, double Llk, double FreeLlk, double Chi2, long SupportSize);

/// <summary>One random start of a phasing run and its outcome.</summary>
public sealed class Reconstruction
{
    /// <summary>Run index, from 0.</summary>
    public int Index { get; init; }

    /// <summary>Random seed that makes this run reproducible.</summary>
    public long Seed { get; init; }

    /// <summary>Array shape (object space).</summary>
    public Shape Shape { get; init; }

    /// <summary>Final complex object, row-major (after canonicalisation when kept).</summary>
    public Complex32[] Object { get; set; } = [];

    /// <summary>Final support, 1 inside.</summary>
    public byte[] Support { get; set; } = [];

    /// <summary>Per-cycle metric history.</summary>
    public List<MetricSample> History { get; init; } = [];

    /// <summary>Final Poisson log-likelihood per measured pixel.</summary>
    public double Llk { get; set; }

    /// <summary>Final free log-likelihood per held-out pixel: the score used to select runs.</summary>
    public double FreeLlk { get; set; }

    /// <summary>Final Gaussian χ² per measured pixel.</summary>
    public double Chi2 { get; set; }

    /// <summary>Final support size in pixels.</summary>
    public long SupportSize { get; set; }

    /// <summary>Fraction of the object's energy outside the support.</summary>
    public double EnergyOutsideSupport { get; set; }

    /// <summary>Outcome.</summary>
    public RunState State { get; set; } = RunState.Pending;

    /// <summary>Why the run was rejected or failed, in words.</summary>
    public string? Reason { get; set; }

    /// <summary>R_match against the best kept run, after alignment (0 = identical).</summary>
    public double? RMatch { get; set; }

    /// <summary>Wall time in seconds.</summary>
    public double Seconds { get; set; }

    /// <summary>Files written for this run.</summary>
    public List<string> Files { get; init; } = [];
}

/// <summary>A 1D curve against spatial frequency, e.g. the PRTF.</summary>
/// <param name="Frequency">Spatial frequency in units of the Nyquist frequency (0 … 1) per shell.</param>
/// <param name="Value">Curve value per shell.</param>
public sealed record FrequencyCurve(double[] Frequency, double[] Value);

/// <summary>All random starts of a phasing step, the selected ones aligned and averaged, with PRTF and resolution.</summary>
public sealed class ReconstructionSet : DataItem
{
    /// <summary>Object-space shape.</summary>
    public required Shape Shape { get; init; }

    /// <summary>Every run, kept or not.</summary>
    public List<Reconstruction> Runs { get; init; } = [];

    /// <summary>Average of the kept, aligned runs (null when none was kept).</summary>
    public Complex32[]? Average { get; set; }

    /// <summary>Support of the average, 1 inside.</summary>
    public byte[]? AverageSupport { get; set; }

    /// <summary>Phase retrieval transfer function per shell.</summary>
    public FrequencyCurve? Prtf { get; set; }

    /// <summary>Resolution where the PRTF falls below 1/e, as a fraction of the Nyquist frequency; null when it never does.</summary>
    public double? PrtfCutoff { get; set; }

    /// <summary>
    /// Per-pixel spread of the amplitude |ψ| of the aligned kept runs: the sample standard deviation (divided by runs − 1)
    /// of |ψ_k| over the kept runs, in the units of the amplitude, row-major like <see cref="Average"/>; null when fewer than
    /// 2 runs were kept.
    /// </summary>
    public float[]? AmplitudeUncertainty { get; set; }

    /// <summary>
    /// Per-pixel spread of the phase of the aligned kept runs about the average's phase, in radians: √(Σ_k δ_k² / (runs − 1))
    /// with δ_k = arg(ψ_k · conj(average)) wrapped to (−π, π]; NaN outside <see cref="AverageSupport"/> (where the phase
    /// means nothing); null when fewer than 2 runs were kept.
    /// </summary>
    public float[]? PhaseUncertainty { get; set; }

    /// <summary>Fourier shell correlation between the averages of the even- and odd-ranked kept runs; null when fewer than 2 were kept.</summary>
    public FrequencyCurve? FscHalfRuns { get; set; }

    /// <summary>Where <see cref="FscHalfRuns"/> first falls below 1/7, as a fraction of the Nyquist frequency; null when it never does.</summary>
    public double? FscHalfRunsCutoff { get; set; }

    /// <summary>
    /// Fourier shell correlation between two reconstructions phased from two disjoint halves of the measured Fourier pixels
    /// (each with the other half unknown), the second aligned to the first; null unless that check was asked for.
    /// </summary>
    public FrequencyCurve? FscHalfPixels { get; set; }

    /// <summary>Where <see cref="FscHalfPixels"/> first falls below 1/7, as a fraction of the Nyquist frequency; null when it never does.</summary>
    public double? FscHalfPixelsCutoff { get; set; }

    /// <summary>Real-space pixel size in metres when the geometry is known (λD / (N p)).</summary>
    public double? PixelSize { get; set; }

    /// <summary>Geometry of the data the set was reconstructed from.</summary>
    public Geometry Geometry { get; set; } = Geometry.Unknown;

    /// <summary>The measured intensity the set was reconstructed from, for diffraction pictures and re-analysis.</summary>
    public DiffractionData? Data { get; set; }

    /// <summary>Name of the compute backend and FFT that ran.</summary>
    public string? Backend { get; set; }

    /// <inheritdoc />
    public override DataSpec Spec => new(DataSpace.Object, Shape, IsComplex: true);
}
