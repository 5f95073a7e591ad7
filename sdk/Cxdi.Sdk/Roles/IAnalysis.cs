using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;

namespace Cxdi.Sdk.Roles;

/// <summary>Measures something on a data item (PRTF, resolution, oversampling check) and records it in <see cref="DataItem.Findings"/>; the item flows on unchanged otherwise.</summary>
public interface IAnalysis : IPlugin
{
    /// <summary>True when this analysis accepts items of this spec (for the dry run).</summary>
    bool Accepts(DataSpec input);

    /// <summary>Analyses <paramref name="item"/> and returns it (usually the same instance) with its findings added.</summary>
    DataItem Analyse(DataItem item, PluginOptions options, StepContext context);
}
