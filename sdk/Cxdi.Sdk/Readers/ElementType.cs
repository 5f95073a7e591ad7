namespace Cxdi.Sdk.Readers;

/// <summary>Element types the readers decode, independent of any file format.</summary>
public enum ElementType
{
    /// <summary>Signed 8-bit integer.</summary>
    Int8,

    /// <summary>Unsigned 8-bit integer.</summary>
    UInt8,

    /// <summary>Signed 16-bit integer.</summary>
    Int16,

    /// <summary>Unsigned 16-bit integer.</summary>
    UInt16,

    /// <summary>Signed 32-bit integer.</summary>
    Int32,

    /// <summary>Unsigned 32-bit integer.</summary>
    UInt32,

    /// <summary>Signed 64-bit integer.</summary>
    Int64,

    /// <summary>Unsigned 64-bit integer.</summary>
    UInt64,

    /// <summary>IEEE 754 single precision.</summary>
    Float32,

    /// <summary>IEEE 754 double precision.</summary>
    Float64,

    /// <summary>One byte, zero false, anything else true.</summary>
    Bool,
}

/// <summary>Sizes and names of <see cref="ElementType"/> values.</summary>
public static class ElementTypes
{
    /// <summary>Bytes per element.</summary>
    public static int SizeOf(ElementType type) => type switch
    {
        ElementType.Int8 or ElementType.UInt8 or ElementType.Bool => 1,
        ElementType.Int16 or ElementType.UInt16 => 2,
        ElementType.Int32 or ElementType.UInt32 or ElementType.Float32 => 4,
        ElementType.Int64 or ElementType.UInt64 or ElementType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown element type"),
    };

    /// <summary>True for integer and boolean types (exact flag values).</summary>
    public static bool IsInteger(ElementType type) => type is not (ElementType.Float32 or ElementType.Float64);

    /// <summary>Lower-case numpy-style name (<c>float32</c>, <c>uint16</c>).</summary>
    public static string Name(ElementType type) => type.ToString().ToLowerInvariant();
}
