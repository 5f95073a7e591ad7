using System.ComponentModel;
using System.Text.Json;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;

namespace Cxdi.Plugins.Preprocessing.Planning;

/// <summary>Options of <see cref="PlanTool"/> (command line: <c>cxdi plan --energy 8keV --distance 30m --pixel 75um --pixels 2048</c>).</summary>
public sealed record PlanOptions : PluginOptions
{
    /// <summary>Photon energy with unit.</summary>
    [Description("Photon energy with its unit, e.g. 8keV or 8000eV (or give wavelength).")]
    public string? Energy { get; init; }

    /// <summary>Wavelength with unit.</summary>
    [Description("X-ray wavelength with its unit, e.g. 1.55A or 0.155nm (instead of energy).")]
    public string? Wavelength { get; init; }

    /// <summary>Sample–detector distance with unit.</summary>
    [Description("Sample-to-detector distance with its unit, e.g. 30m or 5200mm.")]
    public string Distance { get; init; } = "";

    /// <summary>Pixel size with unit.</summary>
    [Description("Detector pixel size with its unit, e.g. 75um (Eiger) or 55um (Maxipix).")]
    public string Pixel { get; init; } = "";

    /// <summary>Pixels across the detector.</summary>
    [Description("Pixels across the detector (or the array you will phase), e.g. 2048.")]
    [Positive]
    public int Pixels { get; init; } = 2048;

    /// <summary>Sample size with unit.</summary>
    [Description("Sample size with its unit, e.g. 20um: adds its oversampling, speckle size and the depth-of-field check.")]
    public string? Sample { get; init; }

    /// <summary>Brilliance gain of a new source.</summary>
    [Description("Brilliance gain of a new source (e.g. 100 for a 4th-generation upgrade): the flux-limited resolution improves by its fourth root.")]
    [Positive]
    public double? BrillianceGain { get; init; }

    /// <summary>JSON output.</summary>
    [Description("Print JSON (SI units) instead of a table.")]
    public bool Json { get; init; }

    /// <inheritdoc />
    public override IEnumerable<OptionProblem> Validate()
    {
        if ((Energy is null) == (Wavelength is null))
        {
            yield return new OptionProblem(nameof(Energy), "give exactly one of --energy (e.g. 8keV) or --wavelength (e.g. 1.55A)");
        }

        foreach (var (key, value) in new[] { (nameof(Energy), Energy), (nameof(Wavelength), Wavelength), (nameof(Distance), Distance), (nameof(Pixel), Pixel), (nameof(Sample), Sample) })
        {
            if (value is null)
            {
                continue;
            }

            string? problem = null;
            try
            {
                _ = key == nameof(Energy) ? Units.EnergyEv(value, "--energy") : Units.Metres(value, "--" + key.ToLowerInvariant());
            }
            catch (CxdiException e)
            {
                problem = e.OneLine;
            }

            if (problem is not null)
            {
                yield return new OptionProblem(key, problem);
            }
        }
    }

    /// <summary>The plan these options describe (throws on unparsable values).</summary>
    public ExperimentPlan ToPlan()
    {
        var lambda = Wavelength is { } w ? Units.Metres(w, "--wavelength") : Units.HcEvMetre / Units.EnergyEv(Energy ?? "", "--energy");
        return new ExperimentPlan(lambda, Units.Metres(Distance, "--distance"), Units.Metres(Pixel, "--pixel"), Pixels,
            Sample is { } s ? Units.Metres(s, "--sample") : null, BrillianceGain);
    }
}

/// <summary>
/// <c>cxdi plan</c>: what an experiment geometry allows — largest sample at σ = 3, resolution, depth of field, speckle size,
/// brilliance-gain scaling — as a table or JSON.
/// </summary>
[CxdiPlugin("cxdi.plan", "1.0.0", Description = "Plan a CXDI experiment: largest sample, resolution, depth of field, speckle size.")]
public sealed class PlanTool : ICliTool
{
    /// <inheritdoc />
    public Type OptionsType => typeof(PlanOptions);

    /// <inheritdoc />
    public string Command => "plan";

    /// <inheritdoc />
    public bool WritesOutput => false;

    /// <inheritdoc />
    public int Run(PluginOptions options, TextWriter output, StepContext context)
    {
        var plan = ((PlanOptions)options).ToPlan();
        output.Write(((PlanOptions)options).Json
            ? JsonSerializer.Serialize(plan.ToDictionary(), new JsonSerializerOptions { WriteIndented = true }) + Environment.NewLine
            : plan.ToTable());
        return 0;
    }
}

/// <summary>Options of <see cref="PlanAnalysis"/>.</summary>
public sealed record PlanAnalysisOptions : PluginOptions
{
    /// <summary>Sample size with unit.</summary>
    [Description("Sample size with its unit (e.g. 5um) for the oversampling, speckle-size and depth-of-field checks; optional.")]
    public string? Sample { get; init; }
}

/// <summary>The planner as a workflow analysis: the numbers of <see cref="ExperimentPlan"/> from the data's geometry, in <c>Findings["cxdi.plan.geometry"]</c>.</summary>
[CxdiPlugin("cxdi.plan.geometry", "1.0.0", Description = "Record resolution, depth of field and sample-size limits from the data's geometry.")]
public sealed class PlanAnalysis : IAnalysis
{
    /// <inheritdoc />
    public Type OptionsType => typeof(PlanAnalysisOptions);

    /// <inheritdoc />
    public bool Accepts(DataSpec input) => input.Space == DataSpace.Detector && !input.IsComplex;

    /// <inheritdoc />
    public DataItem Analyse(DataItem item, PluginOptions options, StepContext context)
    {
        var data = item as DiffractionData ?? throw new WorkflowShapeException($"cxdi.plan.geometry needs diffraction data but receives {item.Spec}", "place it before the phasing step");
        var g = data.Geometry;
        if (g.Wavelength is not { } lambda || g.DetectorDistance is not { } d || (g.PixelSizeX ?? g.PixelSizeY) is not { } p)
        {
            throw new WorkflowShapeException("cxdi.plan.geometry needs the wavelength, detector distance and pixel size, which the data do not record", "set them in the reader options (wavelength, detector_distance, pixel_size)");
        }

        var o = (PlanAnalysisOptions)options;
        var plan = new ExperimentPlan(lambda, d, p, Math.Max(data.Shape.Nx, data.Shape.Ny), o.Sample is { } s ? Units.Metres(s, "sample") : null);
        var values = plan.ToDictionary();
        values["table"] = plan.ToTable();
        data.Findings["cxdi.plan.geometry"] = values;
        context.Progress.Report(new ProgressReport(string.IsNullOrEmpty(context.StepId) ? "cxdi.plan.geometry" : context.StepId, $"resolution {plan.Resolution * 1e9:F1} nm, largest sample {plan.MaxSampleSize * 1e6:F2} µm at σ = 3"));
        return data;
    }
}
