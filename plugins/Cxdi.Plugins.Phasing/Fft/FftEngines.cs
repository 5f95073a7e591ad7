using System.Collections.Concurrent;
using System.Diagnostics;
using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Phasing.Fft;

/// <summary>Which FFT implementation to use.</summary>
internal enum FftPreference
{
    /// <summary>FFTW when it is available here (and <c>CXDI_FFT</c> is not <c>managed</c>), otherwise the managed engine.</summary>
    Auto,

    /// <summary>FFTW; fails when it is not available.</summary>
    Fftw,

    /// <summary>The managed mixed-radix engine, which needs nothing installed.</summary>
    Managed,

    /// <summary>
    /// Times both engines on the shape (a few forward + inverse pairs, once per shape, threads and planner in the
    /// process) and keeps the faster; the managed engine when FFTW is not available.
    /// </summary>
    Fastest,
}

/// <summary>Creates FFT engines and describes what runs on this machine.</summary>
internal static class FftEngines
{
    /// <summary>Which engine won the race for each (shape, threads, planner) in this process.</summary>
    private static readonly ConcurrentDictionary<(Shape Shape, int Threads, FftPlanning Planning), bool> FftwWasFaster = new();

    /// <summary>
    /// Creates an engine for <paramref name="shape"/> with <paramref name="threads"/> threads per transform (≤ 0: all
    /// cores). Throws <see cref="InvalidOperationException"/> with the reason when <see cref="FftPreference.Fftw"/> is
    /// asked for and FFTW is not available.
    /// </summary>
    public static IFftEngine Create(Shape shape, int threads, FftPreference preference, FftPlanning planning = FftPlanning.Default)
    {
        bool fftw = FftwEngine.IsAvailable(out string reason);
        return preference switch
        {
            FftPreference.Fftw when !fftw => throw new InvalidOperationException($"FFTW was asked for but cannot be used: {reason}"),
            FftPreference.Fftw => new FftwEngine(shape, threads, planning),
            FftPreference.Auto when fftw => new FftwEngine(shape, threads, planning),
            FftPreference.Fastest when fftw => CreateFastest(shape, threads, planning),
            _ => new ManagedFftEngine(shape, threads),
        };
    }

    /// <summary>
    /// The faster of FFTW and the managed engine for this shape: the first time, both run warm-up and timed pairs
    /// on the same scratch data (best of several, alternating, so a busy machine disturbs both alike).
    /// </summary>
    private static IFftEngine CreateFastest(Shape shape, int threads, FftPlanning planning)
    {
        FftPlanning resolved = FftPlanningSettings.Resolve(planning);
        var key = (shape, threads <= 0 ? Environment.ProcessorCount : threads, resolved);
        if (FftwWasFaster.TryGetValue(key, out bool fftwFaster))
        {
            return fftwFaster ? new FftwEngine(shape, threads, resolved) : new ManagedFftEngine(shape, threads);
        }

        var fftw = new FftwEngine(shape, threads, resolved);
        var managed = new ManagedFftEngine(shape, threads);
        try
        {
            using var scratch = new AlignedComplexBuffer(shape);
            Span<Complex32> data = scratch.Span;
            var random = new Random(7);
            for (int i = 0; i < data.Length; i++)
            {
                data[i] = new Complex32(random.NextSingle() - 0.5f, random.NextSingle() - 0.5f);
            }

            int rounds = shape.Length > 1 << 22 ? 2 : 5;
            double bestFftw = double.MaxValue, bestManaged = double.MaxValue;
            for (int round = 0; round <= rounds; round++)
            {
                double f = TimePair(fftw, data), m = TimePair(managed, data);
                if (round > 0)
                {
                    bestFftw = Math.Min(bestFftw, f);
                    bestManaged = Math.Min(bestManaged, m);
                }
            }

            fftwFaster = bestFftw <= bestManaged;
            FftwWasFaster.TryAdd(key, fftwFaster);
        }
        catch
        {
            fftw.Dispose();
            managed.Dispose();
            throw;
        }

        if (fftwFaster)
        {
            managed.Dispose();
            return fftw;
        }

        fftw.Dispose();
        return managed;
    }

    private static double TimePair(IFftEngine engine, Span<Complex32> data)
    {
        long start = Stopwatch.GetTimestamp();
        engine.Forward(data);
        engine.Inverse(data);
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    /// <summary>One line saying which FFT runs here and why, for <c>cxdi --version</c> and summary.json.</summary>
    public static string Describe()
    {
        string managed = $"managed mixed-radix, {ManagedFftEngine.SimdDescription}";
        if (FftwEngine.IsAvailable(out string reason))
        {
            FftPlanning planning = FftPlanningSettings.Resolve(FftPlanning.Default);
            string wisdom = FftwWisdom.FilePath is { } path ? path + (FftwWisdom.Loaded ? ", loaded" : "") : "disabled";
            return $"FFTW {FftwEngine.Version} ({reason}; {planning.ToString().ToLowerInvariant()} planner; wisdom {wisdom}); fallback {managed}";
        }

        return $"{managed} (FFTW not used: {reason})";
    }
}
