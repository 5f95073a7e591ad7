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
}

/// <summary>Creates FFT engines and describes what runs on this machine.</summary>
internal static class FftEngines
{
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
            _ => new ManagedFftEngine(shape, threads),
        };
    }

    /// <summary>One line saying which FFT runs here and why, for <c>cxdi --version</c> and summary.json.</summary>
    public static string Describe()
    {
        string managed = $"managed mixed-radix, {ManagedFftEngine.SimdDescription}";
        if (FftwEngine.IsAvailable(out string reason))
        {
            FftPlanning planning = FftPlanningSettings.Resolve(FftPlanning.Default);
            string wisdom = FftwWisdom.FilePath ?? "disabled";
            return $"FFTW {FftwEngine.Version} ({reason}; {planning.ToString().ToLowerInvariant()} planner; wisdom {wisdom}); fallback {managed}";
        }

        return $"{managed} (FFTW not used: {reason})";
    }
}
