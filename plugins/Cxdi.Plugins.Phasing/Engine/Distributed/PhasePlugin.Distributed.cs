using Cxdi.Plugins.Phasing.Engine.Distributed;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Microsoft.Extensions.Logging;

namespace Cxdi.Plugins.Phasing.Engine;

/// <summary>
/// Splitting the random starts over processes (<c>runs_slice</c>, <c>runs_dir</c>) and merging them again
/// (<c>merge_only</c>): a slice phases its runs with the seeds a full run gives them and saves each one exactly; the merge
/// reads every run back and selects, aligns and averages them with the code a full run uses, so a split run ends with the
/// same result as a local one.
/// </summary>
public sealed partial class PhasePlugin
{
    /// <summary>The run indices this call phases (none for a merge) and the recipe saved runs must share.</summary>
    private static (int[] Indices, string Recipe) Distribute(DiffractionData data, PhaseOptions options)
    {
        var recipe = string.IsNullOrWhiteSpace(options.RunsDir) ? "" : RunStore.Recipe(options, data);
        if (options.MergeOnly)
        {
            return ([], recipe);
        }

        if (options.RunsSlice is { Length: > 0 } text)
        {
            // Validated with the options; parsed again here because the plugin gets the bound record only.
            _ = RunSlice.TryParse(text, options.Runs, out var slice, out _);
            return (slice.Indices, recipe);
        }

        return ([.. Enumerable.Range(0, options.Runs)], recipe);
    }

    /// <summary>Saves a finished or failed run to <c>runs_dir</c> when set (a cancelled run is not saved: it is phased again).</summary>
    private static void SaveRun(PhaseOptions options, Reconstruction run, string recipe, StepContext context)
    {
        if (string.IsNullOrWhiteSpace(options.RunsDir) || run.State is not (RunState.Finished or RunState.Failed))
        {
            return;
        }

        var path = RunStore.Save(options.RunsDir, run, recipe);
        context.Logger.LogInformation("run {Index:D2} saved to {Path}", run.Index, path);
    }

    /// <summary>Reads runs 0 … runs−1 from <c>runs_dir</c> for a merge.</summary>
    private static Reconstruction[] LoadRuns(DiffractionData data, PhaseOptions options, string recipe, StepContext context)
    {
        var runs = RunStore.LoadAll(options.RunsDir!, options.Runs, data.Shape, options.Seed, recipe);
        Report(context, $"merge_only: read {runs.Length} saved runs from {Path.GetFullPath(options.RunsDir!)}", null, options.Runs, null);
        return runs;
    }

    /// <summary>The set a slice returns: its runs, finished but neither selected nor averaged.</summary>
    private static ReconstructionSet SliceResult(ReconstructionSet set, PhaseOptions options, StepContext context)
    {
        set.Findings["cxdi.phase"] = new Dictionary<string, object>
        {
            ["runs_slice"] = options.RunsSlice!,
            ["runs"] = set.Runs.Select(r => r.Index).ToArray(),
            ["finished"] = set.Runs.Count(r => r.State == RunState.Finished),
            ["failed"] = set.Runs.Count(r => r.State == RunState.Failed),
            ["runs_dir"] = string.IsNullOrWhiteSpace(options.RunsDir) ? "" : Path.GetFullPath(options.RunsDir),
        };
        foreach (var run in set.Runs)
        {
            Report(context, $"run {run.Index:D2}: {run.State.ToString().ToLowerInvariant()}", run.Index, options.Runs, run.State, run);
        }

        Report(context, $"{set.Runs.Count(r => r.State == RunState.Finished)} run(s) of slice {options.RunsSlice} finished; selection and averaging are left to the merge", null, options.Runs, null);
        return set;
    }
}
