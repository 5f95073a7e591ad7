using Cxdi.Sdk.Data;

namespace Cxdi.Sdk.Execution;

/// <summary>One progress event: a message, and for phasing the run, cycle and current metrics. Unused fields stay null.</summary>
/// <param name="Step">Step id.</param>
/// <param name="Message">Human-readable line.</param>
public sealed record ProgressReport(string Step, string Message)
{
    /// <summary>Fraction of the step done, 0 … 1.</summary>
    public double? Fraction { get; init; }

    /// <summary>Run index, from 0.</summary>
    public int? Run { get; init; }

    /// <summary>Number of runs.</summary>
    public int? RunCount { get; init; }

    /// <summary>Cycles done in this run.</summary>
    public int? Cycle { get; init; }

    /// <summary>Cycles planned for this run.</summary>
    public int? CycleCount { get; init; }

    /// <summary>Current Poisson log-likelihood per pixel.</summary>
    public double? Llk { get; init; }

    /// <summary>Current free log-likelihood per held-out pixel.</summary>
    public double? FreeLlk { get; init; }

    /// <summary>Current support size in pixels.</summary>
    public long? SupportSize { get; init; }

    /// <summary>State of the run.</summary>
    public RunState? State { get; init; }

    /// <summary>Optional small preview of the current object (amplitude), for live pictures; null most of the time.</summary>
    public Reconstruction? Snapshot { get; init; }
}
