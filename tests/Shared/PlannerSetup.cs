using System.Runtime.CompilerServices;

namespace Cxdi.Tests.Shared;

/// <summary>
/// The quality tests assert on chaotic iterations, so a run's rounding must not change from one test run to the next:
/// FFTW plans measured under load do (the fastest algorithm differs), estimated ones never, so these tests plan by
/// estimate unless CXDI_FFTW_PLANNER is set (CI sets it to estimate as well). Linked into the test projects that phase.
/// </summary>
internal static class PlannerSetup
{
#pragma warning disable CA2255 // A test assembly's initializer: it runs before any test touches FFTW.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Estimate()
    {
        if (Environment.GetEnvironmentVariable("CXDI_FFTW_PLANNER") is null)
        {
            Environment.SetEnvironmentVariable("CXDI_FFTW_PLANNER", "estimate");
        }
    }
}
