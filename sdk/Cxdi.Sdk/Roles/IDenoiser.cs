using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;

namespace Cxdi.Sdk.Roles;

/// <summary>Reduces noise in diffraction data (e.g. an ML model); unknown pixels must stay flagged, never invented silently.</summary>
public interface IDenoiser : IPlugin
{
    /// <summary>Returns denoised data of the same shape.</summary>
    DiffractionData Denoise(DiffractionData input, PluginOptions options, StepContext context);
}
