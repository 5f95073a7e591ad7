using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Cxdi.Plugins.Ml.Denoising;
using Cxdi.Plugins.Ml.Numerics;
using Cxdi.Plugins.Ml.Simulation;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Plugins;

namespace Cxdi.Plugins.Ml.Models;

/// <summary>Options shared by the ML steps: load a model, or train one on simulations that match the data.</summary>
public abstract record TrainedModelOptions : PluginOptions
{
    /// <summary>Model file.</summary>
    [Description("Model zip written by `cxdi train` (or by save_model); empty = train one on the fly on simulations matched to the data.")]
    public string Model { get; init; } = "";

    /// <summary>Where to keep a model trained on the fly.</summary>
    [Description("When training on the fly, also write the model zip here (with its provenance); empty = keep it in memory only.")]
    public string SaveModel { get; init; } = "";

    /// <summary>Photon level of the training simulations.</summary>
    [Description("Photons summed over the measured pixels of each training pattern; 0 = the sum of the data's measured counts.")]
    [Unit("photons")]
    [Range(0.0, 1e15)]
    public double Photons { get; init; }

    /// <summary>Object size of the training simulations.</summary>
    [Description("Object diameter of the training objects in object-space pixels (the oversampling is the array size over it); 0 = estimated from the data's autocorrelation.")]
    [Unit("px")]
    [Range(0.0, 1e5)]
    public double ObjectSize { get; init; }

    /// <summary>Training patterns.</summary>
    [Description("Simulated training patterns (random compact objects); more generalise better and take proportionally longer to simulate.")]
    [Range(1, 1000)]
    public int Patterns { get; init; } = 8;

    /// <summary>Training rows.</summary>
    [Description("Training samples drawn from all patterns together (pixels or patches); training time grows about linearly.")]
    [Range(100, 10_000_000)]
    public int Samples { get; init; } = 100_000;

    /// <summary>Trees.</summary>
    [Description("Boosted trees of the FastTree model; more fit better and predict proportionally slower.")]
    [Range(1, 5000)]
    public int Trees { get; init; } = 100;

    /// <summary>Leaves.</summary>
    [Description("Leaves per tree.")]
    [Range(2, 1024)]
    public int Leaves { get; init; } = 31;

    /// <summary>Seed.</summary>
    [Description("Seed of the training simulations (pattern k uses seed·1000 + k; validation seed·1000 + 999).")]
    [Range(0, 1_000_000)]
    public int Seed { get; init; } = 1;

    /// <summary>The simulation matched to <paramref name="data"/> (photons and object size measured unless given, the data's mask and shape).</summary>
    internal SimulationSpec Match(DiffractionData data)
    {
        if (data.Shape.Is3D)
        {
            throw new WorkflowShapeException($"the ML steps handle 2D patterns; this one is {data.Shape}", "for 3D volumes use cxdi.denoise.linear3d; inpainting and the support proposal are 2D only");
        }

        var photons = Photons;
        if (photons <= 0)
        {
            for (var i = 0; i < data.Intensity.Length; i++)
            {
                if (data.IsMeasured(i) && data.Intensity[i] > 0)
                {
                    photons += data.Intensity[i];
                }
            }
        }

        if (photons <= 0)
        {
            throw new InvalidInputException("input", "the data have no photons at measured pixels", "check the mask and the input");
        }

        var size = ObjectSize;
        if (size <= 0)
        {
            size = Autocorrelation.EstimateObjectSize(Autocorrelation.Compute(data.Intensity, data.Mask, data.Shape.Ny, data.Shape.Nx), data.Shape.Ny, data.Shape.Nx);
        }

        return new SimulationSpec(data.Shape.Ny, data.Shape.Nx, size, photons, (uint[])data.Mask.Clone());
    }

    /// <summary>The training plan for <paramref name="data"/>.</summary>
    internal TrainingPlan Plan(DiffractionData data) => new(Match(data), Patterns, Samples, Trees, Leaves, Seed);
}
