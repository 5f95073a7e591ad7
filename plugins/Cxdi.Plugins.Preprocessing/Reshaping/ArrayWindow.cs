using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Preprocessing.Reshaping;

/// <summary>Copies a window of a detector array into a new array, marking what falls outside the source as unknown.</summary>
internal static class ArrayWindow
{
    /// <summary>
    /// Output[j] = input[j + offset] per axis (offsets slowest first, for z, y, x); pixels whose source lies outside the
    /// input get intensity 0 and <see cref="MaskFlags.Invalid"/>. Returns the new data and the count of such pixels.
    /// </summary>
    public static (float[] Intensity, uint[] Mask, long Outside) Copy(DiffractionData input, Shape output, int oz, int oy, int ox)
    {
        var s = input.Shape;
        var intensity = new float[output.Length];
        var mask = new uint[output.Length];
        long outside = 0;
        for (var z = 0; z < output.Nz; z++)
        {
            var sz = z + oz;
            for (var y = 0; y < output.Ny; y++)
            {
                var sy = y + oy;
                var row = ((long)z * output.Ny + y) * output.Nx;
                var inRow = sz >= 0 && sz < s.Nz && sy >= 0 && sy < s.Ny;
                var srcRow = inRow ? (((long)sz * s.Ny) + sy) * s.Nx : 0;
                for (var x = 0; x < output.Nx; x++)
                {
                    var sx = x + ox;
                    if (inRow && sx >= 0 && sx < s.Nx)
                    {
                        intensity[row + x] = input.Intensity[srcRow + sx];
                        mask[row + x] = input.Mask[srcRow + sx];
                    }
                    else
                    {
                        mask[row + x] = (uint)MaskFlags.Invalid;
                        outside++;
                    }
                }
            }
        }

        return (intensity, mask, outside);
    }

    /// <summary>A new item with the given arrays and shape, carrying the rest of <paramref name="input"/> over (the initial support and ground truth only when the shape is unchanged).</summary>
    public static DiffractionData With(DiffractionData input, Shape shape, float[] intensity, uint[] mask, Cxdi.Sdk.Data.Geometry geometry) => new(shape, intensity, mask)
    {
        Geometry = geometry,
        Provenance = input.Provenance,
        Metadata = input.Metadata,
        Findings = input.Findings,
        InitialSupport = shape == input.Shape ? input.InitialSupport : null,
        GroundTruth = shape == input.Shape ? input.GroundTruth : null,
    };
}
