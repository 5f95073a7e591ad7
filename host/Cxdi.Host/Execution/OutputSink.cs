using Cxdi.Host.Workflows;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Roles;

namespace Cxdi.Host.Execution;

/// <summary>Writes items with every configured writer that accepts them, under one output directory, and remembers the files written. Thread-safe.</summary>
public sealed class OutputSink(string directory, IReadOnlyList<PlannedPlugin> writers, Func<StepContext> contextFactory) : IOutputSink
{
    private readonly List<string> _files = [];
    private readonly Lock _lock = new();

    /// <summary>The output directory.</summary>
    public string Directory { get; } = directory;

    /// <summary>Every file written so far, in order.</summary>
    public IReadOnlyList<string> Files
    {
        get
        {
            lock (_lock)
            {
                return [.. _files];
            }
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<string> Write(DataItem item, string name)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (string.IsNullOrWhiteSpace(name) || name.IndexOfAny(['/', '\\']) >= 0 || name.Contains("..", StringComparison.Ordinal))
        {
            throw new ArgumentException($"output name '{name}' must be a plain file stem such as run_03", nameof(name));
        }

        System.IO.Directory.CreateDirectory(Directory);
        var written = new List<string>();
        foreach (var writer in writers)
        {
            var w = (IDataWriter)writer.Plugin;
            if (!PluginGuard.Call(writer.Descriptor.Id, () => w.CanWrite(item)))
            {
                continue;
            }

            var context = contextFactory();
            IReadOnlyList<string> files;
            try
            {
                files = PluginGuard.Call(writer.Descriptor.Id, () => w.Write(item, Path.Combine(Directory, name), writer.Options.Options, context));
            }
            catch (PluginFaultException)
            {
                throw;
            }
            catch (CxdiException e)
            {
                throw new PluginFaultException(writer.Descriptor.Id, $"could not write {name}: {e.OneLine}", e);
            }

            if (files is null)
            {
                throw new PluginFaultException(writer.Descriptor.Id, $"wrote {name} but returned no file list");
            }

            written.AddRange(files);
        }

        lock (_lock)
        {
            _files.AddRange(written);
        }

        return written;
    }
}
