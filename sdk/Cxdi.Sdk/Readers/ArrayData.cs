using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Cxdi.Sdk.Data;

namespace Cxdi.Sdk.Readers;

/// <summary>
/// A decoded n-dimensional array as a reader found it: dimensions slowest first, element type and the elements as
/// little-endian bytes, plus what the file said about geometry, metadata and (for CXI) a flag mask.
/// </summary>
public sealed class ArrayData
{
    /// <summary>Creates an array; <paramref name="bytes"/> must hold exactly the product of <paramref name="dims"/> elements.</summary>
    public ArrayData(long[] dims, ElementType type, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(dims);
        ArgumentNullException.ThrowIfNull(bytes);
        long count = 1;
        foreach (var d in dims)
        {
            count = checked(count * d);
        }

        if (checked(count * ElementTypes.SizeOf(type)) != bytes.LongLength)
        {
            throw new ArgumentException($"{bytes.LongLength} bytes do not hold {count} elements of {ElementTypes.Name(type)}", nameof(bytes));
        }

        Dims = dims;
        Type = type;
        Bytes = bytes;
        Count = count;
    }

    /// <summary>Dimensions, slowest first.</summary>
    public long[] Dims { get; }

    /// <summary>Element type.</summary>
    public ElementType Type { get; }

    /// <summary>The elements, little-endian.</summary>
    public byte[] Bytes { get; }

    /// <summary>Number of elements.</summary>
    public long Count { get; }

    /// <summary>Header keys and other facts from the file.</summary>
    public Dictionary<string, object> Metadata { get; } = new(StringComparer.Ordinal);

    /// <summary>Geometry recorded in the file.</summary>
    public Geometry Geometry { get; set; } = Geometry.Unknown;

    /// <summary>A CXI-style flag mask stored with the data (same element count per frame or per volume), or null.</summary>
    public uint[]? Mask { get; set; }

    /// <summary>The true object stored with simulated data, or null.</summary>
    public Complex32[]? GroundTruth { get; set; }

    /// <summary>True when the values are already CXI mask flags (a mask dataset), so a mask file is used as is.</summary>
    public bool HoldsFlags { get; set; }

    /// <summary>Converts the elements to float32 (integers above 2^24 round to the nearest float).</summary>
    public float[] ToFloat()
    {
        var result = new float[Count];
        var src = Bytes.AsSpan();
        switch (Type)
        {
            case ElementType.Float32:
                MemoryMarshal.Cast<byte, float>(src).CopyTo(result);
                break;
            case ElementType.Float64:
                Convert(MemoryMarshal.Cast<byte, double>(src), result, static v => (float)v);
                break;
            case ElementType.Int8:
                Convert(MemoryMarshal.Cast<byte, sbyte>(src), result, static v => v);
                break;
            case ElementType.UInt8:
                Convert<byte>(src, result, static v => v);
                break;
            case ElementType.Bool:
                Convert<byte>(src, result, static v => v != 0 ? 1f : 0f);
                break;
            case ElementType.Int16:
                Convert(MemoryMarshal.Cast<byte, short>(src), result, static v => v);
                break;
            case ElementType.UInt16:
                Convert(MemoryMarshal.Cast<byte, ushort>(src), result, static v => v);
                break;
            case ElementType.Int32:
                Convert(MemoryMarshal.Cast<byte, int>(src), result, static v => v);
                break;
            case ElementType.UInt32:
                Convert(MemoryMarshal.Cast<byte, uint>(src), result, static v => v);
                break;
            case ElementType.Int64:
                Convert(MemoryMarshal.Cast<byte, long>(src), result, static v => v);
                break;
            case ElementType.UInt64:
                Convert(MemoryMarshal.Cast<byte, ulong>(src), result, static v => v);
                break;
            default:
                throw new InvalidOperationException($"no conversion from {Type}");
        }

        return result;
    }

    /// <summary>Converts the elements to float64 (exact for float64 and for integers up to 2^24).</summary>
    public double[] ToDouble() => Type == ElementType.Float64
        ? MemoryMarshal.Cast<byte, double>(Bytes.AsSpan()).ToArray()
        : Array.ConvertAll(ToFloat(), v => (double)v);

    /// <summary>Converts the elements to uint32 flags: integers keep their low 32 bits, floats become 1 when non-zero (NaN included).</summary>
    public uint[] ToFlags()
    {
        var result = new uint[Count];
        var src = Bytes.AsSpan();
        switch (Type)
        {
            case ElementType.Float32:
                Convert(MemoryMarshal.Cast<byte, float>(src), result, static v => v != 0 ? 1u : 0u);
                break;
            case ElementType.Float64:
                Convert(MemoryMarshal.Cast<byte, double>(src), result, static v => v != 0 ? 1u : 0u);
                break;
            case ElementType.Int8:
                Convert(MemoryMarshal.Cast<byte, sbyte>(src), result, static v => unchecked((uint)v));
                break;
            case ElementType.UInt8:
            case ElementType.Bool:
                Convert<byte>(src, result, static v => v);
                break;
            case ElementType.Int16:
                Convert(MemoryMarshal.Cast<byte, short>(src), result, static v => unchecked((uint)v));
                break;
            case ElementType.UInt16:
                Convert(MemoryMarshal.Cast<byte, ushort>(src), result, static v => v);
                break;
            case ElementType.Int32:
                Convert(MemoryMarshal.Cast<byte, int>(src), result, static v => unchecked((uint)v));
                break;
            case ElementType.UInt32:
                MemoryMarshal.Cast<byte, uint>(src).CopyTo(result);
                break;
            case ElementType.Int64:
                Convert(MemoryMarshal.Cast<byte, long>(src), result, static v => unchecked((uint)v));
                break;
            case ElementType.UInt64:
                Convert(MemoryMarshal.Cast<byte, ulong>(src), result, static v => unchecked((uint)v));
                break;
            default:
                throw new InvalidOperationException($"no conversion from {Type}");
        }

        return result;
    }

    /// <summary>Reverses the byte order of every element in place (for big-endian sources).</summary>
    public static void SwapInPlace(Span<byte> bytes, ElementType type)
    {
        switch (ElementTypes.SizeOf(type))
        {
            case 2:
                BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, ushort>(bytes), MemoryMarshal.Cast<byte, ushort>(bytes));
                break;
            case 4:
                BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, uint>(bytes), MemoryMarshal.Cast<byte, uint>(bytes));
                break;
            case 8:
                BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, ulong>(bytes), MemoryMarshal.Cast<byte, ulong>(bytes));
                break;
        }
    }

    private static void Convert<T>(ReadOnlySpan<T> src, float[] dst, Func<T, float> f)
    {
        for (var i = 0; i < dst.Length; i++)
        {
            dst[i] = f(src[i]);
        }
    }

    private static void Convert<T>(ReadOnlySpan<T> src, uint[] dst, Func<T, uint> f)
    {
        for (var i = 0; i < dst.Length; i++)
        {
            dst[i] = f(src[i]);
        }
    }
}
