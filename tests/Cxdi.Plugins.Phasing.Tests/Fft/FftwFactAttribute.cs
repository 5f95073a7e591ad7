using Cxdi.Plugins.Phasing.Fft;

namespace Cxdi.Plugins.Phasing.Tests.Fft;

/// <summary>A fact that is skipped, with the reason, where FFTW (libfftw3f) cannot be used.</summary>
public sealed class FftwFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when FFTW is unavailable.</summary>
    public FftwFactAttribute()
    {
        if (!FftwEngine.IsAvailable(out string reason))
        {
            Skip = $"FFTW not available: {reason}";
        }
    }
}

/// <summary>A theory that is skipped, with the reason, where FFTW (libfftw3f) cannot be used.</summary>
public sealed class FftwTheoryAttribute : TheoryAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when FFTW is unavailable.</summary>
    public FftwTheoryAttribute()
    {
        if (!FftwEngine.IsAvailable(out string reason))
        {
            Skip = $"FFTW not available: {reason}";
        }
    }
}
