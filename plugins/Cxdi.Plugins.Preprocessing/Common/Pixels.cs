using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Preprocessing.Common;

/// <summary>Small helpers on detector arrays shared by the steps.</summary>
internal static class Pixels
{
    /// <summary>The unknown bits as an unsigned integer.</summary>
    public const uint Unknown = (uint)MaskFlags.Unknown;

    /// <summary>The beam centre (row, column) when the geometry knows it, else the array centre (N/2, the zero frequency of a centred FFT layout).</summary>
    public static (double Y, double X) Centre(DiffractionData data) => Centre(data.Geometry, data.Shape);

    /// <summary>The beam centre (row, column) when <paramref name="geometry"/> knows it, else (Ny/2, Nx/2).</summary>
    public static (double Y, double X) Centre(Geometry geometry, Shape shape)
        => (geometry.BeamCenterY ?? (shape.Ny / 2), geometry.BeamCenterX ?? (shape.Nx / 2));

    /// <summary>Number of frames (Nz) and pixels per frame (Ny·Nx).</summary>
    public static (int Frames, int FrameLength) Frames(Shape shape) => (shape.Nz, shape.Ny * shape.Nx);

    /// <summary>Counts pixels with any unknown flag.</summary>
    public static long CountUnknown(uint[] mask)
    {
        long n = 0;
        foreach (var m in mask)
        {
            if ((m & Unknown) != 0)
            {
                n++;
            }
        }

        return n;
    }

    /// <summary>Checks that <paramref name="flag"/> is a single detector flag that marks a pixel unknown.</summary>
    public static bool IsDetectorFlag(MaskFlags flag) => flag != MaskFlags.None && (flag & ~MaskFlags.Unknown) == 0;

    /// <summary>True when <paramref name="n"/> has no prime factor other than 2, 3, 5, 7.</summary>
    public static bool IsFftFriendly(int n)
    {
        if (n < 1)
        {
            return false;
        }

        foreach (var p in (ReadOnlySpan<int>)[2, 3, 5, 7])
        {
            while (n % p == 0)
            {
                n /= p;
            }
        }

        return n == 1;
    }
}
