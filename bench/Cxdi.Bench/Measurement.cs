namespace Cxdi.Bench;

/// <summary>
/// One thing to time: <see cref="Prepare"/> builds what it needs (plans, buffers) outside the timing and returns one
/// cycle to repeat (an FFT pair, a phasing iteration…) plus what to dispose afterwards.
/// </summary>
/// <param name="Size">Data shape, e.g. "512x512".</param>
/// <param name="Algorithm">What one cycle does, e.g. "fft-pair".</param>
/// <param name="Backend">Which implementation, e.g. "fftw" or "managed".</param>
/// <param name="Prepare">Set-up returning the cycle and its resources.</param>
/// <param name="Reference">Backend whose time is the denominator of <see cref="Result.Ratio"/> for the same size and algorithm.</param>
internal sealed record Measurement(string Size, string Algorithm, string Backend, Func<PreparedCycle> Prepare, string? Reference);

/// <summary>
/// A cycle ready to be timed, the resources to release afterwards, and a correctness check run after the timing
/// that returns null when the result is right (e.g. an FFT pair gives back its input) or says what is wrong.
/// </summary>
internal sealed record PreparedCycle(Action Cycle, IDisposable Resources, string Detail, Func<string?> Check);

/// <summary>A timed measurement as written to the JSON file.</summary>
/// <param name="Size">Data shape.</param>
/// <param name="Algorithm">What one cycle does.</param>
/// <param name="Backend">Which implementation.</param>
/// <param name="MsPerCycle">Median over repetitions of the mean time per cycle, in milliseconds.</param>
/// <param name="FloorMs">Fastest repetition's mean time per cycle, in milliseconds (the least-disturbed run).</param>
/// <param name="Ratio">MsPerCycle divided by the reference backend's for the same size and algorithm (null without one).</param>
/// <param name="Detail">Engine description (implementation, threads, planner).</param>
internal sealed record Result(string Size, string Algorithm, string Backend, double MsPerCycle, double FloorMs, double? Ratio, string Detail);
