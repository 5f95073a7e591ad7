namespace Cxdi.Plugins.Phasing.Fft;

/// <summary>How hard FFTW searches for a fast algorithm when it plans a new shape.</summary>
internal enum FftPlanning
{
    /// <summary><c>CXDI_FFTW_PLANNER=estimate</c> or <c>measure</c> when set, otherwise <see cref="Measure"/>.</summary>
    Default,

    /// <summary>Time candidate algorithms: up to ~10 s per new 3D shape, then cached as wisdom on disk; fastest transforms.</summary>
    Measure,

    /// <summary>Pick by heuristics, instantly; transforms can be a few times slower. Used by tests.</summary>
    Estimate,
}

/// <summary>Resolves <see cref="FftPlanning.Default"/> from the environment.</summary>
internal static class FftPlanningSettings
{
    /// <summary>Environment variable choosing the planner: <c>estimate</c> or <c>measure</c>.</summary>
    public const string Variable = "CXDI_FFTW_PLANNER";

    /// <summary>The planner mode to use: <paramref name="planning"/> unless it is <see cref="FftPlanning.Default"/>.</summary>
    public static FftPlanning Resolve(FftPlanning planning)
    {
        if (planning != FftPlanning.Default)
        {
            return planning;
        }

        string? value = Environment.GetEnvironmentVariable(Variable)?.Trim();
        return string.Equals(value, "estimate", StringComparison.OrdinalIgnoreCase) ? FftPlanning.Estimate : FftPlanning.Measure;
    }
}
