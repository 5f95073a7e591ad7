namespace Cxdi.Sdk.Data;

/// <summary>The experiment geometry in SI units; every value is optional because many files do not record it.</summary>
public sealed record Geometry
{
    /// <summary>X-ray wavelength in metres.</summary>
    public double? Wavelength { get; init; }

    /// <summary>Sample-to-detector distance in metres.</summary>
    public double? DetectorDistance { get; init; }

    /// <summary>Detector pixel size along x (columns) in metres.</summary>
    public double? PixelSizeX { get; init; }

    /// <summary>Detector pixel size along y (rows) in metres.</summary>
    public double? PixelSizeY { get; init; }

    /// <summary>Direct-beam position on the detector, column coordinate in pixels.</summary>
    public double? BeamCenterX { get; init; }

    /// <summary>Direct-beam position on the detector, row coordinate in pixels.</summary>
    public double? BeamCenterY { get; init; }

    /// <summary>For a tilt series: one sample rotation angle per frame, in radians.</summary>
    public IReadOnlyList<double>? TiltAngles { get; init; }

    /// <summary>For a tilt series: the rotation axis as a unit vector (x, y, z) in the laboratory frame (z along the beam).</summary>
    public IReadOnlyList<double>? TiltAxis { get; init; }

    /// <summary>Photon energy in joules, derived from <see cref="Wavelength"/>.</summary>
    public double? Energy => Wavelength is { } l ? PlanckTimesC / l : null;

    /// <summary>h·c in J·m, to convert between wavelength and photon energy.</summary>
    public const double PlanckTimesC = 1.98644586e-25;

    /// <summary>The empty geometry.</summary>
    public static Geometry Unknown { get; } = new();
}
