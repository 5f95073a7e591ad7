using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;

namespace Cxdi.Sdk.Roles;

/// <summary>Finds an initial object-space support for diffraction data; as a workflow step it sets <see cref="DiffractionData.InitialSupport"/>.</summary>
public interface ISupportFinder : IPlugin
{
    /// <summary>Returns a support of the data's shape, 1 inside. Throws <see cref="Errors.SupportException"/> when none can be found.</summary>
    byte[] FindSupport(DiffractionData data, PluginOptions options, StepContext context);
}

/// <summary>Base support finder with typed options.</summary>
public abstract class SupportFinderBase<TOptions> : ISupportFinder
    where TOptions : PluginOptions, new()
{
    /// <inheritdoc />
    public Type OptionsType => typeof(TOptions);

    /// <inheritdoc />
    public byte[] FindSupport(DiffractionData data, PluginOptions options, StepContext context) => FindSupport(data, (TOptions)options, context);

    /// <summary>Typed <see cref="ISupportFinder.FindSupport"/>.</summary>
    protected abstract byte[] FindSupport(DiffractionData data, TOptions options, StepContext context);
}
