using System.Globalization;
using System.Reflection;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Microsoft.Extensions.Logging;

namespace Cxdi.Plugins.Preprocessing.Common;

/// <summary>Records what a step did: a sentence to the logger and progress sink, and the numbers in <see cref="DataItem.Findings"/>.</summary>
internal static class StepLog
{
    /// <summary>The stable id of a plugin type, from its <see cref="CxdiPluginAttribute"/>.</summary>
    public static string IdOf(Type pluginType) => pluginType.GetCustomAttribute<CxdiPluginAttribute>()?.Id ?? pluginType.Name;

    /// <summary>
    /// Stores <paramref name="values"/> under the plugin id in the item's findings (a second application of the same plugin
    /// is stored as <c>id#2</c>, …), logs <paramref name="message"/> and reports it as progress.
    /// </summary>
    public static void Record(DataItem item, StepContext context, string pluginId, string message, IReadOnlyDictionary<string, object> values)
    {
        var entry = new Dictionary<string, object>(values, StringComparer.Ordinal) { ["message"] = message };
        var key = pluginId;
        for (var n = 2; item.Findings.ContainsKey(key); n++)
        {
            key = string.Create(CultureInfo.InvariantCulture, $"{pluginId}#{n}");
        }

        item.Findings[key] = entry;
        context.Logger.LogInformation("{Step}: {Message}", pluginId, message);
        context.Progress.Report(new ProgressReport(string.IsNullOrEmpty(context.StepId) ? pluginId : context.StepId, message) { Fraction = 1.0 });
    }

    /// <summary>Formats a number with the invariant culture.</summary>
    public static string F(double value, string format = "G4") => value.ToString(format, CultureInfo.InvariantCulture);
}
