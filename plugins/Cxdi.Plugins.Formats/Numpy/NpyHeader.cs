using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Readers;

namespace Cxdi.Plugins.Formats.Numpy;

/// <summary>The parsed header of a <c>.npy</c> array (format versions 1–3).</summary>
/// <param name="Dims">Shape, slowest first as written (C order) or as declared (Fortran order).</param>
/// <param name="Type">Element type.</param>
/// <param name="BigEndian">True for a <c>&gt;</c> byte order.</param>
/// <param name="FortranOrder">True when the data are stored column-major.</param>
/// <param name="DataOffset">Offset of the first data byte from the start of the array.</param>
public sealed partial record NpyHeader(long[] Dims, ElementType Type, bool BigEndian, bool FortranOrder, long DataOffset)
{
    /// <summary>The 6-byte magic string.</summary>
    public static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Largest header accepted.</summary>
    public const int MaxHeaderLength = 1 << 20;

    /// <summary>Bytes of data the header declares.</summary>
    public long DataBytes => Dims.Aggregate(1L, (a, b) => a * b) * ElementTypes.SizeOf(Type);

    /// <summary>Parses the header from <paramref name="stream"/> (positioned at the magic string); <paramref name="name"/> names the file in errors.</summary>
    public static NpyHeader Read(Stream stream, string name, long? available)
    {
        Span<byte> pre = stackalloc byte[12];
        var got = ReadUpTo(stream, pre[..10]);
        if (got < 10 || !pre[..6].SequenceEqual(Magic))
        {
            throw new UnsupportedFormatException(name, "is not a NumPy .npy array (no \\x93NUMPY magic)", "save it with numpy.save");
        }

        int major = pre[6];
        int headerLength;
        int prefix;
        if (major == 1)
        {
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(pre[8..]);
            prefix = 10;
        }
        else if (major is 2 or 3)
        {
            if (ReadUpTo(stream, pre[10..12]) < 2)
            {
                throw new InvalidInputException(name, "ends inside the .npy preamble", "the file is truncated");
            }

            var length = BinaryPrimitives.ReadUInt32LittleEndian(pre[8..]);
            if (length > MaxHeaderLength)
            {
                throw new InvalidInputException(name, $".npy header declares {length} bytes, more than the {MaxHeaderLength} accepted", "the file is corrupt");
            }

            headerLength = (int)length;
            prefix = 12;
        }
        else
        {
            throw new UnsupportedFormatException(name, $".npy format version {major}.{pre[7]} is unknown (1–3 are read)", "re-save with numpy.save");
        }

        if (available is { } have && prefix + headerLength > have)
        {
            throw new InvalidInputException(name, $".npy header declares {headerLength} bytes but the file holds only {have}", "the file is truncated");
        }

        var header = new byte[headerLength];
        if (ReadUpTo(stream, header) < headerLength)
        {
            throw new InvalidInputException(name, "ends inside the .npy header", "the file is truncated");
        }

        var text = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(header);
        return Parse(text, name, prefix + headerLength);
    }

    /// <summary>Parses the Python dict literal of a header.</summary>
    public static NpyHeader Parse(string text, string name, long dataOffset)
    {
        var descr = DescrPattern().Match(text);
        var fortran = FortranPattern().Match(text);
        var shape = ShapePattern().Match(text);
        if (!text.TrimStart().StartsWith('{') || !descr.Success || !fortran.Success || !shape.Success)
        {
            if (text.Contains("'descr': [", StringComparison.Ordinal))
            {
                throw new UnsupportedFormatException(name, "holds a structured (record) array", "save a plain numeric array");
            }

            throw new InvalidInputException(name, $"malformed .npy header '{Shorten(text)}'", "the file is corrupt; re-save with numpy.save");
        }

        var d = descr.Groups[1].Value;
        var (type, bigEndian) = ParseDescr(d, name);
        var dims = new List<long>();
        foreach (var part in shape.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var p = part.TrimEnd('L');
            if (!long.TryParse(p, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
            {
                throw new InvalidInputException(name, $".npy shape entry '{part}' is not an integer", "the file is corrupt");
            }

            dims.Add(n);
        }

        return new NpyHeader([.. dims], type, bigEndian, fortran.Groups[1].Value == "True", dataOffset);
    }

    private static (ElementType Type, bool BigEndian) ParseDescr(string d, string name)
    {
        if (d.Length < 2)
        {
            throw new InvalidInputException(name, $".npy dtype '{d}' is malformed", "the file is corrupt");
        }

        var order = d[0];
        var code = order is '<' or '>' or '|' or '=' ? d[1..] : d;
        var big = order == '>';
        ElementType? type = code switch
        {
            "f4" => ElementType.Float32,
            "f8" => ElementType.Float64,
            "i1" => ElementType.Int8,
            "u1" => ElementType.UInt8,
            "i2" => ElementType.Int16,
            "u2" => ElementType.UInt16,
            "i4" => ElementType.Int32,
            "u4" => ElementType.UInt32,
            "i8" => ElementType.Int64,
            "u8" => ElementType.UInt64,
            "b1" => ElementType.Bool,
            _ => null,
        };
        if (type is { } t)
        {
            return (t, big);
        }

        if (code.StartsWith('c'))
        {
            throw new UnsupportedFormatException(name, $"holds complex values (dtype {d}); a diffraction intensity is real", "save np.abs(a)**2 for an intensity, or the real part if that is what you mean");
        }

        throw new UnsupportedFormatException(name, $".npy dtype '{d}' is not supported; supported: float32/64, (u)int8–64, bool", "convert with a.astype(np.float32)");
    }

    private static int ReadUpTo(Stream stream, Span<byte> buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = stream.Read(buffer[total..]);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }

    private static string Shorten(string text)
    {
        var t = new string(text.Where(c => c >= ' ' && c < 127).ToArray()).Trim();
        return t.Length > 80 ? t[..80] + "…" : t;
    }

    [GeneratedRegex(@"['""]descr['""]\s*:\s*['""]([^'""]*)['""]")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"['""]fortran_order['""]\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"['""]shape['""]\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
