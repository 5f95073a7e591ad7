using Cxdi.Plugins.Imaging.Rendering;
using SkiaSharp;

namespace Cxdi.Plugins.Imaging.Tests;

/// <summary>Reads PNG files back for assertions.</summary>
internal sealed class Png : IDisposable
{
    private readonly SKBitmap _bitmap;

    public Png(string path)
    {
        _bitmap = SKBitmap.Decode(path) ?? throw new InvalidDataException($"{path} is not a picture");
    }

    public int Width => _bitmap.Width;

    public int Height => _bitmap.Height;

    public Rgb this[int x, int y]
    {
        get
        {
            var c = _bitmap.GetPixel(x, y);
            return new Rgb(c.Red, c.Green, c.Blue);
        }
    }

    /// <summary>Pixels of exactly <paramref name="colour"/> with x below <paramref name="maxX"/>.</summary>
    public List<(int X, int Y)> Find(Rgb colour, int maxX)
    {
        var found = new List<(int X, int Y)>();
        for (var y = 0; y < Height; y++)
        {
            for (var x = 0; x < Math.Min(maxX, Width); x++)
            {
                if (this[x, y] == colour)
                {
                    found.Add((x, y));
                }
            }
        }

        return found;
    }

    /// <summary>Bounding box [x0, x1) × [y0, y1) of the pixels of <paramref name="colour"/> whose whole (2k+1)² neighbourhood has that
    /// colour too (so thin text strokes of the same colour do not count), grown back by k.</summary>
    public (int X0, int X1, int Y0, int Y1) SolidRegion(Rgb colour, int maxX, int k = 3)
    {
        int x0 = int.MaxValue, x1 = -1, y0 = int.MaxValue, y1 = -1;
        foreach (var (x, y) in Find(colour, maxX))
        {
            if (x < k || y < k || x + k >= Width || y + k >= Height)
            {
                continue;
            }

            var solid = true;
            for (var dy = -k; dy <= k && solid; dy++)
            {
                for (var dx = -k; dx <= k && solid; dx++)
                {
                    solid = this[x + dx, y + dy] == colour;
                }
            }

            if (solid)
            {
                (x0, x1, y0, y1) = (Math.Min(x0, x), Math.Max(x1, x), Math.Min(y0, y), Math.Max(y1, y));
            }
        }

        return (x0 - k, x1 + k + 1, y0 - k, y1 + k + 1);
    }

    public void Dispose() => _bitmap.Dispose();
}
