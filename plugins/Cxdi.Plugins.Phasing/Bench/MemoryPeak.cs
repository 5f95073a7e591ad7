using System.Diagnostics;
using System.Globalization;
using Cxdi.Plugins.Phasing.Compute;
using Cxdi.Plugins.Phasing.Engine;
using Cxdi.Plugins.Phasing.Fft;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Roles;

namespace Cxdi.Plugins.Phasing.Bench;

/// <summary>
/// Peak resident memory of one <c>cxdi.phase</c> run (runs 1, keep 1, "ER**10 * (Sup * HIO**10)**2") on synthetic
/// consistent 3D data, from Linux's <c>/proc/self/status</c>: the high-water mark is reset through
/// <c>/proc/self/clear_refs</c> once the input exists, so peak − baseline is what the run itself adds.
/// </summary>
internal static class MemoryPeak
{
    /// <summary>The operators of the measured run: cycles of both kinds and two support updates.</summary>
    public const string Operators = "ER**10 * (Sup * HIO**10)**2";

    private const string Status = "/proc/self/status";
    private const string ClearRefs = "/proc/self/clear_refs";

    /// <summary>
    /// Measures the run on <paramref name="backend"/> (fftw or managed); null (with a line on <paramref name="output"/>)
    /// where <c>/proc</c> cannot reset or report the high-water mark.
    /// </summary>
    public static Result? Measure(Shape shape, string backend, int threads, TextWriter output)
    {
        if (!CanMeasure(out var reason))
        {
            output.WriteLine($"memory skipped: {reason}");
            return null;
        }

        DiffractionData data;
        using (var generator = new CpuComputeBackend(backend == "managed" ? FftPreference.Managed : FftPreference.Fftw, threads))
        {
            data = PhasingBench.SynthesizeData(shape, generator);
        }

        var options = new PhaseOptions
        {
            Operators = Operators,
            Runs = 1,
            Keep = 1,
            Seed = 1,
            Threads = threads,
            ParallelRuns = 1,
            Backend = backend == "managed" ? "cpu-managed" : "cpu",
        };
        IPhaser phaser = new PhasePlugin();

        // Give freed memory back to the system (an aggressive collection decommits free GC regions), so memory an
        // earlier measurement left resident is not reused unseen by this run.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        TrimNativeHeap();
        File.WriteAllText(ClearRefs, "5");
        var (baseline, _) = Read();
        var watch = Stopwatch.StartNew();
        var set = phaser.Reconstruct(data, options, StepContext.None);
        var seconds = watch.Elapsed.TotalSeconds;
        var (after, peak) = Read();
        GC.KeepAlive(data);

        var run = set.Runs[0];
        if (run.State is not (RunState.Kept or RunState.Rejected))
        {
            throw new InvalidOperationException($"the memory run on {shape} ended {run.State}: {run.Reason}");
        }

        var voxels = shape.Length;
        var added = peak - baseline;
        var ratio = (double)added / (8.0 * voxels);
        const double MiB = 1 << 20;
        var detail = string.Create(CultureInfo.InvariantCulture, $"peak RSS of one cxdi.phase run (\"{Operators}\", runs 1, {threads} threads, {set.Backend}): baseline {baseline / MiB:F1} MiB, peak {peak / MiB:F1} MiB, added {added / MiB:F1} MiB = {ratio:F2} × one complex64 array ({8 * voxels / MiB:F1} MiB); RSS after {after / MiB:F1} MiB; run {run.State}");
        return new Result(shape.ToString(), "memory", backend, Math.Round(seconds * 1000, 1), null, null, null, null, null, null, detail)
        {
            PeakRatio = Math.Round(ratio, 3),
            PeakMib = Math.Round(peak / MiB, 1),
            BaselineMib = Math.Round(baseline / MiB, 1),
        };
    }

    /// <summary>Returns the native heap's free memory (FFTW plans and buffers of earlier measurements) to the system; glibc only.</summary>
    private static void TrimNativeHeap()
    {
        try
        {
            _ = MallocTrim(0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Another C library: its free memory stays resident and may be reused unseen by the run.
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);

    private static bool CanMeasure(out string reason)
    {
        if (!OperatingSystem.IsLinux() || !File.Exists(Status) || !File.Exists(ClearRefs))
        {
            reason = $"needs Linux's {Status} and {ClearRefs}";
            return false;
        }

        try
        {
            File.WriteAllText(ClearRefs, "5");
            _ = Read();
            reason = "";
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            reason = $"cannot reset or read the high-water mark ({e.Message})";
            return false;
        }
    }

    /// <summary>VmRSS and VmHWM in bytes.</summary>
    private static (long Rss, long Hwm) Read()
    {
        long rss = 0, hwm = 0;
        foreach (var line in File.ReadLines(Status))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kilobytes(line);
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                hwm = Kilobytes(line);
            }
        }

        if (rss <= 0 || hwm <= 0)
        {
            throw new FormatException($"{Status} has no VmRSS/VmHWM lines");
        }

        return (rss, hwm);
    }

    private static long Kilobytes(string line) =>
        1024 * long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}
