namespace Cxdi.Plugins.Phasing.Bench;

/// <summary>
/// A cycle ready to be timed, the resources to release afterwards, and a correctness check run after the timing
/// that returns null when the result is right (e.g. an FFT pair gives back its input) or says what is wrong.
/// </summary>
internal sealed record PreparedCycle(Action Cycle, IDisposable Resources, string Detail, Func<string?> Check);

/// <summary>A timed measurement as written to the JSON file and printed in the table.</summary>
/// <param name="Size">Data shape, e.g. <c>512x512</c>.</param>
/// <param name="Algorithm">What one cycle does: fft-pair, er, hio, raar, support-update, logo-recipe, logo-recipe-throughput, memory.</param>
/// <param name="Backend">fftw or managed (the CPU backend's FFT engine).</param>
/// <param name="MsPerCycle">Median over repetitions of the mean time per cycle, in milliseconds (ms per run for logo-recipe, wall ms / runs for logo-recipe-throughput, the run for memory).</param>
/// <param name="FloorMs">The floor measured in the same run: FFT pair of the same engine and shape plus the memory floor (null where none applies).</param>
/// <param name="Ratio">MsPerCycle / FloorMs (fft-pair: over the first backend's pair, FFTW when present).</param>
/// <param name="GbPerS">Bytes of the byte model per cycle divided by MsPerCycle, in GB/s (null where none applies).</param>
/// <param name="MinMs">Fastest repetition's mean time per cycle.</param>
/// <param name="FftMs">FFT pair part of the floor.</param>
/// <param name="MemoryFloorMs">Memory part of the floor: one fused SIMD streaming pass over the buffers the cycle must touch.</param>
/// <param name="Detail">Engine, byte model and time splits.</param>
internal sealed record Result(
    string Size,
    string Algorithm,
    string Backend,
    double MsPerCycle,
    double? FloorMs,
    double? Ratio,
    double? GbPerS,
    double? MinMs,
    double? FftMs,
    double? MemoryFloorMs,
    string Detail)
{
    /// <summary>Memory rows: (peak − baseline resident bytes) / (8 B × voxels), i.e. in complex64 arrays of the data's shape.</summary>
    public double? PeakRatio { get; init; }

    /// <summary>Memory rows: peak resident memory (VmHWM) during the run, MiB.</summary>
    public double? PeakMib { get; init; }

    /// <summary>Memory rows: resident memory (VmRSS) just before the run, MiB.</summary>
    public double? BaselineMib { get; init; }
}

/// <summary>Median and fastest repetition of a timed cycle.</summary>
internal readonly record struct Timing(double Median, double Min);
