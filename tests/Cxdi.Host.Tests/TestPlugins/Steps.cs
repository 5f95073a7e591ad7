using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;

namespace Cxdi.Host.TestPlugins;

/// <summary>How <see cref="ScalePreprocessor"/> combines.</summary>
public enum ScaleMode
{
    /// <summary>Multiply by the factor.</summary>
    Multiply,

    /// <summary>Add the factor.</summary>
    AddConstant,
}

/// <summary>Options of <see cref="ScalePreprocessor"/>.</summary>
public sealed record ScaleOptions : PluginOptions
{
    /// <summary>Factor.</summary>
    [Description("Multiplier or offset")]
    [Range(0.001, 1000.0)]
    public double Factor { get; init; } = 2;

    /// <summary>Mode.</summary>
    [Description("multiply or add_constant")]
    public ScaleMode Mode { get; init; } = ScaleMode.Multiply;

    /// <summary>Free tags recorded in provenance.</summary>
    [Description("Tags")]
    public List<string> Tags { get; init; } = [];

    /// <summary>Crop size; must be even when given.</summary>
    [Description("Crop to this size (centre), or null to keep the shape")]
    [OptionName("crop_to")]
    public int? Crop { get; init; }

    /// <inheritdoc />
    public override IEnumerable<OptionProblem> Validate()
    {
        if (Crop is { } c && c % 2 != 0)
        {
            yield return new OptionProblem(nameof(Crop), "must be even");
        }
    }
}

/// <summary>Scales intensities (and optionally crops the centre).</summary>
[CxdiPlugin("test.scale", "1.2.0", Description = "Scales intensities")]
public sealed class ScalePreprocessor : PreprocessorBase<ScaleOptions>
{
    /// <inheritdoc />
    protected override DataSpec Plan(DataSpec input, ScaleOptions options)
    {
        WorkflowShapeException.ThrowUnlessDetector(input);
        if (options.Crop is { } c)
        {
            if (c > input.Shape.Ny || c > input.Shape.Nx)
            {
                throw new WorkflowShapeException($"cannot crop {input.Shape} to {c}x{c}", "lower crop_to");
            }

            return input with { Shape = Shape.Of(c, c) };
        }

        return input;
    }

    /// <inheritdoc />
    protected override DiffractionData Apply(DiffractionData input, ScaleOptions options, StepContext context)
    {
        var data = input.Clone();
        for (var i = 0; i < data.Intensity.Length; i++)
        {
            data.Intensity[i] = options.Mode == ScaleMode.Multiply ? (float)(data.Intensity[i] * options.Factor) : (float)(data.Intensity[i] + options.Factor);
        }

        if (options.Crop is not { } c)
        {
            return data;
        }

        var n = data.Shape.Nx;
        var y0 = (data.Shape.Ny - c) / 2;
        var x0 = (n - c) / 2;
        var intensity = new float[c * c];
        var mask = new uint[c * c];
        for (var y = 0; y < c; y++)
        {
            for (var x = 0; x < c; x++)
            {
                intensity[(y * c) + x] = data.Intensity[((y + y0) * n) + x + x0];
                mask[(y * c) + x] = data.Mask[((y + y0) * n) + x + x0];
            }
        }

        return new DiffractionData(Shape.Of(c, c), intensity, mask) { Geometry = data.Geometry, Provenance = data.Provenance };
    }
}

/// <summary>Options of <see cref="SlowPreprocessor"/>.</summary>
public sealed record SlowOptions : PluginOptions
{
    /// <summary>Number of sleeps.</summary>
    [Description("Number of sleeps")]
    [Positive]
    public int Steps { get; init; } = 10;

    /// <summary>Length of one sleep.</summary>
    [Description("Milliseconds per sleep")]
    [Unit("ms")]
    public int StepMs { get; init; } = 10;
}

/// <summary>Sleeps in small steps, honouring cancellation and reporting progress.</summary>
[CxdiPlugin("test.slow", "1.0.0", Description = "Slow step")]
public sealed class SlowPreprocessor : PreprocessorBase<SlowOptions>
{
    /// <inheritdoc />
    protected override DiffractionData Apply(DiffractionData input, SlowOptions options, StepContext context)
    {
        for (var i = 0; i < options.Steps; i++)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            Thread.Sleep(options.StepMs);
            context.Progress.Report(new ProgressReport(context.StepId, "sleeping") { Fraction = (i + 1.0) / options.Steps });
        }

        return input;
    }
}

/// <summary>What <see cref="ThrowingPreprocessor"/> throws.</summary>
public enum FailureKind
{
    /// <summary>An input error (exit 2).</summary>
    Input,

    /// <summary>A run failure (exit 1).</summary>
    Run,

    /// <summary>A bug (exit 1, "internal error").</summary>
    Bug,

    /// <summary>Returns null.</summary>
    ReturnNull,
}

/// <summary>Options of <see cref="ThrowingPreprocessor"/>.</summary>
public sealed record ThrowOptions : PluginOptions
{
    /// <summary>Failure to simulate.</summary>
    [Description("input, run, bug or return_null")]
    public FailureKind Kind { get; init; } = FailureKind.Bug;
}

/// <summary>Fails on purpose.</summary>
[CxdiPlugin("test.throw", "1.0.0", Description = "Fails")]
public sealed class ThrowingPreprocessor : PreprocessorBase<ThrowOptions>
{
    /// <inheritdoc />
    protected override DiffractionData Apply(DiffractionData input, ThrowOptions options, StepContext context) => options.Kind switch
    {
        FailureKind.Input => throw new InvalidInputException("mask.edf", "mask shape 3x3 differs from data", "give a mask of the data's shape"),
        FailureKind.Run => throw new PhasingFailedException("diverged at cycle 12", "lower beta"),
        FailureKind.ReturnNull => null!,
        _ => throw new InvalidOperationException("index was out of range"),
    };
}

/// <summary>Puts NaN in a measured pixel (a bug the host must catch).</summary>
[CxdiPlugin("test.nan", "1.0.0", Description = "Produces NaN")]
public sealed class NanPreprocessor : PreprocessorBase<NoOptions>
{
    /// <inheritdoc />
    protected override DiffractionData Apply(DiffractionData input, NoOptions options, StepContext context)
    {
        var data = input.Clone();
        data.Intensity[data.Intensity.Length / 2] = float.NaN;
        data.Mask[data.Intensity.Length / 2] = 0;
        return data;
    }
}

/// <summary>Options of <see cref="BoxSupportFinder"/>.</summary>
public sealed record BoxOptions : PluginOptions
{
    /// <summary>Box half-width.</summary>
    [Description("Half-width of the box")]
    [Range(1, 1000)]
    public int Half { get; init; } = 2;
}

/// <summary>A centred box support.</summary>
[CxdiPlugin("test.box", "1.0.0", Description = "Box support")]
public sealed class BoxSupportFinder : SupportFinderBase<BoxOptions>
{
    /// <inheritdoc />
    protected override byte[] FindSupport(DiffractionData data, BoxOptions options, StepContext context)
    {
        var s = new byte[data.Shape.Length];
        var cy = data.Shape.Ny / 2;
        var cx = data.Shape.Nx / 2;
        for (var y = cy - options.Half; y < cy + options.Half; y++)
        {
            for (var x = cx - options.Half; x < cx + options.Half; x++)
            {
                s[(y * data.Shape.Nx) + x] = 1;
            }
        }

        return s;
    }
}

/// <summary>Options of <see cref="Guardrails"/>.</summary>
public sealed record GuardrailOptions : PluginOptions
{
    /// <summary>Minimum measured fraction.</summary>
    [Description("Warn below this measured fraction")]
    public double MinMeasured { get; init; } = 0.99;
}

/// <summary>A stand-in for the real guardrails analysis: records the measured fraction and a warning.</summary>
[CxdiPlugin("cxdi.guardrails", "0.0.1", Description = "Test guardrails")]
public sealed class Guardrails : IAnalysis
{
    /// <inheritdoc />
    public Type OptionsType => typeof(GuardrailOptions);

    /// <inheritdoc />
    public bool Accepts(DataSpec input) => input.Space == DataSpace.Detector;

    /// <inheritdoc />
    public DataItem Analyse(DataItem item, PluginOptions options, StepContext context)
    {
        var data = (DiffractionData)item;
        var measured = Enumerable.Range(0, data.Intensity.Length).Count(i => data.IsMeasured(i));
        var fraction = (double)measured / data.Intensity.Length;
        var warnings = new List<string>();
        if (fraction < ((GuardrailOptions)options).MinMeasured)
        {
            warnings.Add($"only {fraction:P1} of pixels are measured");
        }

        item.Findings["cxdi.guardrails"] = new Dictionary<string, object> { ["measured_fraction"] = fraction, ["warnings"] = warnings };
        return item;
    }
}
