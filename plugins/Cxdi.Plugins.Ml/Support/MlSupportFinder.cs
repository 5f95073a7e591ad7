using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Cxdi.Plugins.Ml.Models;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;
using Microsoft.ML;

namespace Cxdi.Plugins.Ml.Support;

/// <summary>Options of <c>cxdi.support.ml</c>.</summary>
public sealed record MlSupportOptions : TrainedModelOptions
{
    /// <summary>Probability threshold.</summary>
    [Description("Pixels whose predicted probability of being inside the object exceeds this are in the support; lower is looser.")]
    [Range(0.01, 0.99)]
    public double Threshold { get; init; } = 0.5;

    /// <summary>Dilation.</summary>
    [Description("Grow the proposed support by this radius; a slightly loose starting support converges best (0 = as predicted).")]
    [Unit("px")]
    [Range(0.0, 50.0)]
    public double Dilate { get; init; } = 1;

    /// <summary>Default training size for the classifier.</summary>
    public MlSupportOptions() => Samples = 60_000;
}

/// <summary>Starting support proposed by a FastTree classifier on autocorrelation features, trained on simulated objects.</summary>
[CxdiPlugin("cxdi.support.ml", "1.0.0", Description = "Initial support proposed by an ML.NET classifier on autocorrelation features, trained on simulations matched to the data (or a model file).")]
public sealed class MlSupportFinder : SupportFinderBase<MlSupportOptions>
{
    /// <inheritdoc />
    protected override byte[] FindSupport(DiffractionData data, MlSupportOptions options, StepContext context)
    {
        var ml = new MLContext(options.Seed);
        var model = MlSteps.LoadOrTrain(ml, options, data, SupportTraining.Kind, context, SupportTraining.Train);
        var shape = data.Shape;
        var support = SupportTraining.Propose(ml, model.Model, data.Intensity, data.Mask, shape.Ny, shape.Nx, options.Threshold);
        support = SupportTraining.Dilate(support, shape.Ny, shape.Nx, options.Dilate);
        var count = support.LongCount(b => b != 0);
        if (count == 0)
        {
            throw new SupportTooSmallException(0, shape.Length, 0);
        }

        data.Findings["cxdi.support.ml"] = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["model"] = options.Model.Length > 0 ? options.Model : "trained on the fly",
            ["support_pixels"] = count,
            ["validation_iou"] = model.Provenance.TryGetValue("validation_iou", out var iou) ? iou : "n/a",
        };
        return support;
    }
}
