using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;

namespace Cxdi.Plugins.Preprocessing.Common;

/// <summary>Access to the host's compute backend for the occasional FFT (autocorrelation, centre of symmetry).</summary>
internal static class Fft
{
    /// <summary>Creates the compute backend the context asks for; throws a one-line error naming <paramref name="what"/> outside a host.</summary>
    public static IComputeBackend Backend(StepContext context, string what)
        => context.Plugins?.CreateBackend(context.Backend)
           ?? throw new PluginNotFoundException("compute backend", $"{what} needs an FFT from a compute backend, but no plugin resolver is available", "run it inside a cxdi workflow (the phasing plugin provides the CPU backend)");
}
