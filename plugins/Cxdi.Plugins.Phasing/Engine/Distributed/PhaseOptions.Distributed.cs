using System.ComponentModel;
using Cxdi.Plugins.Phasing.Engine.Distributed;
using Cxdi.Sdk.Plugins;

namespace Cxdi.Plugins.Phasing.Engine;

/// <summary>Options of <c>cxdi.phase</c> that split the random starts over several processes (SLURM array tasks) and merge them again.</summary>
public sealed partial record PhaseOptions
{
    /// <summary>Runs this process phases, as <c>FIRST-LAST</c> (inclusive, from 0) or one index; null = all.</summary>
    [Description("Only the runs FIRST-LAST (inclusive, from 0; e.g. 4-7, or 3): seeds stay seed + index, so a slice gives exactly the runs a full run gives; nothing is selected or averaged (a later merge_only step does that). Set by cxdi submit for each array task.")]
    public string? RunsSlice { get; init; }

    /// <summary>Folder where each finished run is saved exactly (object, support, metrics) for a later merge.</summary>
    [Description("Folder where every finished or failed run is saved bit for bit as run_NN.cxdirun, for a later merge_only step (any keep, no re-phasing); empty = not saved.")]
    public string? RunsDir { get; init; }

    /// <summary>Read runs 0 … runs−1 from <see cref="RunsDir"/> instead of phasing, then select, align, average and compute the PRTF.</summary>
    [Description("Phase nothing: read runs 0 … runs-1 saved in runs_dir (by runs_slice tasks or an earlier run) and select, align, average and compute the PRTF exactly as a full run does. Set by cxdi submit for the merge job.")]
    public bool MergeOnly { get; init; }

    /// <summary>The problems of the slice and merge options, with the option each concerns.</summary>
    internal IEnumerable<OptionProblem> DistributedProblems()
    {
        if (RunsSlice is { Length: > 0 } text && !RunSlice.TryParse(text, Runs, out _, out var why))
        {
            yield return new OptionProblem(nameof(RunsSlice), why);
        }

        if (MergeOnly && string.IsNullOrWhiteSpace(RunsDir))
        {
            yield return new OptionProblem(nameof(MergeOnly), "merge_only needs runs_dir, the folder holding the saved runs");
        }

        if (MergeOnly && RunsSlice is { Length: > 0 })
        {
            yield return new OptionProblem(nameof(RunsSlice), "runs_slice and merge_only exclude each other: a slice phases runs, a merge reads them");
        }
    }
}
