using System.Collections;
using System.ComponentModel;
using System.Globalization;
using Cxdi.Plugins.Preprocessing.Common;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;

namespace Cxdi.Plugins.Preprocessing.Corrections;

/// <summary>Options of <see cref="NormalizeStep"/>.</summary>
public sealed record NormalizeOptions : PluginOptions
{
    /// <summary>Monitor values, one per frame.</summary>
    [Description("Incident-flux monitor values, one per frame (or one for a 2D pattern). Alternatively name a metadata key with monitor_key.")]
    public double[]? Monitor { get; init; }

    /// <summary>Metadata key holding the monitor values.</summary>
    [Description("Metadata key (from the file header) holding the monitor value(s): a number, a list, or a comma/space separated string.")]
    public string? MonitorKey { get; init; }

    /// <summary>Monitor value the frames are scaled to; default the mean monitor.</summary>
    [Description("Monitor value every frame is scaled to; default the mean of the monitors, which keeps the count scale (and Poisson statistics) roughly unchanged.")]
    public double? Reference { get; init; }

    /// <inheritdoc />
    public override IEnumerable<OptionProblem> Validate()
    {
        if ((Monitor is null) == (MonitorKey is null))
        {
            yield return new OptionProblem(nameof(Monitor), "give exactly one of monitor (a list of values) or monitor_key (a metadata key)");
        }

        if (Monitor is { } m && m.Any(v => !(v > 0) || !double.IsFinite(v)))
        {
            yield return new OptionProblem(nameof(Monitor), "every monitor value must be a positive number");
        }
    }
}

/// <summary>Scales each frame by reference / monitor to correct for incident-flux fluctuations.</summary>
[CxdiPlugin("cxdi.normalize", "1.0.0", Description = "Normalise each frame by an incident-flux monitor (values or a metadata key).")]
public sealed class NormalizeStep : PreprocessorBase<NormalizeOptions>
{
    /// <inheritdoc />
    protected override DiffractionData Apply(DiffractionData input, NormalizeOptions options, StepContext context)
    {
        var (frames, frame) = Pixels.Frames(input.Shape);
        var monitor = options.Monitor ?? FromMetadata(input, options.MonitorKey!, "cxdi.normalize", "monitor_key");
        if (monitor.Length != frames)
        {
            throw new WorkflowShapeException($"cxdi.normalize: {monitor.Length} monitor values for {frames} frames", "give one monitor value per frame");
        }

        if (monitor.Any(v => !(v > 0) || !double.IsFinite(v)))
        {
            throw new WorkflowShapeException($"cxdi.normalize: the monitor values of '{options.MonitorKey}' include zero, negative or non-numbers", "check the metadata key or give monitor values explicitly");
        }

        var reference = options.Reference ?? monitor.Average();
        var factors = monitor.Select(m => reference / m).ToArray();
        for (var z = 0; z < frames; z++)
        {
            var f = (float)factors[z];
            var span = input.Intensity.AsSpan(z * frame, frame);
            for (var p = 0; p < span.Length; p++)
            {
                span[p] *= f;
            }
        }

        StepLog.Record(input, context, StepLog.IdOf(GetType()), $"normalised {frames} frame(s) to monitor {StepLog.F(reference)} (factors {StepLog.F(factors.Min())} … {StepLog.F(factors.Max())})", new Dictionary<string, object>
        {
            ["reference"] = reference,
            ["factors"] = factors,
        });
        return input;
    }

    /// <summary>Reads numbers from a metadata entry: a number, a numeric collection or a separated string; <paramref name="step"/> and <paramref name="option"/> name the caller in errors.</summary>
    public static double[] FromMetadata(DataItem item, string key, string step, string option)
    {
        if (!item.Metadata.TryGetValue(key, out var value))
        {
            throw new WorkflowShapeException($"{step}: the data have no metadata key '{key}' (keys: {string.Join(", ", item.Metadata.Keys.Take(20))})", $"name an existing key in {option}");
        }

        double Parse(string s) => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
            ? d
            : throw new WorkflowShapeException($"{step}: metadata '{key}' holds '{s}', not a number", $"name a numeric key in {option}");

        return value switch
        {
            string s => s.Split([',', ' ', ';', '\t'], StringSplitOptions.RemoveEmptyEntries).Select(Parse).ToArray(),
            IEnumerable e => e.Cast<object>().Select(o => Convert.ToDouble(o, CultureInfo.InvariantCulture)).ToArray(),
            IConvertible c => [c.ToDouble(CultureInfo.InvariantCulture)],
            _ => throw new WorkflowShapeException($"{step}: metadata '{key}' is not numeric", $"name a numeric key in {option}"),
        };
    }
}
