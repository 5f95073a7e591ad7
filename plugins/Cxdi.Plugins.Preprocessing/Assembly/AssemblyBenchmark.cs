using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Preprocessing.Assembly;

/// <summary>What one benchmark run measured.</summary>
/// <param name="Frames">Frames assembled.</param>
/// <param name="Pixels">Detector pixels per side.</param>
/// <param name="Size">Grid voxels per side.</param>
/// <param name="Threads">Worker threads (0: all cores).</param>
/// <param name="Seconds">Wall time of the assembly (frames generated on the fly, outside no I/O).</param>
/// <param name="FilledFraction">Fraction of voxels reached.</param>
public sealed record AssemblyBenchmarkResult(int Frames, int Pixels, int Size, int Threads, double Seconds, double FilledFraction)
{
    /// <summary>One line for logs and the bench harness.</summary>
    public override string ToString() => $"assembled {Frames} frames of {Pixels}² into {Size}³ in {Seconds:F2} s ({(Threads > 0 ? Threads.ToString(System.Globalization.CultureInfo.InvariantCulture) : "all")} threads, {FilledFraction:P1} of voxels filled)";
}

/// <summary>
/// A synthetic rotation series for timing <see cref="EwaldAssembler"/>: frames of a speckle-like pattern (λ = 1.55 Å,
/// D = 5 m, 75 µm pixels) at equally spaced angles over 180° about the vertical axis, generated one at a time so only the
/// volume is held in memory. Entry point for the bench harness and <c>cxdi assemble --benchmark</c>.
/// </summary>
public static class AssemblyBenchmark
{
    /// <summary>Assembles <paramref name="frames"/> synthetic frames of <paramref name="pixels"/>² into <paramref name="size"/>³ voxels and reports the time.</summary>
    public static AssemblyBenchmarkResult Run(int frames = 181, int pixels = 512, int size = 256, int threads = 0, bool offsetCorrection = true, CancellationToken cancellation = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(frames, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(pixels, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 2);
        var angles = Enumerable.Range(0, frames).Select(f => frames == 1 ? 0 : (-90.0 + (180.0 * f / (frames - 1))) * Math.PI / 180).ToArray();
        var geometry = new TiltSeriesGeometry(1.55e-10, 5, 75e-6, 75e-6, pixels / 2, pixels / 2, pixels, pixels, angles, [0, 1, 0]);

        // A speckle-like pattern: a radial envelope times fringes whose phase changes with the frame.
        var radius = new float[pixels * pixels];
        for (var y = 0; y < pixels; y++)
        {
            for (var x = 0; x < pixels; x++)
            {
                radius[(y * pixels) + x] = MathF.Sqrt(((x - (pixels / 2)) * (x - (pixels / 2))) + ((y - (pixels / 2)) * (y - (pixels / 2))));
            }
        }

        var result = EwaldAssembler.Assemble(geometry, (f, intensity, mask) =>
        {
            var phase = 0.1f * f;
            for (var p = 0; p < intensity.Length; p++)
            {
                var r = radius[p];
                intensity[p] = 1e4f / (1 + (r * r / 400)) * (1.1f + MathF.Cos((0.3f * r) + phase));
            }
        }, size, flatEwald: false, offsetCorrection, threads, progress: null, cancellation);
        return new AssemblyBenchmarkResult(frames, pixels, size, threads, result.Seconds, (double)result.FilledVoxels / ((long)size * size * size));
    }
}
