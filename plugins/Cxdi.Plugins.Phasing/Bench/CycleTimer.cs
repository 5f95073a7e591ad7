using System.Diagnostics;

namespace Cxdi.Plugins.Phasing.Bench;

/// <summary>Times a cycle: warm-up, calibration so each repetition lasts ≥ 50 ms, then N repetitions.</summary>
internal static class CycleTimer
{
    /// <summary>Median and minimum over <paramref name="repetitions"/> of the mean time per cycle, in ms; runs the check afterwards.</summary>
    public static Timing Time(PreparedCycle prepared, int repetitions, string what)
    {
        var timing = TimeAction(prepared.Cycle, repetitions);
        if (prepared.Check() is { } problem)
        {
            throw new InvalidOperationException($"{what}: {problem}");
        }

        return timing;
    }

    /// <summary>Median and minimum over <paramref name="repetitions"/> of the mean time per call of <paramref name="cycle"/>, in ms.</summary>
    public static Timing TimeAction(Action cycle, int repetitions)
    {
        // Warm-up (JIT tiers, caches, thread pool) and a calibration so each repetition lasts at least ~50 ms.
        var watch = Stopwatch.StartNew();
        var warm = 0;
        while (warm < 3 || watch.Elapsed.TotalMilliseconds < 300)
        {
            cycle();
            warm++;
        }

        var estimate = watch.Elapsed.TotalMilliseconds / warm;
        var cycles = Math.Max(1, (int)Math.Ceiling(50 / estimate));
        var samples = new double[repetitions];
        for (var r = 0; r < repetitions; r++)
        {
            watch.Restart();
            for (var c = 0; c < cycles; c++)
            {
                cycle();
            }

            samples[r] = watch.Elapsed.TotalMilliseconds / cycles;
        }

        Array.Sort(samples);
        var median = repetitions % 2 == 1 ? samples[repetitions / 2] : (samples[(repetitions / 2) - 1] + samples[repetitions / 2]) / 2;
        return new Timing(median, samples[0]);
    }
}

/// <summary>Disposes several resources together.</summary>
internal sealed class Resources(params IDisposable[] items) : IDisposable
{
    public void Dispose()
    {
        foreach (var item in items)
        {
            item.Dispose();
        }
    }
}
