using Cxdi.Sdk.Data;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cxdi.Sdk.Execution;

/// <summary>What the host gives a plugin call: cancellation, progress, logging, where outputs go, and access to other plugins by id.</summary>
public sealed class StepContext
{
    /// <summary>Cancelled on Ctrl+C or when the run is stopped; long loops check it at least once per iteration block.</summary>
    public CancellationToken Cancellation { get; init; }

    /// <summary>Progress sink (CLI progress lines, TUI run monitor).</summary>
    public IProgress<ProgressReport> Progress { get; init; } = NullProgress.Instance;

    /// <summary>Logger for this step.</summary>
    public ILogger Logger { get; init; } = NullLogger.Instance;

    /// <summary>Id of the step as written in the workflow (its <c>id:</c> or plugin id).</summary>
    public string StepId { get; init; } = "";

    /// <summary>Writes intermediate results (e.g. each finished run) with the workflow's writers as soon as they exist, so an interrupted run keeps them; null when the caller wants no files.</summary>
    public IOutputSink? Output { get; init; }

    /// <summary>Other plugins by id (a phaser asking for a support finder); null outside a host.</summary>
    public IPluginResolver? Plugins { get; init; }

    /// <summary>Requested compute backend id (<c>cpu</c>, <c>cpu-managed</c>, <c>gpu</c>…) from the command line or environment; null for the best available.</summary>
    public string? Backend { get; init; }

    /// <summary>What is being run (command line, software version, resolved workflow) for result files to record; null outside a workflow.</summary>
    public RunInfo? Run { get; init; }

    /// <summary>A context that reports nowhere and never cancels, for tests and scripts.</summary>
    public static StepContext None { get; } = new();
}

/// <summary>What a result file records so it can be reproduced from itself.</summary>
/// <param name="Command">The command line that started the run.</param>
/// <param name="SoftwareVersion">Workbench version.</param>
/// <param name="WorkflowYaml">The resolved workflow (every default and <c>--set</c> applied) as YAML.</param>
public sealed record RunInfo(string Command, string SoftwareVersion, string WorkflowYaml);

/// <summary>Receives intermediate items and writes them with the workflow's writers.</summary>
public interface IOutputSink
{
    /// <summary>Writes <paramref name="item"/> under <paramref name="name"/> (a file stem such as <c>run_03</c>) and returns the files written.</summary>
    IReadOnlyList<string> Write(DataItem item, string name);
}

/// <summary>Resolves other plugins by id.</summary>
public interface IPluginResolver
{
    /// <summary>Creates the plugin <paramref name="id"/> as <typeparamref name="T"/> with its options bound from <paramref name="options"/> (YAML-style keys); throws <see cref="Errors.PluginNotFoundException"/> when absent.</summary>
    (T Plugin, Plugins.PluginOptions Options) Resolve<T>(string id, IReadOnlyDictionary<string, object?>? options = null)
        where T : class, Plugins.IPlugin;

    /// <summary>The phasing operators registered by every loaded plugin (<c>ER</c>, <c>HIO</c>, a third party's <c>ASR</c>…); null when the resolver knows none.</summary>
    Phasing.OperatorRegistry? Operators => null;

    /// <summary>Creates a compute backend: <paramref name="id"/> when given, else the <c>CXDI_BACKEND</c> environment variable, else the best available, else the managed CPU backend.</summary>
    Compute.IComputeBackend CreateBackend(string? id = null);
}

/// <summary>A progress sink that drops reports.</summary>
public sealed class NullProgress : IProgress<ProgressReport>
{
    /// <summary>The single instance.</summary>
    public static NullProgress Instance { get; } = new();

    /// <inheritdoc />
    public void Report(ProgressReport value)
    {
    }
}
