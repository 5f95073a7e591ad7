using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Cxdi.Plugins.Phasing.Operators;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Plugins;

namespace Cxdi.Plugins.Phasing.Engine;

/// <summary>Options of <c>cxdi.phase.series</c>: a time-resolved series phased frame by frame with warm starts.</summary>
public sealed record SeriesPhaseOptions : PluginOptions
{
    /// <summary>Ab initio operator sequence.</summary>
    [Description("Full operator sequence (PyNX syntax, right to left) for the frame phased from random starts: the first frame of the series or of a block (minus its overlap).")]
    public string Operators { get; init; } = "ER**50 * (Sup * ER**5 * HIO**30)**10 * HIO**100";

    /// <summary>Warm-start operator sequence.</summary>
    [Description("Short operator sequence for every later frame, which starts from the previous frame's object and support; more cycles follow faster motion at proportional cost.")]
    public string WarmOperators { get; init; } = "ER**20 * (Sup * ER**5 * RAAR**20)**2";

    /// <summary>Random starts of the ab initio frame.</summary>
    [Description("Random starts for the ab initio frame; the one with the lowest free log-likelihood (energy outside the support within max_outside_energy) seeds the series.")]
    [Range(1, 1000)]
    public int InitialRuns { get; init; } = 4;

    /// <summary>First frame of the range.</summary>
    [Description("First frame (along the first axis of the stack) of the range phased; frames before it are ignored.")]
    [Range(0, int.MaxValue)]
    public int FirstFrame { get; init; }

    /// <summary>Frames in the range.</summary>
    [Description("Number of frames of the range from first_frame; empty takes all the remaining ones.")]
    [Range(1, int.MaxValue)]
    public int? FrameCount { get; init; }

    /// <summary>First frame of this block, counted from first_frame.</summary>
    [Description("Block start, in frames from first_frame: the frames this task writes begin here (split a long series across tasks with block_start and block_count).")]
    [Range(0, int.MaxValue)]
    public int BlockStart { get; init; }

    /// <summary>Frames in this block.</summary>
    [Description("Frames written by this block; 0 takes the rest of the range.")]
    [Range(0, int.MaxValue)]
    public int BlockCount { get; init; }

    /// <summary>Frames re-phased before a block.</summary>
    [Description("A block that does not start the range is phased ab initio this many frames before its start and warm-started through them (not written), so its first frame already follows the motion like its neighbours; 0 phases the block's first frame ab initio.")]
    [Range(0, 100000)]
    public int Overlap { get; init; } = 3;

    /// <summary>Support dilation before a warm start.</summary>
    [Description("Pixels the previous frame's support is dilated by before a warm start, so a moving or growing object is not cut off; the warm recipe's support updates shrink it again.")]
    [Unit("px")]
    [Range(0, 32)]
    public int WarmSupportDilation { get; init; }

    /// <summary>Shrink-wrap σ of the warm frames.</summary>
    [Description("Gaussian σ of every support update of the warm frames; at least about 1 px lets the support grow where the object moved or deformed (a smaller σ can only shrink it).")]
    [Unit("px")]
    [Range(0, 100)]
    public double WarmSupportSigma { get; init; } = 1;

    /// <summary>Base random seed.</summary>
    [Description("Seed of the ab initio starts (start i uses seed + i) and of the held-out pixels.")]
    public long Seed { get; init; } = 1;

    /// <summary>Threads in all.</summary>
    [Description("CPU threads for the step, 0 = all cores.")]
    [Range(0, 4096)]
    public int Threads { get; init; }

    /// <summary>Compute backend id.</summary>
    [Description("Compute backend: cpu (FFTW when present), cpu-managed, or another installed backend; empty = the command line/environment choice or the best available.")]
    public string? Backend { get; init; }

    /// <summary>Zero-frequency pixel.</summary>
    [Description("Which pixel is the zero frequency, found once on the sum of the frames of the range (so every frame and every block uses the same one): auto, array (N/2) or beam.")]
    public PatternCentering Centering { get; init; } = PatternCentering.Auto;

    /// <summary>HIO feedback.</summary>
    [Description("β of HIO (and DM); 0.9 is standard.")]
    [Range(0.01, 2.0)]
    public double Beta { get; init; } = 0.9;

    /// <summary>RAAR relaxation.</summary>
    [Description("β of RAAR; 0.75 is standard.")]
    [Range(0.01, 1.0)]
    public double RaarBeta { get; init; } = 0.75;

    /// <summary>Positivity constraint.</summary>
    [Description("Force the real part of the object to be non-negative inside the support.")]
    public bool Positivity { get; init; }

    /// <summary>Initial support source of the ab initio frame.</summary>
    [Description("Starting support of the ab initio frame: auto (from a support-finder step, else the autocorrelation), autocorrelation, circle or square.")]
    public InitialSupportSource Support { get; init; } = InitialSupportSource.Autocorrelation;

    /// <summary>Size of the circle or square support.</summary>
    [Description("Diameter of the circle or side of the square starting support; 0 = half the smallest dimension.")]
    [Unit("px")]
    [Range(0, 1e6)]
    public double SupportSize { get; init; }

    /// <summary>Autocorrelation threshold.</summary>
    [Description("Relative threshold of the blurred autocorrelation for the starting support.")]
    [Range(1e-4, 1.0)]
    public double AutocorrelationThreshold { get; init; } = 0.1;

    /// <summary>Autocorrelation blur.</summary>
    [Description("Gaussian σ applied to the autocorrelation before thresholding.")]
    [Unit("px")]
    [Range(0, 100)]
    public double AutocorrelationSigma { get; init; } = 1;

    /// <summary>Shrink-wrap threshold.</summary>
    [Description("Relative threshold of the support update (Sup); higher shrinks the support more.")]
    [Range(0.001, 1.0)]
    public double SupportThreshold { get; init; } = 0.15;

    /// <summary>Shrink-wrap σ at the first update of the ab initio frame.</summary>
    [Description("Gaussian σ of the first support update of the ab initio frame, decaying to support_sigma_end.")]
    [Unit("px")]
    [Range(0, 100)]
    public double SupportSigmaStart { get; init; } = 2;

    /// <summary>Shrink-wrap σ at the last update of the ab initio frame.</summary>
    [Description("Gaussian σ of the last support update of the ab initio frame.")]
    [Unit("px")]
    [Range(0, 100)]
    public double SupportSigmaEnd { get; init; } = 0.5;

    /// <summary>Threshold reference.</summary>
    [Description("The support threshold is relative to the maximum (max; compact simulated objects shrink-wrap best) or to the rms inside the support (rms).")]
    public SupportThresholdReference SupportThresholdReference { get; init; } = SupportThresholdReference.Max;

    /// <summary>Smallest allowed support.</summary>
    [Description("A frame whose support shrinks below this fraction of the array is redone with a lower threshold.")]
    [Range(0.0, 1.0)]
    public double SupportMinFraction { get; init; } = 1e-4;

    /// <summary>Largest allowed support.</summary>
    [Description("A frame whose support grows above this fraction of the array is redone with a higher threshold.")]
    [Range(0.0, 1.0)]
    public double SupportMaxFraction { get; init; } = 0.4;

    /// <summary>Retries after a support guard.</summary>
    [Description("Times a frame is redone with the threshold adjusted by 20 % after its support left the allowed range.")]
    [Range(0, 20)]
    public int SupportRetries { get; init; } = 3;

    /// <summary>Held-out fraction.</summary>
    [Description("Fraction of the measured pixels held out for the free log-likelihood (the same pixels in every frame); 0 uses the plain log-likelihood.")]
    [Range(0.0, 0.3)]
    public double FreeFraction { get; init; } = 0.05;

    /// <summary>Rejection threshold on the energy outside the support of the ab initio starts.</summary>
    [Description("Ab initio starts keeping more than this fraction of their modulus-projected energy outside the support are used only if no start does better.")]
    [Range(0.0, 1.0)]
    public double MaxOutsideEnergy { get; init; } = 0.3;

    /// <summary>Metric interval.</summary>
    [Description("Cycles between log-likelihood evaluations within a frame.")]
    [Range(1, 100000)]
    public int MetricEvery { get; init; } = 20;

    /// <summary>Error to the true object.</summary>
    [Description("When the data carry the true object (simulations), measure each frame's error to it after alignment (costs a few FFTs per frame, outside the phasing time).")]
    public bool ErrorToTruth { get; init; } = true;

    /// <inheritdoc />
    public override IEnumerable<OptionProblem> Validate() => Validate(OptionsContext.None);

    /// <inheritdoc />
    public override IEnumerable<OptionProblem> Validate(OptionsContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (SupportMinFraction >= SupportMaxFraction)
        {
            yield return new OptionProblem(nameof(SupportMinFraction), "support_min_fraction must be below support_max_fraction");
        }

        foreach (var (name, text) in new[] { (nameof(Operators), Operators), (nameof(WarmOperators), WarmOperators) })
        {
            string? problem = null;
            try
            {
                BuiltInOperators.Parse(context.Operators ?? BuiltInOperators.Registry, text, (float)Beta, (float)RaarBeta);
            }
            catch (OperatorSyntaxException e)
            {
                problem = e.Message;
            }

            if (problem is not null)
            {
                yield return new OptionProblem(name, problem);
            }
        }
    }
}
