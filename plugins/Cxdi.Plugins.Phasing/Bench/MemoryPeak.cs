using System.Diagnostics;
using System.Globalization;
using Cxdi.Plugins.Phasing.Compute;
using Cxdi.Plugins.Phasing.Engine;
using Cxdi.Plugins.Phasing.Fft;
using Cxdi.Plugins.Phasing.Operators;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Phasing;
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
    /// Two rows for <paramref name="backend"/> (fftw or managed): <c>memory-run</c>, one run as the phaser holds it
    /// (prepared data uploaded once as the runs' shared observations, the run's own arrays, the known starting support),
    /// and <c>memory</c>, the whole <c>cxdi.phase</c> call (autocorrelation support, selection, average, PRTF included).
    /// Empty (with a line on <paramref name="output"/>) where <c>/proc</c> cannot reset or report the high-water mark.
    /// </summary>
    public static IReadOnlyList<Result> Measure(Shape shape, string backend, int threads, TextWriter output)
    {
        if (!CanMeasure(out var reason))
        {
            output.WriteLine($"memory skipped: {reason}");
            return [];
        }

        var preference = backend == "managed" ? FftPreference.Managed : FftPreference.Fftw;
        DiffractionData data;
        using (var generator = new CpuComputeBackend(preference, threads))
        {
            data = PhasingBench.SynthesizeData(shape, generator);
        }

        var support = data.InitialSupport!;
        var settings = new RunSettings
        {
            Program = BuiltInOperators.Parse(Operators),
            Support = new SupportUpdateSettings(),
            MetricEvery = 20,
        };
        Reconstruction? single = null;
        string? backendName = null;
        var (runBaseline, runPeak, runSeconds) = Peak(() =>
        {
            using var device = new CpuComputeBackend(preference, threads);
            var prepared = PreparedData.Create(data, 0.05, 1);
            using var observations = Observations.Upload(device, prepared);
            prepared.ReleaseArrays();
            RunEngine.ReturnGarbage(shape);
            single = RunEngine.Run(device, observations, support, settings, 0, 1, null);
            backendName = $"{device.Name} ({device.FftName})";
        });

        var options = new PhaseOptions
        {
            Operators = Operators,
            Runs = 1,
            Keep = 1,
            Seed = 1,
            Threads = threads,
            ParallelRuns = 1,
            Backend = backend == "managed" ? "cpu-managed" : "cpu",
            Support = InitialSupportSource.Autocorrelation,
        };
        IPhaser phaser = new PhasePlugin();
        ReconstructionSet? set = null;
        var (baseline, peak, seconds) = Peak(() => set = phaser.Reconstruct(data, options, StepContext.None));
        GC.KeepAlive(data);
        var run = set!.Runs[0];
        if (run.State is not (RunState.Kept or RunState.Rejected))
        {
            throw new InvalidOperationException($"the memory run on {shape} ended {run.State}: {run.Reason}");
        }

        return
        [
            Row(shape, "memory-run", backend, runSeconds, runBaseline, runPeak, $"peak RSS of one run (\"{Operators}\", {threads} threads, {backendName}): prepared data → shared observations, the run's object, previous object and support, starting from the known support; LLK {single!.Llk:G4}"),
            Row(shape, "memory", backend, seconds, baseline, peak, $"peak RSS of a whole cxdi.phase call (\"{Operators}\", runs 1, {threads} threads, {set.Backend}, autocorrelation support, selection, average, PRTF); run {run.State}"),
        ];
    }

    private static Result Row(Shape shape, string algorithm, string backend, double seconds, long baseline, long peak, string what)
    {
        const double MiB = 1 << 20;
        var voxels = shape.Length;
        var added = peak - baseline;
        var ratio = (double)added / (8.0 * voxels);
        var detail = string.Create(CultureInfo.InvariantCulture, $"{what}; baseline {baseline / MiB:F1} MiB, peak {peak / MiB:F1} MiB, added {added / MiB:F1} MiB = {ratio:F2} × one complex64 array ({8 * voxels / MiB:F1} MiB)");
        return new Result(shape.ToString(), algorithm, backend, Math.Round(seconds * 1000, 1), null, null, null, null, null, null, detail)
        {
            PeakRatio = Math.Round(ratio, 3),
            PeakMib = Math.Round(peak / MiB, 1),
            BaselineMib = Math.Round(baseline / MiB, 1),
        };
    }

    /// <summary>Resident memory before <paramref name="action"/> and its high-water mark during it (bytes), and its seconds.</summary>
    private static (long Baseline, long Peak, double Seconds) Peak(Action action)
    {
        // Give freed memory back to the system (an aggressive collection decommits free GC regions), so memory an
        // earlier measurement left resident is not reused unseen by this one.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        TrimNativeHeap();
        File.WriteAllText(ClearRefs, "5");
        var (baseline, _) = Read();
        var watch = Stopwatch.StartNew();
        action();
        var seconds = watch.Elapsed.TotalSeconds;
        var (_, peak) = Read();
        return (baseline, peak, seconds);
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
