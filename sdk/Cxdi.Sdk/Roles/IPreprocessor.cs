using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;

namespace Cxdi.Sdk.Roles;

/// <summary>Turns diffraction data into diffraction data (masks, corrections, crop, bin, assembly). Records itself in the provenance via the host.</summary>
public interface IPreprocessor : IPlugin
{
    /// <summary>Declares the output for a given input without touching data; throw <see cref="Errors.WorkflowShapeException"/> when the input cannot be accepted.</summary>
    DataSpec Plan(DataSpec input, PluginOptions options);

    /// <summary>Applies the step. May return <paramref name="input"/> modified in place or a new instance.</summary>
    DiffractionData Apply(DiffractionData input, PluginOptions options, StepContext context);
}

/// <summary>Base preprocessor: override <see cref="Apply(DiffractionData, TOptions, StepContext)"/>; <see cref="Plan(DataSpec, TOptions)"/> defaults to "same as input, detector space required".</summary>
public abstract class PreprocessorBase<TOptions> : IPreprocessor
    where TOptions : PluginOptions, new()
{
    /// <inheritdoc />
    public Type OptionsType => typeof(TOptions);

    /// <inheritdoc />
    public DataSpec Plan(DataSpec input, PluginOptions options) => Plan(input, (TOptions)options);

    /// <inheritdoc />
    public DiffractionData Apply(DiffractionData input, PluginOptions options, StepContext context) => Apply(input, (TOptions)options, context);

    /// <summary>Typed <see cref="IPreprocessor.Plan"/>.</summary>
    protected virtual DataSpec Plan(DataSpec input, TOptions options)
    {
        Errors.WorkflowShapeException.ThrowUnlessDetector(input);
        return input;
    }

    /// <summary>Typed <see cref="IPreprocessor.Apply"/>.</summary>
    protected abstract DiffractionData Apply(DiffractionData input, TOptions options, StepContext context);
}
