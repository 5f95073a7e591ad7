using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;

namespace Cxdi.Plugins.Ml.Gate;

/// <summary>Options of <c>cxdi.phase.gated</c>.</summary>
public sealed record GatedPhaserOptions : PluginOptions
{
    /// <summary>The phaser both variants go through.</summary>
    [Description("Phaser id run on both variants and for the final reconstruction (resolved by id at run time).")]
    public string Phaser { get; init; } = "cxdi.phase";

    /// <summary>The ML step under test.</summary>
    [Description("Denoiser id of the ML step under test (e.g. cxdi.denoise.tree, cxdi.denoise.onnx), resolved by id at run time with its default options.")]
    public string MlStep { get; init; } = "cxdi.denoise.tree";

    /// <summary>Model file for the ML step.</summary>
    [Description("Passed to the ML step as its `model` option (a zip from `cxdi train`, or an .onnx file for cxdi.denoise.onnx); empty = the step's default (the tree denoiser trains on the fly).")]
    public string MlModel { get; init; } = "";

    /// <summary>Runs per variant in the gate.</summary>
    [Description("Random starts phased per variant (raw and ML-processed, same seeds and operators) to score the variants.")]
    [Range(1, 100)]
    public int GateSeeds { get; init; } = 3;

    /// <summary>Operators passed to the phaser.</summary>
    [Description("Passed to the phaser as `operators` (gate and final runs); empty = the phaser's default.")]
    public string Operators { get; init; } = "";

    /// <summary>Final runs.</summary>
    [Description("Passed to the phaser as `runs` for the final reconstruction of the kept variant; 0 = the phaser's default.")]
    [Range(0, 10000)]
    public int Runs { get; init; }

    /// <summary>Runs kept.</summary>
    [Description("Passed to the phaser as `keep` (capped at gate_seeds in the gate); 0 = the phaser's default.")]
    [Range(0, 10000)]
    public int Keep { get; init; }

    /// <summary>Phaser seed.</summary>
    [Description("Passed to the phaser as `seed`: both variants start from the same random starts.")]
    [Range(0, long.MaxValue)]
    public long Seed { get; init; } = 1;

    /// <summary>Held-out fraction.</summary>
    [Description("Fraction of the measured pixels held out (3×3 islands with their Friedel mates, away from the centre), flagged unknown in both variants' inputs and scored on raw counts.")]
    [Unit("fraction")]
    [Range(0.001, 0.3)]
    public double FreeFraction { get; init; } = 0.05;

    /// <summary>Excluded centre.</summary>
    [Description("No held-out pixel lies within this radius of the pattern centre (the strong central speckle); 0 = 5 % of the smaller side.")]
    [Unit("px")]
    [Range(0.0, 1e5)]
    public double FreeCentreRadius { get; init; }

    /// <summary>Held-out seed.</summary>
    [Description("Seed of the held-out pixel set.")]
    [Range(0, int.MaxValue)]
    public int FreeSeed { get; init; } = 7;

    /// <summary>Other options for the phaser, as <c>name=value</c>.</summary>
    [Description("Other options passed to the phaser as they are, each as name=value (e.g. [\"support_threshold=0.25\", \"support_threshold_reference=rms\"]), for the gate's runs and the final ones; the phaser checks them.")]
    public IReadOnlyList<string> PhaserOptions { get; init; } = [];

    /// <inheritdoc />
    public override IEnumerable<OptionProblem> Validate()
    {
        foreach (var problem in base.Validate())
        {
            yield return problem;
        }

        foreach (var entry in PhaserOptions)
        {
            var equals = entry.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || equals == entry.Length - 1)
            {
                yield return new OptionProblem(nameof(PhaserOptions), $"phaser_options entry '{entry}' is not name=value (e.g. support_threshold=0.25)");
            }
            else if (entry[..equals].Trim() is "seed" or "operators" or "runs" or "keep")
            {
                yield return new OptionProblem(nameof(PhaserOptions), $"phaser_options entry '{entry}' sets what the gate's own option {entry[..equals].Trim()} sets: use that option");
            }
        }
    }
}

/// <summary>
/// A/B gate: phases a few seeds of the raw data and of the ML-processed data with the same phaser options, scores both by
/// a Poisson free log-likelihood on the raw counts at pixels that neither variant saw, keeps the better variant and runs
/// the full phasing on it. The ML step's output carries the raw counts (<see cref="DiffractionData.RawIntensity"/>, set by
/// the SDK's denoiser base), so a phaser that honours them (<c>cxdi.phase</c>) ranks the runs of the ML variant by their
/// free LLK on the raw counts too. The phaser and the ML step are resolved by id through the host, so this plugin does not
/// depend on the phasing plugin.
/// </summary>
[CxdiPlugin("cxdi.phase.gated", "1.0.0", Description = "A/B gate: phases a few seeds with and without an ML step, keeps the variant with the lower free LLK on raw counts, then phases it fully.")]
public sealed class GatedPhaser : PhaserBase<GatedPhaserOptions>
{
    /// <summary>What the gate decided.</summary>
    /// <param name="RawFreeLlk">Free LLK per held-out pixel of the raw variant.</param>
    /// <param name="MlFreeLlk">Free LLK per held-out pixel of the ML variant.</param>
    /// <param name="KeepMl">True when the ML variant is kept.</param>
    /// <param name="HeldOut">Held-out pixels.</param>
    internal sealed record Decision(double RawFreeLlk, double MlFreeLlk, bool KeepMl, long HeldOut);

    /// <inheritdoc />
    protected override DataSpec Plan(DataSpec input, GatedPhaserOptions options)
    {
        if (input.Shape.Is3D)
        {
            throw new WorkflowShapeException($"cxdi.phase.gated takes 2D patterns; the input is {input.Shape}");
        }

        return base.Plan(input, options);
    }

    /// <inheritdoc />
    protected override ReconstructionSet Reconstruct(DiffractionData data, GatedPhaserOptions options, StepContext context)
    {
        var plugins = context.Plugins ?? throw new PluginNotFoundException(options.Phaser, "cxdi.phase.gated: no plugin host to resolve the phaser and the ML step with", "run it inside a cxdi workflow");
        if (data.Shape.Is3D)
        {
            throw new WorkflowShapeException($"cxdi.phase.gated takes 2D patterns; the input is {data.Shape}");
        }

        var clock = Stopwatch.StartNew();
        var (decision, _) = Gate(data, options, context, plugins);
        var step = context.StepId;
        context.Progress.Report(new ProgressReport(step, $"gate: keeping the {(decision.KeepMl ? options.MlStep : "raw")} variant (free LLK raw {decision.RawFreeLlk:F4}, {options.MlStep} {decision.MlFreeLlk:F4}); final phasing") { Fraction = 0.5 });

        var final = decision.KeepMl ? Denoise(data, options, context, plugins) : data;
        var (phaser, phaserOptions) = plugins.Resolve<IPhaser>(options.Phaser, PhaserOptions(options, options.Runs, options.Keep));
        var result = phaser.Reconstruct(final, phaserOptions, context);
        result.Findings["cxdi.phase.gated"] = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["decision"] = decision.KeepMl ? options.MlStep : "raw",
            ["raw_free_llk"] = Round(decision.RawFreeLlk),
            ["ml_free_llk"] = Round(decision.MlFreeLlk),
            ["held_out_pixels"] = decision.HeldOut,
            ["gate_seeds"] = options.GateSeeds,
            ["ml_step"] = options.MlStep,
            ["phaser"] = options.Phaser,
            ["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 2),
        };
        context.Progress.Report(new ProgressReport(step, $"gate done in {clock.Elapsed.TotalSeconds:F1} s") { Fraction = 1 });
        return result;
    }

    /// <summary>Phases both variants with <see cref="GatedPhaserOptions.GateSeeds"/> runs and scores them; returns the decision and the held-out set.</summary>
    internal static (Decision Decision, bool[] Held) Gate(DiffractionData data, GatedPhaserOptions options, StepContext context, IPluginResolver plugins)
    {
        var shape = data.Shape;
        var step = context.StepId;
        var radius = options.FreeCentreRadius > 0 ? options.FreeCentreRadius : 0.05 * Math.Min(shape.Ny, shape.Nx);
        var held = FreeLikelihood.HoldOut(data.Mask, shape.Ny, shape.Nx, options.FreeFraction, options.FreeSeed, radius);
        var heldCount = held.LongCount(h => h);
        if (heldCount == 0)
        {
            throw new InvalidInputException(data.Provenance.Sources.FirstOrDefault()?.Path ?? "input", "cxdi.phase.gated: no measured 3×3 island to hold out away from the centre", "lower free_centre_radius or use data with more measured pixels");
        }

        var withheld = FreeLikelihood.Withhold(data, held);
        context.Progress.Report(new ProgressReport(step, $"gate: {heldCount} pixels held out; phasing {options.GateSeeds} seeds of the raw data") { Fraction = 0.05 });
        var gateKeep = options.Keep > 0 ? Math.Min(options.Keep, options.GateSeeds) : Math.Max(1, (options.GateSeeds + 1) / 2);
        var rawScore = Phase("raw", withheld, data, held, options, gateKeep, context, plugins);

        context.Progress.Report(new ProgressReport(step, $"gate: raw free LLK {rawScore:F4}; {options.MlStep} on the data, then {options.GateSeeds} seeds") { Fraction = 0.2 });
        var processed = Denoise(withheld, options, context, plugins);
        var mlScore = Phase(options.MlStep, processed, data, held, options, gateKeep, context, plugins);
        context.Progress.Report(new ProgressReport(step, $"gate: {options.MlStep} free LLK {mlScore:F4}") { Fraction = 0.4 });
        return (new Decision(rawScore, mlScore, mlScore < rawScore, heldCount), held);
    }

    private static double Phase(string label, DiffractionData input, DiffractionData raw, bool[] held, GatedPhaserOptions options, int keep, StepContext context, IPluginResolver plugins)
    {
        var (phaser, phaserOptions) = plugins.Resolve<IPhaser>(options.Phaser, PhaserOptions(options, options.GateSeeds, keep));
        var gateContext = new StepContext
        {
            Cancellation = context.Cancellation,
            Progress = context.Progress,
            Logger = context.Logger,
            StepId = context.StepId,
            Plugins = context.Plugins,
            Backend = context.Backend,
            Run = context.Run,
        };
        var set = phaser.Reconstruct(input, phaserOptions, gateContext);

        // Each finished run is scored on the raw held-out counts and the variant takes the median: one run that stagnated
        // (and that the phaser's own ranking, on the variant's data, kept in the average) does not decide the gate, and
        // neither does one lucky run. Without per-run objects the average is scored.
        var scores = set.Runs
            .Where(r => r.Object.Length == set.Shape.Length && r.State is not (RunState.Failed or RunState.Cancelled or RunState.Pending or RunState.Running))
            .Select(r => ScoreObject(r.Object, set.Shape, raw, held))
            .ToList();
        if (scores.Count == 0 && set.Average is { } average && average.Length == set.Shape.Length)
        {
            scores.Add(ScoreObject(average, set.Shape, raw, held));
        }

        var median = Median(scores);
        context.Progress.Report(new ProgressReport(context.StepId, $"gate: {label} free LLK per run {string.Join(", ", scores.Select(v => v.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)))}; median {median:F4}"));
        return median;
    }

    private static double ScoreObject(Complex32[] obj, Shape shape, DiffractionData raw, bool[] held) =>
        FreeLikelihood.Score(raw.Intensity, raw.Mask, held, FreeLikelihood.ModelIntensity(obj, shape.Ny, shape.Nx, raw.Shape.Ny, raw.Shape.Nx));

    /// <summary>The median (mean of the middle two for an even count); +∞ for none.</summary>
    internal static double Median(List<double> values)
    {
        if (values.Count == 0)
        {
            return double.PositiveInfinity;
        }

        values.Sort();
        var m = values.Count / 2;
        return values.Count % 2 == 1 ? values[m] : 0.5 * (values[m - 1] + values[m]);
    }

    private static DiffractionData Denoise(DiffractionData input, GatedPhaserOptions options, StepContext context, IPluginResolver plugins)
    {
        var mlOptions = options.MlModel.Length > 0 ? new Dictionary<string, object?>(StringComparer.Ordinal) { ["model"] = options.MlModel } : null;
        var (denoiser, denoiserOptions) = plugins.Resolve<IDenoiser>(options.MlStep, mlOptions);
        return denoiser.Denoise(input, denoiserOptions, context);
    }

    private static Dictionary<string, object?> PhaserOptions(GatedPhaserOptions options, int runs, int keep)
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var entry in options.PhaserOptions)
        {
            var equals = entry.IndexOf('=', StringComparison.Ordinal);
            values[entry[..equals].Trim()] = entry[(equals + 1)..].Trim();
        }

        values["seed"] = options.Seed;
        if (options.Operators.Length > 0)
        {
            values["operators"] = options.Operators;
        }

        if (runs > 0)
        {
            values["runs"] = runs;
        }

        if (keep > 0)
        {
            values["keep"] = runs > 0 ? Math.Min(keep, runs) : keep;
        }

        return values;
    }

    private static double Round(double v) => double.IsFinite(v) ? Math.Round(v, 6) : double.MaxValue;
}
