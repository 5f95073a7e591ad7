using Cxdi.Plugins.Phasing.Engine;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Phasing.Tests;

/// <summary>Quality measures against a known object.</summary>
internal static class Quality
{
    /// <summary>
    /// Normalised real-space error ‖a·obj − truth‖ / ‖truth‖ after removing the linear phase ramp of both, aligning obj on
    /// truth (sub-pixel shift, twin, global phase) and choosing the best real scale a.
    /// </summary>
    public static double Error(Complex32[] truth, Complex32[] obj, Shape shape, IComputeBackend backend) => Canonicalizer.ErrorToTruth(truth, obj, shape, backend);
}
