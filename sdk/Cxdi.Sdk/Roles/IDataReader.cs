using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;

namespace Cxdi.Sdk.Roles;

/// <summary>Reads measured (or simulated) diffraction data. Facilities add their detector formats by implementing this.</summary>
public interface IDataReader : IPlugin
{
    /// <summary>True when this reader recognises the file by content (<paramref name="head"/>: its first bytes, up to 4 KiB) and, secondarily, its name.</summary>
    bool CanRead(string path, ReadOnlySpan<byte> head);

    /// <summary>Reads only headers to declare what <see cref="Read"/> will return, for the dry run. Throws <see cref="Errors.InvalidInputException"/> on bad input.</summary>
    DataSpec Probe(DataPath source, PluginOptions options);

    /// <summary>Reads the data. Throws <see cref="Errors.InvalidInputException"/> or <see cref="Errors.UnsupportedFormatException"/> on bad input.</summary>
    DiffractionData Read(DataPath source, PluginOptions options, StepContext context);
}

/// <summary>A file and, for container formats, a path inside it, written <c>file.h5:/entry_1/data_1/data</c>.</summary>
/// <param name="File">Path of the file (absolute once resolved by the host); empty for generated data.</param>
/// <param name="Inner">Path inside the file (HDF5 dataset, NPZ member), or null.</param>
public sealed record DataPath(string File, string? Inner = null)
{
    /// <summary>Splits <c>file:/inner</c> at the last ":/" that follows an existing-file prefix; a Windows drive letter is never split.</summary>
    public static DataPath Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var cut = text.IndexOf(":/", StringComparison.Ordinal);
        while (cut > 1)
        {
            var file = text[..cut];
            if (System.IO.File.Exists(file))
            {
                return new DataPath(file, text[(cut + 1)..]);
            }

            cut = text.IndexOf(":/", cut + 2, StringComparison.Ordinal);
        }

        return new DataPath(text);
    }

    /// <summary>"file" or "file:/inner".</summary>
    public override string ToString() => Inner is null ? File : $"{File}:{Inner}";
}

/// <summary>Base reader: override <see cref="Read(DataPath, TOptions, StepContext)"/>, <see cref="Probe(DataPath, TOptions)"/> and <see cref="CanRead"/>.</summary>
public abstract class DataReaderBase<TOptions> : IDataReader
    where TOptions : PluginOptions, new()
{
    /// <inheritdoc />
    public Type OptionsType => typeof(TOptions);

    /// <summary>False for readers that generate data (simulators) and need no file.</summary>
    public virtual bool RequiresFile => true;

    /// <inheritdoc />
    public abstract bool CanRead(string path, ReadOnlySpan<byte> head);

    /// <inheritdoc />
    public DataSpec Probe(DataPath source, PluginOptions options) => Probe(source, (TOptions)options);

    /// <inheritdoc />
    public DiffractionData Read(DataPath source, PluginOptions options, StepContext context) => Read(source, (TOptions)options, context);

    /// <summary>Typed <see cref="IDataReader.Probe"/>.</summary>
    protected abstract DataSpec Probe(DataPath source, TOptions options);

    /// <summary>Typed <see cref="IDataReader.Read"/>.</summary>
    protected abstract DiffractionData Read(DataPath source, TOptions options, StepContext context);
}
