using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Preprocessing.Tests;

/// <summary>Synthetic far-field patterns for tests.</summary>
internal static class Synth
{
    /// <summary>|FFT(object)|² of a uniform rectangle of <paramref name="h"/> × <paramref name="w"/> px in an n×n array, shifted so q = 0 sits at (n/2, n/2).</summary>
    public static DiffractionData Rectangle(int n, int h, int w, float photons = 1e6f)
    {
        var obj = new Complex32[n * n];
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                obj[(((n / 2) - (h / 2) + y) * n) + (n / 2) - (w / 2) + x] = new Complex32(1, 0);
            }
        }

        return Pattern(obj, n, photons);
    }

    /// <summary>The centred intensity of an n×n object, scaled so the total is <paramref name="photons"/>.</summary>
    public static DiffractionData Pattern(Complex32[] obj, int n, float photons)
    {
        var buffer = (Complex32[])obj.Clone();
        using (var backend = new Cxdi.Plugins.Phasing.Compute.CpuBackendProvider().Create(new NoOptions()))
        {
            backend.Transform(buffer, Shape.Of(n, n), FftDirection.Forward);
        }

        var intensity = new float[n * n];
        double total = 0;
        for (var y = 0; y < n; y++)
        {
            for (var x = 0; x < n; x++)
            {
                var v = buffer[(y * n) + x].Norm2;
                intensity[((((y + (n / 2)) % n) * n) + ((x + (n / 2)) % n))] = v;
                total += v;
            }
        }

        for (var i = 0; i < intensity.Length; i++)
        {
            intensity[i] = (float)(intensity[i] * photons / total);
        }

        return new DiffractionData(Shape.Of(n, n), intensity);
    }
}
