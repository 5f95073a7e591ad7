using Cxdi.Host.Options;
using Cxdi.Host.Plugins;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;

namespace Cxdi.Host.Workflows;

/// <summary>A plugin chosen for one position of the workflow, created and with its options bound.</summary>
/// <param name="StepId">Step id (the input is <c>input</c>, writers are their ids).</param>
/// <param name="Descriptor">The plugin.</param>
/// <param name="Plugin">The instance.</param>
/// <param name="Options">Bound options and their resolved key → value map.</param>
/// <param name="Where">Location for messages (<c>file:line:col</c>).</param>
public sealed record PlannedPlugin(string StepId, PluginDescriptor Descriptor, IPlugin Plugin, BoundOptions Options, string Where)
{
    /// <summary>The provenance record of this step.</summary>
    public AppliedStep Applied => new(Descriptor.Id, Descriptor.Version, Options.Resolved);
}

/// <summary>A validated, dry-run workflow ready to execute.</summary>
public sealed class WorkflowPlan
{
    /// <summary>The document it came from.</summary>
    public required WorkflowDocument Document { get; init; }

    /// <summary>The reader.</summary>
    public required PlannedPlugin Input { get; init; }

    /// <summary>What the reader reads (absolute file, inner path); empty file for generators.</summary>
    public required DataPath Source { get; init; }

    /// <summary>Declared output of the reader and of each step, from the dry run.</summary>
    public required IReadOnlyList<DataSpec> Specs { get; init; }

    /// <summary>The steps in order.</summary>
    public required IReadOnlyList<PlannedPlugin> Steps { get; init; }

    /// <summary>The writers of the final and intermediate items.</summary>
    public required IReadOnlyList<PlannedPlugin> Writers { get; init; }

    /// <summary>Absolute output directory.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>The resolved workflow (reader detected, every default and override applied, absolute paths) as YAML.</summary>
    public required string ResolvedYaml { get; init; }

    /// <summary>The reader as <see cref="IDataReader"/>.</summary>
    public IDataReader Reader => (IDataReader)Input.Plugin;
}
