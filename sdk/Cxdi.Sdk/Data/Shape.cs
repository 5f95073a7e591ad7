namespace Cxdi.Sdk.Data;

/// <summary>The dimensions of a 2D or 3D row-major array; index = (z * Ny + y) * Nx + x, with Nz = 1 in 2D.</summary>
public readonly record struct Shape
{
    /// <summary>Creates a shape; use <see cref="Of(int,int)"/> or <see cref="Of(int,int,int)"/>.</summary>
    private Shape(int rank, int nz, int ny, int nx)
    {
        Rank = rank;
        Nz = nz;
        Ny = ny;
        Nx = nx;
    }

    /// <summary>Number of dimensions: 2 or 3.</summary>
    public int Rank { get; }

    /// <summary>Slowest axis (frames or depth); 1 in 2D.</summary>
    public int Nz { get; }

    /// <summary>Rows.</summary>
    public int Ny { get; }

    /// <summary>Columns (fastest axis).</summary>
    public int Nx { get; }

    /// <summary>Number of elements.</summary>
    public long Length => (long)Nz * Ny * Nx;

    /// <summary>True for a 3D shape.</summary>
    public bool Is3D => Rank == 3;

    /// <summary>A 2D shape of <paramref name="ny"/> rows by <paramref name="nx"/> columns.</summary>
    public static Shape Of(int ny, int nx)
    {
        Check(ny, nameof(ny));
        Check(nx, nameof(nx));
        return new Shape(2, 1, ny, nx);
    }

    /// <summary>A 3D shape of <paramref name="nz"/> × <paramref name="ny"/> × <paramref name="nx"/>.</summary>
    public static Shape Of(int nz, int ny, int nx)
    {
        Check(nz, nameof(nz));
        Check(ny, nameof(ny));
        Check(nx, nameof(nx));
        return new Shape(3, nz, ny, nx);
    }

    /// <summary>The dimensions slowest first: [ny, nx] or [nz, ny, nx].</summary>
    public int[] Dimensions => Rank == 2 ? [Ny, Nx] : [Nz, Ny, Nx];

    /// <summary>A shape from dimensions listed slowest first (2 or 3 of them).</summary>
    public static Shape FromDimensions(IReadOnlyList<int> dims) => dims.Count switch
    {
        2 => Of(dims[0], dims[1]),
        3 => Of(dims[0], dims[1], dims[2]),
        _ => throw new ArgumentException($"a shape has 2 or 3 dimensions, not {dims.Count}", nameof(dims)),
    };

    /// <summary>"512x512" or "64x64x64", slowest axis first.</summary>
    public override string ToString() => Rank == 2 ? $"{Ny}x{Nx}" : $"{Nz}x{Ny}x{Nx}";

    private static void Check(int n, string name)
    {
        if (n <= 0)
        {
            throw new ArgumentOutOfRangeException(name, n, "every dimension must be at least 1");
        }
    }
}
