namespace Cxdi.Plugins.Imaging.Rendering;

/// <summary>An opaque 8-bit RGB colour.</summary>
/// <param name="R">Red, 0 … 255.</param>
/// <param name="G">Green, 0 … 255.</param>
/// <param name="B">Blue, 0 … 255.</param>
public readonly record struct Rgb(byte R, byte G, byte B)
{
    /// <summary>Black.</summary>
    public static Rgb Black { get; } = new(0, 0, 0);

    /// <summary>Parses <c>#rrggbb</c>; returns false for anything else.</summary>
    public static bool TryParse(string? text, out Rgb colour)
    {
        colour = Black;
        if (text is null || text.Length != 7 || text[0] != '#'
            || !uint.TryParse(text.AsSpan(1), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out var v))
        {
            return false;
        }

        colour = new Rgb((byte)(v >> 16), (byte)(v >> 8), (byte)v);
        return true;
    }

    /// <summary>This colour scaled towards black by <paramref name="brightness"/> (0 … 1).</summary>
    public Rgb Scaled(double brightness)
    {
        var b = Math.Clamp(brightness, 0, 1);
        return new Rgb((byte)Math.Round(R * b), (byte)Math.Round(G * b), (byte)Math.Round(B * b));
    }

    /// <summary><c>#rrggbb</c>.</summary>
    public override string ToString() => $"#{R:x2}{G:x2}{B:x2}";
}

/// <summary>Colour maps offered for pictures: perceptually ordered ones for magnitudes, cyclic ones for phases.</summary>
public enum ColorMapName
{
    /// <summary>Dark blue → green → yellow; perceptually uniform, the default for amplitudes.</summary>
    Viridis,

    /// <summary>Black → purple → orange → pale yellow; the default for log-scale diffraction.</summary>
    Inferno,

    /// <summary>Black → white.</summary>
    Gray,

    /// <summary>Cyclic hue wheel (red → yellow → green → cyan → blue → magenta → red); the default for phases.</summary>
    Hsv,

    /// <summary>Cyclic light → blue → dark → red → light, so that ±π meet in a pale colour.</summary>
    Twilight,
}

/// <summary>
/// A colour map as piecewise-linear interpolation between evenly spaced stops. Pure and allocation-free per lookup, so the
/// same code colours PNG pictures and terminal previews. Cyclic maps wrap: position 0 and 1 give the same colour.
/// </summary>
public sealed class ColorMap
{
    private readonly Rgb[] _stops;

    private ColorMap(string name, bool isCyclic, params Rgb[] stops)
    {
        Name = name;
        IsCyclic = isCyclic;
        _stops = stops;
    }

    /// <summary>Lower-case name, as written in options.</summary>
    public string Name { get; }

    /// <summary>True when the map wraps around (for phases).</summary>
    public bool IsCyclic { get; }

    /// <summary>Colour at the bottom of the scale (position 0).</summary>
    public Rgb Bottom => _stops[0];

    /// <summary>Colour at the top of the scale (position 1).</summary>
    public Rgb Top => _stops[^1];

    /// <summary>Viridis, from its published key colours.</summary>
    public static ColorMap Viridis { get; } = new("viridis", false,
        Hex(0x440154), Hex(0x482878), Hex(0x3e4989), Hex(0x31688e), Hex(0x26828e),
        Hex(0x1f9e89), Hex(0x35b779), Hex(0x6ece58), Hex(0xb5de2b), Hex(0xfde725));

    /// <summary>Inferno, from its published key colours.</summary>
    public static ColorMap Inferno { get; } = new("inferno", false,
        Hex(0x000004), Hex(0x1b0c41), Hex(0x4a0c6b), Hex(0x781c6d), Hex(0xa52c60),
        Hex(0xcf4446), Hex(0xed6925), Hex(0xfb9b06), Hex(0xf7d13d), Hex(0xfcffa4));

    /// <summary>Linear grey ramp.</summary>
    public static ColorMap Gray { get; } = new("gray", false, Hex(0x000000), Hex(0xffffff));

    /// <summary>Hue wheel at full saturation and value; phase −π and +π are both red.</summary>
    public static ColorMap Hsv { get; } = new("hsv", true,
        Hex(0xff0000), Hex(0xffff00), Hex(0x00ff00), Hex(0x00ffff), Hex(0x0000ff), Hex(0xff00ff), Hex(0xff0000));

    /// <summary>A twilight-like cyclic map: pale at 0 and 1, blue at ¼, dark purple at ½, red at ¾.</summary>
    public static ColorMap Twilight { get; } = new("twilight", true,
        Hex(0xe2d9e2), Hex(0x9eb2cd), Hex(0x6480bb), Hex(0x5a4ea2), Hex(0x2f1436),
        Hex(0x7a2d4e), Hex(0xb1563f), Hex(0xc99a86), Hex(0xe2d9e2));

    /// <summary>The map called <paramref name="name"/>.</summary>
    public static ColorMap Of(ColorMapName name) => name switch
    {
        ColorMapName.Viridis => Viridis,
        ColorMapName.Inferno => Inferno,
        ColorMapName.Gray => Gray,
        ColorMapName.Hsv => Hsv,
        ColorMapName.Twilight => Twilight,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown colour map"),
    };

    /// <summary>Colour at <paramref name="position"/> in 0 … 1 (clamped, or wrapped for a cyclic map; NaN gives the bottom colour).</summary>
    public Rgb Map(double position)
    {
        if (double.IsNaN(position))
        {
            return _stops[0];
        }

        position = IsCyclic ? position - Math.Floor(position) : Math.Clamp(position, 0, 1);
        var x = position * (_stops.Length - 1);
        var i = Math.Min((int)x, _stops.Length - 2);
        var f = x - i;
        var a = _stops[i];
        var b = _stops[i + 1];
        return new Rgb(Lerp(a.R, b.R, f), Lerp(a.G, b.G, f), Lerp(a.B, b.B, f));
    }

    /// <summary>Colour for a phase in radians: −π maps to position 0 and +π to position 1.</summary>
    public Rgb MapPhase(double radians) => Map((radians + Math.PI) / (2 * Math.PI));

    private static byte Lerp(byte a, byte b, double f) => (byte)Math.Round(a + ((b - a) * f));

    private static Rgb Hex(uint v) => new((byte)(v >> 16), (byte)(v >> 8), (byte)v);
}
