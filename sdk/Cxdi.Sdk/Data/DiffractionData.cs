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

    /// <summary>
    /// The measured counts before a denoising step (row-major, <see cref="Shape.Length"/> values), or null when
    /// <see cref="Intensity"/> is itself the measurement. Set by <see cref="Roles.DenoiserBase{TOptions}"/>; phasing computes
    /// every log-likelihood on it and projects its final cycles on it, the denoised <see cref="Intensity"/> serving support
    /// finding and the early cycles.
    /// </summary>
    public float[]? RawIntensity { get; set; }

    /// <summary>
    /// Lower end of a predicted intensity range (photons, row-major, <see cref="Shape.Length"/> values) at unknown pixels,
    /// e.g. from an inpainting step; NaN where there is no prediction, null when none at all. The pixels stay unknown (never
    /// counted in a log-likelihood); phasing may keep |ψ|² within [<see cref="LowerBound"/>, <see cref="UpperBound"/>] there.
    /// </summary>
    public float[]? LowerBound { get; set; }

    /// <summary>Upper end of the predicted intensity range at unknown pixels (photons); NaN where there is no prediction, null when none at all (see <see cref="LowerBound"/>).</summary>
    public float[]? UpperBound { get; set; }

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
        RawIntensity = (float[]?)RawIntensity?.Clone(),
        LowerBound = (float[]?)LowerBound?.Clone(),
        UpperBound = (float[]?)UpperBound?.Clone(),
        Metadata = new Dictionary<string, object>(Metadata, StringComparer.Ordinal),
        Findings = new Dictionary<string, object>(Findings, StringComparer.Ordinal),
    };
}
