namespace Cxdi.Sdk.Data;

/// <summary>
/// Per-pixel bit flags on the CXI 1.6 bits 0x1–0x200. Any non-zero detector flag means the pixel's intensity is
/// <em>unknown</em> (left free by phasing), never "zero photons". <see cref="Support"/> is used only in object-space result
/// images. Where the names differ from CXI's (0x20 PEAKMASK, 0x80 BAD, 0x100 OUT_OF_RESOLUTION_LIMITS) both meanings say
/// "not measured"; CXI's informational bits (0x400 and up) have no flag here and are dropped by readers.
/// </summary>
[Flags]
public enum MaskFlags : uint
{
    /// <summary>Measured and valid.</summary>
    None = 0,

    /// <summary>Invalid for an unspecified reason (also: NaN, Inf or negative values found on reading).</summary>
    Invalid = 0x1,

    /// <summary>Saturated or above the linear range.</summary>
    Saturated = 0x2,

    /// <summary>Hot pixel (outlier above its neighbourhood).</summary>
    Hot = 0x4,

    /// <summary>Dead pixel (no response).</summary>
    Dead = 0x8,

    /// <summary>Shadowed by the beamstop.</summary>
    Beamstop = 0x10,

    /// <summary>Masked by the user (threshold, drawn region, mask file).</summary>
    User = 0x20,

    /// <summary>Excluded region of interest.</summary>
    Ignore = 0x40,

    /// <summary>Between detector modules or chips.</summary>
    Gap = 0x80,

    /// <summary>A voxel that no measurement reached (missing wedge, gaps) in an assembled 3D volume.</summary>
    Empty = 0x100,

    /// <summary>Not measured at all: outside the detector or in a gap between its panels (CXI MISSING, bit 0x200).</summary>
    Missing = 0x200,

    /// <summary>Object-space only: the pixel belongs to the support (CXI image mask bit 0x10000).</summary>
    Support = 0x10000,

    /// <summary>All flags that make a detector pixel unknown.</summary>
    Unknown = Invalid | Saturated | Hot | Dead | Beamstop | User | Ignore | Gap | Empty | Missing,
}
