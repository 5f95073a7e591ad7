using Cxdi.Host.Workflows;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Roles;

namespace Cxdi.Host.Execution;

/// <summary>
/// Writes items with every configured writer that accepts them, under one output directory, and remembers the files written.
/// Thread-safe. With <paramref name="deferErrors"/> (the sink handed to plugins, which may call it from their own threads)
/// a failing writer does not throw into the plugin: the first failure is kept in <see cref="Failure"/> for the host to raise
/// once the step returns, and the other writers still run.
/// </summary>
public sealed class OutputSink(string directory, IReadOnlyList<PlannedPlugin> writers, Func<StepContext> contextFactory, bool deferErrors = false) : IOutputSink
{
    private readonly List<string> _files = [];
    private readonly List<(Reconstruction Run, List<string> Files)> _runs = [];
    private readonly Lock _lock = new();
    private CxdiException? _failure;

    /// <summary>The first writer failure when errors are deferred, else null.</summary>
    public CxdiException? Failure
    {
        get
        {
            lock (_lock)
            {
                return _failure;
            }
        }
    }

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

    /// <summary>
    /// The runs written so far (items holding a single run, as a phaser writes each run once it finishes), with their
    /// files: what <c>summary.json</c> lists when the phaser is cancelled or fails before it returns its set.
    /// </summary>
    public IReadOnlyList<(Reconstruction Run, IReadOnlyList<string> Files)> WrittenRuns
    {
        get
        {
            lock (_lock)
            {
                return [.. _runs.Select(r => (r.Run, (IReadOnlyList<string>)[.. r.Files]))];
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
            try
            {
                written.AddRange(WriteOne(writer, item, name));
            }
            catch (CxdiException e) when (deferErrors)
            {
                lock (_lock)
                {
                    _failure ??= e;
                }
            }
        }

        lock (_lock)
        {
            _files.AddRange(written);
            if (item is ReconstructionSet { Runs: [var run] } && written.Count > 0)
            {
                var index = _runs.FindIndex(r => ReferenceEquals(r.Run, run));
                if (index < 0)
                {
                    _runs.Add((run, [.. written]));
                }
                else
                {
                    _runs[index].Files.AddRange(written);
                }
            }
        }

        return written;
    }

    private IReadOnlyList<string> WriteOne(PlannedPlugin writer, DataItem item, string name)
    {
        var w = (IDataWriter)writer.Plugin;
        if (!PluginGuard.Call(writer.Descriptor.Id, () => w.CanWrite(item)))
        {
            return [];
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
        catch (OperationCanceledException e)
        {
            throw new PluginFaultException(writer.Descriptor.Id, $"stopped writing {name} on cancellation; writers finish what they start", e);
        }

        return files ?? throw new PluginFaultException(writer.Descriptor.Id, $"wrote {name} but returned no file list");
    }
}
