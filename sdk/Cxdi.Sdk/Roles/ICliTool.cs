using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;

namespace Cxdi.Sdk.Roles;

/// <summary>
/// A plugin that adds a <c>cxdi</c> sub-command (e.g. <c>cxdi plan</c>, <c>cxdi simulate</c>). The host makes one
/// <c>--kebab-case</c> command-line option per property of <see cref="IPlugin.OptionsType"/>, binds the values with the
/// same strict binder as workflow options, and runs the tool.
/// </summary>
public interface ICliTool : IPlugin
{
    /// <summary>The sub-command name, one lower-case word (<c>plan</c>).</summary>
    string Command { get; }

    /// <summary>True (the default) when the tool writes files through <see cref="StepContext.Output"/>, so the host offers <c>--out DIR</c>; false hides that option.</summary>
    bool WritesOutput => true;

    /// <summary>Runs the tool, writing human (or JSON) output to <paramref name="output"/>; returns the process exit code (0 success, 1 failure, 2 bad input).</summary>
    int Run(PluginOptions options, TextWriter output, StepContext context);
}
