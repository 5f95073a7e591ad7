using Cxdi.Plugins.Formats.Edf;
using Cxdi.Plugins.Formats.Hdf5;
using Cxdi.Plugins.Formats.Numpy;
using Cxdi.Plugins.Formats.Tiff;
using Cxdi.Plugins.Formats.Writers;
using Cxdi.Sdk.Plugins;
using Microsoft.Extensions.DependencyInjection;

namespace Cxdi.Plugins.Formats;

/// <summary>Registers the built-in file format readers and writers.</summary>
public sealed class FormatsModule : ICxdiPluginModule
{
    /// <inheritdoc />
    public void Configure(IServiceCollection services)
    {
        services.AddCxdiPlugin<EdfReader>();
        services.AddCxdiPlugin<Hdf5Reader>();
        services.AddCxdiPlugin<NpyReader>();
        services.AddCxdiPlugin<TiffReader>();
        services.AddCxdiPlugin<CxiWriter>();
        services.AddCxdiPlugin<NpyWriter>();
    }
}
