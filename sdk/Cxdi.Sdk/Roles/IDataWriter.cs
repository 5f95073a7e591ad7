using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;

namespace Cxdi.Sdk.Roles;

/// <summary>Writes a data item (diffraction data, one reconstruction, a reconstruction set) to files. Writers write atomically (temp file + rename).</summary>
public interface IDataWriter : IPlugin
{
    /// <summary>True when this writer can write items of this kind.</summary>
    bool CanWrite(DataItem item);

    /// <summary>Writes <paramref name="item"/> to files named from <paramref name="basePath"/> (directory + stem, no extension) and returns the paths written.</summary>
    IReadOnlyList<string> Write(DataItem item, string basePath, PluginOptions options, StepContext context);
}

/// <summary>Base writer with typed options.</summary>
public abstract class DataWriterBase<TOptions> : IDataWriter
    where TOptions : PluginOptions, new()
{
    /// <inheritdoc />
    public Type OptionsType => typeof(TOptions);

    /// <inheritdoc />
    public abstract bool CanWrite(DataItem item);

    /// <inheritdoc />
    public IReadOnlyList<string> Write(DataItem item, string basePath, PluginOptions options, StepContext context) => Write(item, basePath, (TOptions)options, context);

    /// <summary>Typed <see cref="IDataWriter.Write"/>.</summary>
    protected abstract IReadOnlyList<string> Write(DataItem item, string basePath, TOptions options, StepContext context);
}
