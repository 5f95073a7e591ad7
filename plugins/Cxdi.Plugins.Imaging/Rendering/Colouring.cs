using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Imaging.Rendering;

/// <summary>How a phase picture shows where the object is.</summary>
public enum PhaseShading
{
    /// <summary>Brightness follows the amplitude (black where it vanishes); black outside the support.</summary>
    Amplitude,

    /// <summary>Full colour inside the support, black outside.</summary>
    Support,

    /// <summary>Full colour everywhere.</summary>
    Flat,
}

/// <summary>The values a colour bar spans and what they mean.</summary>
/// <param name="Map">Colour map.</param>
/// <param name="Min">Value at the bottom of the map.</param>
/// <param name="Max">Value at the top of the map.</param>
/// <param name="Label">Quantity and unit, e.g. <c>log₁₀ intensity (photons)</c>.</param>
public sealed record ColorScale(ColorMap Map, double Min, double Max, string Label)
{
    /// <summary>Position 0 … 1 of <paramref name="value"/> on the scale (0 when the scale is degenerate).</summary>
    public double Position(double value) => Max > Min ? (value - Min) / (Max - Min) : 0;
}

/// <summary>Turns physical quantities into colours: amplitude, referenced phase, support and log-scale intensity with a mask.</summary>
public static class Colouring
{
    /// <summary>|ψ| per element.</summary>
    public static float[] Amplitude(Complex32[] obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var a = new float[obj.Length];
        for (var i = 0; i < a.Length; i++)
        {
            a[i] = obj[i].Abs;
        }

        return a;
    }

    /// <summary>
    /// arg ψ per element relative to the object's mean phase (the argument of Σ ψ·|ψ| over the support, or over every element
    /// without one), wrapped to (−π, π]: a constant phase offset, which phase retrieval cannot determine, does not change the picture.
    /// </summary>
    public static float[] ReferencedPhase(Complex32[] obj, byte[]? support)
    {
        ArgumentNullException.ThrowIfNull(obj);
        double re = 0, im = 0;
        for (var i = 0; i < obj.Length; i++)
        {
            if (support is null || support[i] != 0)
            {
                var w = obj[i].Abs;
                re += obj[i].Re * w;
                im += obj[i].Im * w;
            }
        }

        var reference = (re == 0 && im == 0) ? 0 : Math.Atan2(im, re);
        var phase = new float[obj.Length];
        for (var i = 0; i < phase.Length; i++)
        {
            var p = obj[i].Phase - reference;
            phase[i] = (float)(p > Math.PI ? p - (2 * Math.PI) : p <= -Math.PI ? p + (2 * Math.PI) : p);
        }

        return phase;
    }

    /// <summary>Largest finite value (0 when none).</summary>
    public static double MaxFinite(ReadOnlySpan<float> values)
    {
        var max = 0.0;
        foreach (var v in values)
        {
            if (float.IsFinite(v) && v > max)
            {
                max = v;
            }
        }

        return max;
    }

    /// <summary>
    /// The amplitude that shows at full brightness on an amplitude-shaded phase picture: the 90th percentile of the amplitudes
    /// inside <paramref name="support"/> (of the non-zero ones without a support), so that a few hot pixels do not darken the object.
    /// </summary>
    public static double BrightnessReference(float[] amplitude, byte[]? support)
    {
        ArgumentNullException.ThrowIfNull(amplitude);
        var inside = new List<float>();
        for (var i = 0; i < amplitude.Length; i++)
        {
            if ((support is null ? amplitude[i] > 0 : support[i] != 0) && float.IsFinite(amplitude[i]))
            {
                inside.Add(amplitude[i]);
            }
        }

        if (inside.Count == 0)
        {
            return 0;
        }

        inside.Sort();
        return inside[(int)Math.Min(inside.Count - 1, Math.Floor(0.9 * inside.Count))];
    }

    /// <summary>Colours a scalar raster on <paramref name="scale"/>; non-finite values take the bottom colour.</summary>
    public static Raster<Rgb> Scalar(Raster<float> values, ColorScale scale)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(scale);
        return values.Select(v => scale.Map.Map(float.IsFinite(v) ? scale.Position(v) : 0));
    }

    /// <summary>
    /// Colours a phase raster (radians) with a cyclic map, shaded by <paramref name="shading"/>: <paramref name="amplitude"/>
    /// (divided by <paramref name="amplitudeMax"/>, clamped to 1) sets the brightness, and elements outside <paramref name="support"/> are black.
    /// </summary>
    public static Raster<Rgb> Phase(Raster<float> phase, Raster<float> amplitude, double amplitudeMax, Raster<byte>? support, ColorMap map, PhaseShading shading)
    {
        ArgumentNullException.ThrowIfNull(phase);
        ArgumentNullException.ThrowIfNull(amplitude);
        ArgumentNullException.ThrowIfNull(map);
        var rgb = new Rgb[phase.Values.Length];
        for (var i = 0; i < rgb.Length; i++)
        {
            var colour = map.MapPhase(phase.Values[i]);
            var outside = shading != PhaseShading.Flat && support is not null && support.Values[i] == 0;
            rgb[i] = outside ? Rgb.Black
                : shading == PhaseShading.Amplitude ? colour.Scaled(amplitudeMax > 0 ? amplitude.Values[i] / amplitudeMax : 0)
                : colour;
        }

        return new Raster<Rgb>(phase.Rows, phase.Cols, rgb);
    }

    /// <summary>log₁₀ of an intensity, floored at <paramref name="floor"/> so that zero counts stay finite.</summary>
    public static double Log10Floored(float intensity, double floor) => Math.Log10(Math.Max(float.IsFinite(intensity) ? intensity : 0, floor));

    /// <summary>Colours log₁₀ intensity on <paramref name="scale"/>; pixels with an unknown mask bit take <paramref name="maskColour"/>.</summary>
    public static Raster<Rgb> LogIntensity(Raster<float> intensity, Raster<uint> mask, double floor, ColorScale scale, Rgb maskColour)
    {
        ArgumentNullException.ThrowIfNull(intensity);
        ArgumentNullException.ThrowIfNull(mask);
        ArgumentNullException.ThrowIfNull(scale);
        var rgb = new Rgb[intensity.Values.Length];
        for (var i = 0; i < rgb.Length; i++)
        {
            rgb[i] = (mask.Values[i] & (uint)MaskFlags.Unknown) != 0
                ? maskColour
                : scale.Map.Map(scale.Position(Log10Floored(intensity.Values[i], floor)));
        }

        return new Raster<Rgb>(intensity.Rows, intensity.Cols, rgb);
    }

    /// <summary>The log₁₀ range of the measured intensities: [log₁₀ floor, log₁₀ max], with the floor lowered when the data never reach it.</summary>
    public static (double Floor, double LogMin, double LogMax) LogRange(float[] intensity, uint[] mask, double floor)
    {
        ArgumentNullException.ThrowIfNull(intensity);
        ArgumentNullException.ThrowIfNull(mask);
        var max = 0.0;
        for (var i = 0; i < intensity.Length; i++)
        {
            if ((mask[i] & (uint)MaskFlags.Unknown) == 0 && float.IsFinite(intensity[i]) && intensity[i] > max)
            {
                max = intensity[i];
            }
        }

        if (max <= floor)
        {
            floor = max > 0 ? max * 1e-6 : floor;
            max = Math.Max(max, floor * 10);
        }

        return (floor, Math.Log10(floor), Math.Log10(max));
    }
}
