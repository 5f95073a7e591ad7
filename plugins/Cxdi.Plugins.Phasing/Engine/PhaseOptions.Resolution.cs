using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Cxdi.Plugins.Phasing.Engine;

/// <summary>Options of <c>cxdi.phase</c> for the resolution checks that cost extra runs.</summary>
public sealed partial record PhaseOptions
{
    /// <summary>Phase two disjoint halves of the measured pixels and report the FSC between them.</summary>
    [Description("Resolution from the data alone: split the measured Fourier pixels into two disjoint halves (seeded random, each pixel with its Friedel mate −q), phase each half with the other half unknown using the same recipe and starting support for fsc_pixel_halves_runs runs, take the best run of each half (free LLK, or LLK without free pixels), align the second on the first and write their Fourier shell correlation and its 1/7 cut-off (findings fsc_half_pixels, result_fsc.png). Costs 2 × fsc_pixel_halves_runs extra runs; runs in a full run or a merge_only step, never in a runs_slice task. Neighbouring pixels of an oversampled pattern are correlated, so the halves are not independent measurements: read the cut-off as an upper bound.")]
    public bool FscPixelHalves { get; init; }

    /// <summary>Runs per half of the pixel-halves FSC.</summary>
    [Description("Random starts phased for each half when fsc_pixel_halves is on (seeds seed + 200000 + i for the first half, seed + 300000 + i for the second, distinct from the main and search runs); the best of each half is used. More runs make a failed start less likely, at the cost of one run each.")]
    [Range(1, 100)]
    public int FscPixelHalvesRuns { get; init; } = 2;
}
