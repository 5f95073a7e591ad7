namespace Cxdi.Sdk.Data;

/// <summary>Whether an array lives on the detector (reciprocal space) or in the sample (real space).</summary>
public enum DataSpace
{
    /// <summary>Detector / reciprocal space: measured intensities.</summary>
    Detector,

    /// <summary>Object / real space: reconstructed complex images.</summary>
    Object,
}

/// <summary>What a step produces, declared before any data are read so a workflow can be dry-run.</summary>
/// <param name="Space">Detector or object space.</param>
/// <param name="Shape">Array shape.</param>
/// <param name="IsComplex">True for complex values.</param>
public sealed record DataSpec(DataSpace Space, Shape Shape, bool IsComplex)
{
    /// <summary>"detector 512x512 real".</summary>
    public override string ToString() => $"{Space.ToString().ToLowerInvariant()} {Shape} {(IsComplex ? "complex" : "real")}";
}
