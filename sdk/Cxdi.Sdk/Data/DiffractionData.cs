namespace Cxdi.Sdk.Data;

/// <summary>
/// A measured (or simulated) far-field intensity: float32, 2D or 3D, row-major, with a per-pixel <see cref="MaskFlags"/>
/// mask where any unknown flag means "not measured", the geometry and the provenance.
/// </summary>
public sealed class DiffractionData : DataItem
{
    /// <summary>Creates data; <paramref name="intensity"/> and <paramref name="mask"/> must both hold <see cref="Shape.Length"/> elements.</summary>
    public DiffractionData(Shape shape, float[] intensity, uint[]? mask = null)
    {
        ArgumentNullException.ThrowIfNull(intensity);
        if (intensity.LongLength != shape.Length)
        {
            throw new ArgumentException($"intensity holds {intensity.LongLength} values, shape {shape} needs {shape.Length}", nameof(intensity));
        }

        mask ??= new uint[intensity.Length];
        if (mask.LongLength != shape.Length)
        {
            throw new ArgumentException($"mask holds {mask.LongLength} values, shape {shape} needs {shape.Length}", nameof(mask));
        }

        Shape = shape;
        Intensity = intensity;
        Mask = mask;
    }

    /// <summary>Array shape.</summary>
    public Shape Shape { get; }

    /// <summary>Photon counts (or normalised intensity), row-major.</summary>
    public float[] Intensity { get; }

    /// <summary>Per-pixel flags; non-zero <see cref="MaskFlags.Unknown"/> bits mark unknown pixels.</summary>
    public uint[] Mask { get; }

    /// <summary>Experiment geometry.</summary>
    public Geometry Geometry { get; set; } = Geometry.Unknown;

    /// <summary>An optional object-space support (1 inside) set by a support-finder step, used by phasing as its starting support.</summary>
    public byte[]? InitialSupport { get; set; }

    /// <summary>For simulated data: the true object, so quality can be measured against it.</summary>
    public Complex32[]? GroundTruth { get; set; }

    /// <inheritdoc />
    public override DataSpec Spec => new(DataSpace.Detector, Shape, IsComplex: false);

    /// <summary>True when pixel <paramref name="index"/> is measured (no unknown flag).</summary>
    public bool IsMeasured(long index) => (Mask[index] & (uint)MaskFlags.Unknown) == 0;

    /// <summary>A copy sharing nothing with this instance, with the same geometry, provenance and metadata.</summary>
    public DiffractionData Clone() => new(Shape, (float[])Intensity.Clone(), (uint[])Mask.Clone())
    {
        Geometry = Geometry,
        Provenance = Provenance,
        InitialSupport = (byte[]?)InitialSupport?.Clone(),
        GroundTruth = (Complex32[]?)GroundTruth?.Clone(),
        Metadata = new Dictionary<string, object>(Metadata, StringComparer.Ordinal),
        Findings = new Dictionary<string, object>(Findings, StringComparer.Ordinal),
    };
}
