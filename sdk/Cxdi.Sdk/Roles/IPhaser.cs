using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;

namespace Cxdi.Sdk.Roles;

/// <summary>Recovers the object from diffraction intensities: many random starts, selection, alignment, averaging.</summary>
public interface IPhaser : IPlugin
{
    /// <summary>Declares the object-space output for a detector-space input; throw <see cref="Errors.WorkflowShapeException"/> when it cannot accept it.</summary>
    DataSpec Plan(DataSpec input, PluginOptions options);

    /// <summary>Runs phase retrieval. Finished runs may be written as they complete through <see cref="StepContext.Output"/>.</summary>
    ReconstructionSet Reconstruct(DiffractionData data, PluginOptions options, StepContext context);

    /// <summary>True when the phaser takes a stack of 2D frames (frames along the first axis, e.g. a time-resolved series) rather than one 2D or 3D pattern: the host then does not require a 3D input to have enough frames to be a 3D pattern.</summary>
    bool TakesFrameStack => false;
}

/// <summary>Base phaser with typed options; <see cref="Plan(DataSpec, TOptions)"/> defaults to "detector in, complex object of the same shape out".</summary>
public abstract class PhaserBase<TOptions> : IPhaser
    where TOptions : PluginOptions, new()
{
    /// <inheritdoc />
    public Type OptionsType => typeof(TOptions);

    /// <inheritdoc />
    public DataSpec Plan(DataSpec input, PluginOptions options) => Plan(input, (TOptions)options);

    /// <inheritdoc />
    public ReconstructionSet Reconstruct(DiffractionData data, PluginOptions options, StepContext context) => Reconstruct(data, (TOptions)options, context);

    /// <inheritdoc />
    public virtual bool TakesFrameStack => false;

    /// <summary>Typed <see cref="IPhaser.Plan"/>.</summary>
    protected virtual DataSpec Plan(DataSpec input, TOptions options)
    {
        Errors.WorkflowShapeException.ThrowUnlessDetector(input);
        return new DataSpec(DataSpace.Object, input.Shape, IsComplex: true);
    }

    /// <summary>Typed <see cref="IPhaser.Reconstruct"/>.</summary>
    protected abstract ReconstructionSet Reconstruct(DiffractionData data, TOptions options, StepContext context);
}
