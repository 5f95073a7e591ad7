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
    public static double Error(Complex32[] truth, Complex32[] obj, Shape shape, IComputeBackend backend)
    {
        truth = (Complex32[])truth.Clone();
        obj = (Complex32[])obj.Clone();
        Canonicalizer.RemovePhaseRamp(truth, shape);
        Canonicalizer.RemovePhaseRamp(obj, shape);
        var aligned = Canonicalizer.Align(truth, obj, shape, backend).Aligned;
        double dot = 0, norm = 0, truthNorm = 0;
        for (var i = 0; i < truth.Length; i++)
        {
            dot += (truth[i].Re * aligned[i].Re) + (truth[i].Im * aligned[i].Im);
            norm += aligned[i].Norm2;
            truthNorm += truth[i].Norm2;
        }

        var a = norm > 0 ? dot / norm : 0;
        double err = 0;
        for (var i = 0; i < truth.Length; i++)
        {
            err += (((float)a * aligned[i]) - truth[i]).Norm2;
        }

        return Math.Sqrt(err / truthNorm);
    }
}
