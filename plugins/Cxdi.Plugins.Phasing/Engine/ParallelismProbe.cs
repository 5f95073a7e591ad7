using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Cxdi.Plugins.Phasing.Compute;
using Cxdi.Plugins.Phasing.Fft;
using Cxdi.Plugins.Phasing.Operators;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Phasing;

namespace Cxdi.Plugins.Phasing.Engine;

/// <summary>
/// Chooses by measurement between one run at a time on all threads (threaded FFT and kernels) and several runs side by
/// side on a share of the threads each: both are timed on HIO cycles of the real shape (all lanes at once, warm plans),
/// and the one with more cycles per second in all wins (one run at a time unless the other is 5 % faster: it needs less
/// memory and gives results sooner). Decisions are kept for the process and in
/// <c>&lt;cache&gt;/cxdi/parallel-&lt;host&gt;.tsv</c> (same cache directory as the FFTW wisdom), so a shape is measured once
/// per machine, FFT and thread count.
/// </summary>
internal static class ParallelismProbe
{
    /// <summary>Each candidate is timed for about this long (at least two cycles per lane, after four untimed).</summary>
    private const double TargetSeconds = 0.15;

    private static readonly ConcurrentDictionary<string, Decision> Decisions = new();
    private static readonly object FileLock = new();

    /// <summary>A measured choice: runs side by side, and cycles per second for one lane and for <see cref="Lanes"/> lanes.</summary>
    public sealed record Decision(int Lanes, double SingleRate, double ParallelRate, int Candidate)
    {
        /// <summary>One line for the log.</summary>
        public string Describe() => string.Create(CultureInfo.InvariantCulture, $"measured {SingleRate:F1} cycles/s with 1 run on all threads, {ParallelRate:F1} with {Candidate} side by side");
    }

    /// <summary>
    /// Runs side by side (1 or <paramref name="maxLanes"/>) for <paramref name="shape"/> on <paramref name="backend"/> with
    /// <paramref name="totalThreads"/> threads in all, measured or remembered. The timed lanes work on the real
    /// <paramref name="observations"/> and starting <paramref name="support"/> and hold what real runs hold (object,
    /// previous object, support), so measuring never needs more memory than the runs themselves.
    /// </summary>
    public static Decision Choose(IComputeBackend backend, Shape shape, int totalThreads, int maxLanes, Observations observations, byte[] support)
    {
        if (maxLanes <= 1 || totalThreads <= 1)
        {
            return new Decision(1, 0, 0, 1);
        }

        var fft = FftKind(backend, shape, totalThreads);
        var key = string.Join('|', "v2", backend.Name, fft, shape.ToString(), totalThreads.ToString(CultureInfo.InvariantCulture), maxLanes.ToString(CultureInfo.InvariantCulture));
        return Decisions.GetOrAdd(key, k => Load(k) ?? Save(k, Measure(backend, shape, totalThreads, maxLanes, observations, support)));
    }

    private static string FftKind(IComputeBackend backend, Shape shape, int threads)
    {
        using var plan = backend.CreateFftPlan(shape);
        var name = plan.Name;
        var comma = name.IndexOf(',', StringComparison.Ordinal);
        return (comma > 0 ? name[..comma] : name) + "/" + threads.ToString(CultureInfo.InvariantCulture);
    }

    private static Decision Measure(IComputeBackend backend, Shape shape, int totalThreads, int maxLanes, Observations observations, byte[] support)
    {
        var single = Rate(backend, shape, 1, totalThreads, observations, support);
        var parallel = Rate(backend, shape, maxLanes, Math.Max(1, totalThreads / maxLanes), observations, support);
        return new Decision(parallel > 1.05 * single ? maxLanes : 1, single, parallel, maxLanes);
    }

    /// <summary>HIO cycles per second in all with <paramref name="lanes"/> runs side by side on <paramref name="threadsPerLane"/> threads each.</summary>
    private static double Rate(IComputeBackend backend, Shape shape, int lanes, int threadsPerLane, Observations observations, byte[] support)
    {
        var devices = new IComputeBackend[lanes];
        var states = new PhasingState[lanes];
        try
        {
            for (var l = 0; l < lanes; l++)
            {
                devices[l] = lanes == 1 && threadsPerLane == Lanes.Threads(backend) ? backend : Lanes.Fork(backend, threadsPerLane);
                states[l] = new PhasingState(devices[l], shape, observations.Amplitude, observations.Classes) { MetricEvery = 20 };
                devices[l].Upload(support, states[l].Support);
            }

            var cycle = new HioOperator { Beta = 0.9f };

            // Warm-up (plans, caches, JIT; the first projection turns the zero object into the measured amplitudes), a
            // first estimate of the cycle time, then the timed cycles.
            RunLanes(states, cycle, 2);
            var watch = Stopwatch.StartNew();
            RunLanes(states, cycle, 2);
            var cycles = Math.Clamp((int)Math.Ceiling(2 * TargetSeconds / Math.Max(1e-6, watch.Elapsed.TotalSeconds)), 2, 1000);
            watch.Restart();
            RunLanes(states, cycle, cycles);
            return lanes * cycles / watch.Elapsed.TotalSeconds;
        }
        finally
        {
            for (var l = 0; l < lanes; l++)
            {
                states[l]?.Dispose();
                if (devices[l] is { } device && !ReferenceEquals(device, backend))
                {
                    device.Dispose();
                }
            }
        }
    }

    private static void RunLanes(PhasingState[] states, HioOperator cycle, int cycles)
    {
        if (states.Length == 1)
        {
            for (var c = 0; c < cycles; c++)
            {
                cycle.Apply(states[0]);
            }

            return;
        }

        var threads = states.Select(state => new Thread(() =>
        {
            for (var c = 0; c < cycles; c++)
            {
                cycle.Apply(state);
            }
        })
        { IsBackground = true }).ToArray();
        foreach (var t in threads)
        {
            t.Start();
        }

        foreach (var t in threads)
        {
            t.Join();
        }
    }

    private static string? CacheFile() => FftwWisdom.MachineFile(
        "parallel",
        "tsv",
        Environment.GetEnvironmentVariable("XDG_CACHE_HOME"),
        Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
        Environment.MachineName);

    private static Decision? Load(string key)
    {
        try
        {
            if (CacheFile() is not { } file || !File.Exists(file))
            {
                return null;
            }

            lock (FileLock)
            {
                foreach (var line in File.ReadLines(file))
                {
                    var fields = line.Split('\t');
                    if (fields.Length == 5 && fields[0] == key
                        && int.TryParse(fields[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var lanes)
                        && double.TryParse(fields[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var single)
                        && double.TryParse(fields[3], NumberStyles.Float, CultureInfo.InvariantCulture, out var parallel)
                        && int.TryParse(fields[4], NumberStyles.Integer, CultureInfo.InvariantCulture, out var candidate))
                    {
                        return new Decision(lanes, single, parallel, candidate);
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The file only saves a measurement: when it cannot be read or written the shape is measured again.
        }

        return null;
    }

    private static Decision Save(string key, Decision decision)
    {
        try
        {
            if (CacheFile() is { } file)
            {
                lock (FileLock)
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(file)!);
                    var lines = File.Exists(file) ? File.ReadAllLines(file).Where(l => !l.StartsWith(key + "\t", StringComparison.Ordinal)).ToList() : [];
                    lines.Add(string.Create(CultureInfo.InvariantCulture, $"{key}\t{decision.Lanes}\t{decision.SingleRate:G6}\t{decision.ParallelRate:G6}\t{decision.Candidate}"));
                    var temporary = $"{file}.{Environment.ProcessId}.tmp";
                    File.WriteAllLines(temporary, lines);
                    File.Move(temporary, file, overwrite: true);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The file only saves a measurement: when it cannot be read or written the shape is measured again.
        }

        return decision;
    }
}
