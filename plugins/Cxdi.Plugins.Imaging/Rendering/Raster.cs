namespace Cxdi.Plugins.Imaging.Rendering;

/// <summary>A 2D row-major array of <paramref name="Rows"/> × <paramref name="Cols"/> values (row 0 is the top of a picture).</summary>
/// <typeparam name="T">Element type.</typeparam>
/// <param name="Rows">Number of rows.</param>
/// <param name="Cols">Number of columns.</param>
/// <param name="Values">Row-major values, <c>Rows * Cols</c> of them.</param>
public sealed record Raster<T>(int Rows, int Cols, T[] Values)
{
    /// <summary>Value at (<paramref name="row"/>, <paramref name="col"/>).</summary>
    public T this[int row, int col] => Values[(row * Cols) + col];

    /// <summary>The sub-array of rows [r0, r1) and columns [c0, c1).</summary>
    public Raster<T> Crop(int r0, int r1, int c0, int c1)
    {
        if (r0 < 0 || c0 < 0 || r1 > Rows || c1 > Cols || r1 <= r0 || c1 <= c0)
        {
            throw new ArgumentOutOfRangeException(nameof(r0), $"crop [{r0},{r1})x[{c0},{c1}) is outside {Rows}x{Cols}");
        }

        var cols = c1 - c0;
        var values = new T[(r1 - r0) * cols];
        for (var r = r0; r < r1; r++)
        {
            Array.Copy(Values, (r * Cols) + c0, values, (r - r0) * cols, cols);
        }

        return new Raster<T>(r1 - r0, cols, values);
    }

    /// <summary>Applies <paramref name="map"/> to every element.</summary>
    public Raster<TOut> Select<TOut>(Func<T, TOut> map)
    {
        var values = new TOut[Values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = map(Values[i]);
        }

        return new Raster<TOut>(Rows, Cols, values);
    }
}
