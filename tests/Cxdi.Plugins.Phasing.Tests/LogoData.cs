using Cxdi.Plugins.Formats.Edf;
using Cxdi.Plugins.Phasing.Support;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Roles;

namespace Cxdi.Plugins.Phasing.Tests;

/// <summary>The ESRF ID10 logo data set, read with the esrf.edf reader and prepared as in the published recipe, and the support comparison used to score runs.</summary>
internal static class LogoData
{
    public static string Directory => LogoDataLocation.Require();

    /// <summary>The pattern flipped vertically, with zeros within 50 px of the centre (beamstop) and 30 px of the edges (invalid) masked.</summary>
    public static DiffractionData Pattern()
    {
        var data = Read("logo5mu_20sec.edf");
        var flipped = FlipY(data.Intensity, data.Shape);
        var result = new DiffractionData(data.Shape, flipped);
        var shape = data.Shape;
        for (var y = 0; y < shape.Ny; y++)
        {
            for (var x = 0; x < shape.Nx; x++)
            {
                var i = (y * shape.Nx) + x;
                if (flipped[i] != 0)
                {
                    continue;
                }

                double dy = y - (shape.Ny / 2), dx = x - (shape.Nx / 2);
                if ((dx * dx) + (dy * dy) <= 50 * 50)
                {
                    result.Mask[i] |= (uint)MaskFlags.Beamstop;
                }
                else if (y < 30 || x < 30 || y >= shape.Ny - 30 || x >= shape.Nx - 30)
                {
                    result.Mask[i] |= (uint)MaskFlags.Invalid;
                }
            }
        }

        return result;
    }

    /// <summary>The known object footprint, flipped like the pattern.</summary>
    public static byte[] KnownSupport()
    {
        var data = Read("support_logo5mu_20sec.edf");
        return FlipY(data.Intensity, data.Shape).Select(v => v > 0 ? (byte)1 : (byte)0).ToArray();
    }

    /// <summary>The published recipe's starting support: the known footprint blurred by a Gaussian of σ = 4 px, thresholded at 0.2.</summary>
    public static byte[] BlurredKnownSupport(Shape shape)
    {
        var f = KnownSupport().Select(b => (float)b).ToArray();
        ArrayTools.GaussianBlur(f, shape, 4);
        return f.Select(v => v > 0.2f ? (byte)1 : (byte)0).ToArray();
    }

    /// <summary>
    /// Compares a final support with the known one allowing for a shift, a vertical flip and the twin (point inversion):
    /// best IoU over erosions/dilations by k = −2 … +2 px, and the fraction of the (aligned, unmodified) support inside
    /// the known support dilated by 1 px.
    /// </summary>
    public static (double BestIou, double Inside) Compare(byte[] support, byte[] known, Shape shape, IComputeBackend backend)
    {
        var knownDilated = ArrayTools.Morph(known, shape, 1);
        var best = (Iou: -1.0, Inside: 0.0);
        var variants = new[] { support, ArrayTools.PointInvert<byte>(support, shape) };
        foreach (var v in variants.Concat(variants.Select(s => FlipY(s.Select(b => (float)b).ToArray(), shape).Select(f => (byte)f).ToArray())))
        {
            var aligned = AlignMask(v, known, shape, backend);
            for (var k = -2; k <= 2; k++)
            {
                var iou = Iou(ArrayTools.Morph(aligned, shape, k), known);
                if (iou > best.Iou)
                {
                    best = (iou, InsideFraction(aligned, knownDilated));
                }
            }
        }

        return best;
    }

    private static double InsideFraction(byte[] s, byte[] region)
    {
        long inside = 0, total = 0;
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] != 0)
            {
                total++;
                inside += region[i] != 0 ? 1 : 0;
            }
        }

        return total == 0 ? 0 : (double)inside / total;
    }

    private static double Iou(byte[] a, byte[] b)
    {
        long inter = 0, union = 0;
        for (var i = 0; i < a.Length; i++)
        {
            inter += a[i] != 0 && b[i] != 0 ? 1 : 0;
            union += a[i] != 0 || b[i] != 0 ? 1 : 0;
        }

        return union == 0 ? 0 : (double)inter / union;
    }

    private static byte[] AlignMask(byte[] moving, byte[] fixedMask, Shape shape, IComputeBackend backend)
    {
        var fm = moving.Select(b => new Complex32(b, 0)).ToArray();
        var ff = fixedMask.Select(b => new Complex32(b, 0)).ToArray();
        backend.Transform(fm, shape, FftDirection.Forward);
        backend.Transform(ff, shape, FftDirection.Forward);
        for (var i = 0; i < ff.Length; i++)
        {
            ff[i] = ff[i] * fm[i].Conjugate();
        }

        backend.Transform(ff, shape, FftDirection.Inverse);
        var peak = 0;
        for (var i = 1; i < ff.Length; i++)
        {
            if (ff[i].Re > ff[peak].Re)
            {
                peak = i;
            }
        }

        return ArrayTools.Shift<byte>(moving, shape, 0, peak / shape.Nx, peak % shape.Nx);
    }

    private static float[] FlipY(float[] data, Shape shape)
    {
        var result = new float[data.Length];
        for (var y = 0; y < shape.Ny; y++)
        {
            Array.Copy(data, (shape.Ny - 1 - y) * shape.Nx, result, y * shape.Nx, shape.Nx);
        }

        return result;
    }

    private static DiffractionData Read(string name)
    {
        IDataReader reader = new EdfReader();
        return reader.Read(new DataPath(Path.Combine(Directory, name)), new EdfOptions(), StepContext.None);
    }
}
