using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Cxdi.Plugins.Phasing.Operators;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Phasing;
using Cxdi.Sdk.Plugins;

namespace Cxdi.Plugins.Phasing.Engine;

/// <summary>Where the starting support of each run comes from.</summary>
public enum InitialSupportSource
{
    /// <summary>The data's <c>InitialSupport</c> (set by a support-finder step) when present, else the autocorrelation.</summary>
    Auto,

    /// <summary>The thresholded, blurred autocorrelation of the pattern.</summary>
    Autocorrelation,

    /// <summary>A centred disc (ball in 3D) of <c>support_size</c>/2 pixels radius.</summary>
    Circle,

    /// <summary>A centred square (cube in 3D) of side <c>support_size</c> pixels.</summary>
    Square,
}

/// <summary>Options of <c>cxdi.phase</c>.</summary>
public sealed partial record PhaseOptions : PluginOptions
{
    /// <summary>Operator sequence.</summary>
    [Description("Operator sequence in PyNX syntax, applied right to left: ER, HIO, RAAR, DM, CF, Sup (support update), FT, IFT and any operator a plugin registers (cxdi plugins lists them); **n repeats, parentheses group, HIO(beta=0.7) or HIO(0.7) sets a parameter.")]
    public string Operators { get; init; } = "ER**100 * (Sup * HIO**20)**100";

    /// <summary>Number of random starts.</summary>
    [Description("Independent random starts; more runs give a better average and a PRTF, at proportional cost.")]
    [Range(1, 10000)]
    public int Runs { get; init; } = 10;

    /// <summary>Runs kept for the average.</summary>
    [Description("Best runs (lowest free log-likelihood) kept, aligned and averaged; the others are marked rejected.")]
    [Range(1, 10000)]
    public int Keep { get; init; } = 5;

    /// <summary>Base random seed.</summary>
    [Description("Base seed; run i uses seed + i (recorded), so any run can be reproduced alone.")]
    public long Seed { get; init; } = 1;

    /// <summary>Threads in all.</summary>
    [Description("CPU threads for the whole step, 0 = all cores.")]
    [Range(0, 4096)]
    public int Threads { get; init; }

    /// <summary>Runs at the same time.</summary>
    [Description("Runs computed side by side (each with threads/parallel_runs threads); 0 = automatic: one run on all threads or one run per thread, whichever gives more cycles per second when timed on this shape (measured once per machine and cached), within memory.")]
    [Range(0, 4096)]
    public int ParallelRuns { get; init; }

    /// <summary>Compute backend id.</summary>
    [Description("Compute backend: cpu (FFTW when present), cpu-managed (managed FFT, bit-reproducible everywhere), or another installed backend; empty = the command line/environment choice or the best available.")]
    public string? Backend { get; init; }

    /// <summary>Detwinning cycles.</summary>
    [Description("HIO cycles run before the operators on half the starting support (as PyNX's DetwinHIO) to break the twin ambiguity of centrosymmetric starting supports (autocorrelation, circle); 0 disables.")]
    [Range(0, 100000)]
    public int DetwinCycles { get; init; }

    /// <summary>Final cycles on the raw counts.</summary>
    [Description("When the data carry raw counts beside a denoised pattern (after cxdi.denoise.tree, cxdi.denoise.onnx or any denoiser): the last this many cycles project on the raw counts (every LLK and free LLK is on the raw counts whatever this says); -1 = the cycles of the operator sequence's last block (ER**100 in the default sequence; none when the sequence is one block), 0 = never (the denoised pattern to the end). Ignored without raw counts.")]
    [Range(-1, 10000000)]
    public int RawCycles { get; init; } = -1;

    /// <summary>How unknown pixels with a predicted intensity range are treated.</summary>
    [Description("Unknown pixels that carry a predicted intensity range (cxdi.inpaint): soft clamps |ψ|² into the range after each modulus projection, keeping the phase (a bounded soft constraint; the pixels stay unknown and never enter an LLK); free leaves them free as other unknown pixels. Ignored when the data carry no range.")]
    public UnknownBounds UnknownBounds { get; init; } = UnknownBounds.Soft;

    /// <summary>Zero-frequency pixel.</summary>
    [Description("Which pixel is the zero frequency: auto (beam centre when known, else the centre of symmetry of the pattern, found to a tenth of a pixel and robust to gaps and an off-centre beamstop), array (N/2) or beam.")]
    public PatternCentering Centering { get; init; } = PatternCentering.Auto;

    /// <summary>HIO feedback.</summary>
    [Description("β of HIO (and DM); 0.9 is standard, lower is more stable but slower to escape stagnation.")]
    [Range(0.01, 2.0)]
    public double Beta { get; init; } = 0.9;

    /// <summary>RAAR relaxation.</summary>
    [Description("β of RAAR; 0.75 is standard.")]
    [Range(0.01, 1.0)]
    public double RaarBeta { get; init; } = 0.75;

    /// <summary>Positivity constraint.</summary>
    [Description("Force the real part of the object to be non-negative inside the support (absorption-free real objects).")]
    public bool Positivity { get; init; }

    /// <summary>Real constraint.</summary>
    [Description("Force the object to be real (centrosymmetric data from a real object).")]
    public bool Real { get; init; }

    /// <summary>Initial support source.</summary>
    [Description("Starting support: auto (from a support-finder step, else the autocorrelation), autocorrelation, circle or square.")]
    public InitialSupportSource Support { get; init; } = InitialSupportSource.Auto;

    /// <summary>Size of the circle or square support.</summary>
    [Description("Diameter of the circle or side of the square starting support; 0 = half the smallest dimension.")]
    [Unit("px")]
    [Range(0, 1e6)]
    public double SupportSize { get; init; }

    /// <summary>Autocorrelation threshold.</summary>
    [Description("Relative threshold of the blurred autocorrelation for the starting support; lower gives a looser support.")]
    [Range(1e-4, 1.0)]
    public double AutocorrelationThreshold { get; init; } = 0.04;

    /// <summary>Autocorrelation blur.</summary>
    [Description("Gaussian σ applied to the autocorrelation before thresholding.")]
    [Unit("px")]
    [Range(0, 100)]
    public double AutocorrelationSigma { get; init; } = 1;

    /// <summary>Shrink-wrap threshold.</summary>
    [Description("Relative threshold of the support update (Sup) on the blurred amplitude; higher shrinks the support more.")]
    [Range(0.001, 1.0)]
    public double SupportThreshold { get; init; } = 0.2;

    /// <summary>Shrink-wrap σ at the first update.</summary>
    [Description("Gaussian σ of the first support update; σ decays geometrically to support_sigma_end over the planned updates.")]
    [Unit("px")]
    [Range(0, 100)]
    public double SupportSigmaStart { get; init; } = 3;

    /// <summary>Shrink-wrap σ at the last update.</summary>
    [Description("Gaussian σ of the last support update; empty = chosen by free LLK: the runs of the first generation alternate 1.5 and 0.5 px (a sharp-edged object wants the smoother support, a smooth compact one the tighter) and the next generation uses the best run's σ; in a single generation the runs alternate and the free LLK ranks them.")]
    [Unit("px")]
    [Range(0, 100)]
    public double? SupportSigmaEnd { get; init; }

    /// <summary>The final shrink-wrap σ values the runs try: the one set, else 1.5 and 0.5 px in turn.</summary>
    internal IReadOnlyList<double> SigmaEndCandidates => SupportSigmaEnd is { } sigma ? [sigma] : [1.5, 0.5];

    /// <summary>Threshold reference.</summary>
    [Description("The support threshold is relative to the rms of the blurred amplitude inside the current support (rms, as PyNX; robust to a few bright pixels) or to its maximum (max, shrinks much more).")]
    public SupportThresholdReference SupportThresholdReference { get; init; } = SupportThresholdReference.Max;

    /// <summary>Smallest allowed support.</summary>
    [Description("A run whose support shrinks below this fraction of the array is retried with a lower threshold.")]
    [Range(0.0, 1.0)]
    public double SupportMinFraction { get; init; } = 1e-4;

    /// <summary>Largest allowed support.</summary>
    [Description("A run whose support grows above this fraction of the array is retried with a higher threshold.")]
    [Range(0.0, 1.0)]
    public double SupportMaxFraction { get; init; } = 0.4;

    /// <summary>Smallest coverage of the measured autocorrelation.</summary>
    [Description("A finished run whose support's own autocorrelation covers less than this fraction of the region where the measured autocorrelation stands above its noise has collapsed (kept a few bright islands of the object; a good run of a soft-edged object covers 0.5 or more, a sharp one nearly 1): it is retried with a lower threshold, and rejected when the retries are spent; 0 disables the check.")]
    [Range(0.0, 1.0)]
    public double SupportMinCoverage { get; init; } = 0.35;

    /// <summary>Retries after a support guard.</summary>
    [Description("Times a run is restarted (same seed) with the threshold adjusted by 20 % after the support left its allowed range or collapsed.")]
    [Range(0, 20)]
    public int SupportRetries { get; init; } = 3;

    /// <summary>Held-out fraction.</summary>
    [Description("Fraction of the measured pixels held out (in 3x3 islands, centrosymmetric pairs) for the free log-likelihood that ranks runs; 0 ranks by the plain log-likelihood.")]
    [Range(0.0, 0.3)]
    public double FreeFraction { get; init; } = 0.05;

    /// <summary>Rejection threshold on the energy outside the support.</summary>
    [Description("Runs whose modulus-projected object keeps more than this fraction of its energy outside the support are rejected.")]
    [Range(0.0, 1.0)]
    public double MaxOutsideEnergy { get; init; } = 0.3;

    /// <summary>Metric interval.</summary>
    [Description("Cycles between log-likelihood evaluations (fused in the projection, cheap); history samples come at this rate.")]
    [Range(1, 100000)]
    public int MetricEvery { get; init; } = 20;

    /// <summary>Progress interval.</summary>
    [Description("Cycles between progress reports and cancellation checks.")]
    [Range(1, 100000)]
    public int ProgressEvery { get; init; } = 50;

    /// <summary>Smallest initial amplitude.</summary>
    [Description("Initial amplitudes are uniform between this value and 1 inside the starting support.")]
    [Range(0.0, 1.0)]
    public double InitAmplitudeMin { get; init; }

    /// <summary>Initial phase range.</summary>
    [Description("Initial phases are uniform within ± half this range (radians); empty = automatic: 2π (random phases) when the starting support is centrosymmetric (autocorrelation, circle, square) and the object is not constrained real or positive, which breaks the twin symmetry a real object's exactly centred pattern would otherwise keep; else 0 (a real positive start, consistent with those constraints, or inside a support that already tells object from twin).")]
    [Unit("rad")]
    [Range(0.0, 6.3)]
    public double? InitPhaseRange { get; init; }

    /// <summary>Generations of runs.</summary>
    [Description("Generations of runs; empty = automatic: 2 when the starting support is the autocorrelation (ab initio), else 1. Every generation after the first starts all its runs from the support of the previous generation's best run (lowest free log-likelihood among the runs that kept their support and energy), blurred by generation_sigma and thresholded at generation_threshold of its maximum. Only the last generation's runs are written, kept and averaged; the earlier ones are recorded in summary.json (findings cxdi.phase.generations).")]
    [Range(1, 10)]
    public int? Generations { get; init; }

    /// <summary>Blur of the best support that starts the next generation.</summary>
    [Description("Gaussian σ applied to the best run's support before it starts the next generation.")]
    [Unit("px")]
    [Range(0.0, 100.0)]
    public double GenerationSigma { get; init; } = 2;

    /// <summary>Threshold of the blurred best support.</summary>
    [Description("The next generation's starting support is where the blurred best support exceeds this fraction of its maximum.")]
    [Range(0.01, 0.99)]
    public double GenerationThreshold { get; init; } = 0.2;

    /// <summary>Candidate values of options to search, as <c>name=value1,value2,…</c>.</summary>
    [Description("Parameter search before the runs: entries name=v1,v2,… (use | between values that hold commas, e.g. operators=A|B); every combination runs search_runs short runs (seeds seed + 100000 + i, distinct from the main runs), is scored by the free log-likelihood of its runs (never by a known answer), and the best combination is used for the runs; every candidate and the choice go to summary.json (findings cxdi.phase.search). Empty = no search.")]
    public IReadOnlyList<string> Search { get; init; } = [];

    /// <summary>Runs per search candidate.</summary>
    [Description("Runs of each search candidate; a run that fails or is rejected (collapse, energy outside the support) scores +∞.")]
    [Range(1, 100)]
    public int SearchRuns { get; init; } = 3;

    /// <summary>Fraction of the cycles of each search run.</summary>
    [Description("Each search run repeats every operator this fraction of its count (ER**100 → ER**50 at 0.5; group repeats unchanged), so candidates are compared on shorter runs.")]
    [Range(0.01, 1.0)]
    public double SearchCyclesFraction { get; init; } = 1.0;

    /// <summary>Most combinations a search may try.</summary>
    [Description("Largest number of combinations (product of the value counts) the search may try; more is an error.")]
    [Range(1, 1000)]
    public int SearchMaxCandidates { get; init; } = 24;

    /// <summary>How a candidate's runs are scored.</summary>
    [Description("Score of a search candidate: median (of its runs' free LLK; robust) or best (lowest free LLK of its runs).")]
    public SearchScore SearchScore { get; init; } = SearchScore.Median;

    /// <inheritdoc />
    public override IEnumerable<OptionProblem> Validate() => Validate(OptionsContext.None);

    /// <inheritdoc />
    public override IEnumerable<OptionProblem> Validate(OptionsContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (Keep > Runs)
        {
            yield return new OptionProblem(nameof(Keep), $"keep ({Keep}) cannot exceed runs ({Runs})");
        }

        if (SupportMinFraction >= SupportMaxFraction)
        {
            yield return new OptionProblem(nameof(SupportMinFraction), "support_min_fraction must be below support_max_fraction");
        }

        string? problem = null, rawProblem = null;
        try
        {
            var program = BuiltInOperators.Parse(context.Operators ?? BuiltInOperators.Registry, Operators, (float)Beta, (float)RaarBeta);
            if (RawCycles > program.Cycles)
            {
                rawProblem = $"raw_cycles ({RawCycles}) exceeds the {program.Cycles} cycles of the operator sequence";
            }
        }
        catch (OperatorSyntaxException e)
        {
            problem = e.Message;
        }

        if (problem is not null)
        {
            yield return new OptionProblem(nameof(Operators), problem);
        }

        if (rawProblem is not null)
        {
            yield return new OptionProblem(nameof(RawCycles), rawProblem);
        }

        foreach (var distributed in DistributedProblems())
        {
            yield return distributed;
        }

        foreach (var search in ParameterSearch.Problems(this, context))
        {
            yield return search;
        }
    }
}

/// <summary>How phasing treats unknown pixels that carry a predicted intensity range (<c>DiffractionData.LowerBound</c>/<c>UpperBound</c>).</summary>
public enum UnknownBounds
{
    /// <summary>|ψ|² is clamped into the range after each modulus projection, keeping the phase.</summary>
    Soft,

    /// <summary>The range is ignored: the pixels are free like other unknown pixels.</summary>
    Free,
}

/// <summary>What the shrink-wrap threshold is relative to.</summary>
public enum SupportThresholdReference
{
    /// <summary>The maximum of the blurred amplitude.</summary>
    Max,

    /// <summary>The rms of the blurred amplitude inside the current support.</summary>
    Rms,
}

/// <summary>How the parameter search scores a candidate from its runs' free log-likelihoods.</summary>
public enum SearchScore
{
    /// <summary>The median free LLK of the candidate's runs.</summary>
    Median,

    /// <summary>The lowest free LLK of the candidate's runs.</summary>
    Best,
}
