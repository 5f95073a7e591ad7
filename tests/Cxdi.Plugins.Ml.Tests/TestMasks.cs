using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Ml.Tests;

internal static class TestMasks
{
    /// <summary>A beamstop disc of <paramref name="radius"/> px at the centre and a vertical gap of 3 px at column centre + 21.</summary>
    public static uint[] BeamstopAndGap(int ny, int nx, double radius)
    {
        var mask = new uint[ny * nx];
        for (var y = 0; y < ny; y++)
        {
            for (var x = 0; x < nx; x++)
            {
                var dy = y - (ny / 2);
                var dx = x - (nx / 2);
                if ((dy * dy) + (dx * dx) <= radius * radius)
                {
                    mask[(y * nx) + x] |= (uint)MaskFlags.Beamstop;
                }

                if (x >= (nx / 2) + 21 && x < (nx / 2) + 24)
                {
                    mask[(y * nx) + x] |= (uint)MaskFlags.Gap;
                }
            }
        }

        return mask;
    }
}
