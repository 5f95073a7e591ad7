using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Imaging.Rendering;

/// <summary>An orthogonal plane through a 3D volume, named by the two axes it keeps (rows first).</summary>
public enum SlicePlane
{
    /// <summary>Fixed z: rows are y, columns are x (the only plane of a 2D array).</summary>
    Xy,

    /// <summary>Fixed y: rows are z, columns are x.</summary>
    Xz,

    /// <summary>Fixed x: rows are z, columns are y.</summary>
    Yz,
}

/// <summary>A box of voxels [Z0, Z1) × [Y0, Y1) × [X0, X1).</summary>
/// <param name="Z0">First plane.</param>
/// <param name="Z1">One past the last plane.</param>
/// <param name="Y0">First row.</param>
/// <param name="Y1">One past the last row.</param>
/// <param name="X0">First column.</param>
/// <param name="X1">One past the last column.</param>
public readonly record struct VoxelBox(int Z0, int Z1, int Y0, int Y1, int X0, int X1)
{
    /// <summary>The whole array.</summary>
    public static VoxelBox Of(Shape shape) => new(0, shape.Nz, 0, shape.Ny, 0, shape.Nx);

    /// <summary>Centre voxel (z, y, x), rounded down.</summary>
    public (int Z, int Y, int X) Centre => ((Z0 + Z1 - 1) / 2, (Y0 + Y1 - 1) / 2, (X0 + X1 - 1) / 2);

    /// <summary>This box grown by <paramref name="margin"/> voxels on every side of every axis the shape has, clipped to it.</summary>
    public VoxelBox Expanded(int margin, Shape shape) => new(
        shape.Is3D ? Math.Max(0, Z0 - margin) : 0,
        shape.Is3D ? Math.Min(shape.Nz, Z1 + margin) : 1,
        Math.Max(0, Y0 - margin),
        Math.Min(shape.Ny, Y1 + margin),
        Math.Max(0, X0 - margin),
        Math.Min(shape.Nx, X1 + margin));
}

/// <summary>Central slices, bounding boxes and crops of row-major 2D/3D arrays (index = (z·Ny + y)·Nx + x).</summary>
public static class Slicing
{
    /// <summary>The plane <paramref name="plane"/> of <paramref name="data"/> through voxel index <paramref name="index"/> along the dropped axis.</summary>
    public static Raster<T> Slice<T>(T[] data, Shape shape, SlicePlane plane, int index)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.LongLength != shape.Length)
        {
            throw new ArgumentException($"array holds {data.LongLength} values, shape {shape} needs {shape.Length}", nameof(data));
        }

        int nz = shape.Nz, ny = shape.Ny, nx = shape.Nx;
        var extent = plane switch
        {
            SlicePlane.Xy => nz,
            SlicePlane.Xz => ny,
            _ => nx,
        };
        if (index < 0 || index >= extent)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"plane {plane} of {shape} has indices 0 … {extent - 1}");
        }

        switch (plane)
        {
            case SlicePlane.Xy:
            {
                var values = new T[ny * nx];
                Array.Copy(data, (long)index * ny * nx, values, 0, values.Length);
                return new Raster<T>(ny, nx, values);
            }

            case SlicePlane.Xz:
            {
                var values = new T[nz * nx];
                for (var z = 0; z < nz; z++)
                {
                    Array.Copy(data, (((long)z * ny) + index) * nx, values, z * nx, nx);
                }

                return new Raster<T>(nz, nx, values);
            }

            default:
            {
                var values = new T[nz * ny];
                for (var z = 0; z < nz; z++)
                {
                    for (var y = 0; y < ny; y++)
                    {
                        values[(z * ny) + y] = data[(((long)z * ny) + y) * nx + index];
                    }
                }

                return new Raster<T>(nz, ny, values);
            }
        }
    }

    /// <summary>The smallest box holding every non-zero element of <paramref name="mask"/>; null when all are zero.</summary>
    public static VoxelBox? BoundingBox(byte[] mask, Shape shape)
    {
        ArgumentNullException.ThrowIfNull(mask);
        if (mask.LongLength != shape.Length)
        {
            throw new ArgumentException($"mask holds {mask.LongLength} values, shape {shape} needs {shape.Length}", nameof(mask));
        }

        int z0 = int.MaxValue, y0 = int.MaxValue, x0 = int.MaxValue, z1 = -1, y1 = -1, x1 = -1;
        long i = 0;
        for (var z = 0; z < shape.Nz; z++)
        {
            for (var y = 0; y < shape.Ny; y++)
            {
                for (var x = 0; x < shape.Nx; x++, i++)
                {
                    if (mask[i] == 0)
                    {
                        continue;
                    }

                    z0 = Math.Min(z0, z);
                    z1 = Math.Max(z1, z);
                    y0 = Math.Min(y0, y);
                    y1 = Math.Max(y1, y);
                    x0 = Math.Min(x0, x);
                    x1 = Math.Max(x1, x);
                }
            }
        }

        return z1 < 0 ? null : new VoxelBox(z0, z1 + 1, y0, y1 + 1, x0, x1 + 1);
    }

    /// <summary>
    /// The views a picture shows: the whole plane of a 2D array, or for 3D the xy, xz and yz planes through voxel
    /// <paramref name="centre"/> (z, y, x), each cropped to <paramref name="region"/>.
    /// </summary>
    public static IReadOnlyList<(SlicePlane Plane, int Index, Raster<T> Raster)> Views<T>(T[] data, Shape shape, VoxelBox region, (int Z, int Y, int X) centre)
    {
        var (cz, cy, cx) = centre;
        if (!shape.Is3D)
        {
            return [(SlicePlane.Xy, 0, Slice(data, shape, SlicePlane.Xy, 0).Crop(region.Y0, region.Y1, region.X0, region.X1))];
        }

        return
        [
            (SlicePlane.Xy, cz, Slice(data, shape, SlicePlane.Xy, cz).Crop(region.Y0, region.Y1, region.X0, region.X1)),
            (SlicePlane.Xz, cy, Slice(data, shape, SlicePlane.Xz, cy).Crop(region.Z0, region.Z1, region.X0, region.X1)),
            (SlicePlane.Yz, cx, Slice(data, shape, SlicePlane.Yz, cx).Crop(region.Z0, region.Z1, region.Y0, region.Y1)),
        ];
    }
}
