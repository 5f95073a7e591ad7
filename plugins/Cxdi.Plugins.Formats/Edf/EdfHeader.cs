using System.Globalization;
using System.Text;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Readers;

namespace Cxdi.Plugins.Formats.Edf;

/// <summary>One header + data block of an EDF file.</summary>
/// <param name="Index">Block number, from 0.</param>
/// <param name="Keys">Header keys and values in file order.</param>
/// <param name="DataOffset">Offset of the first data byte.</param>
/// <param name="DataSize">Bytes reserved for the data (the <c>Size</c> key, or the data size).</param>
/// <param name="Dims">Dim_3 (1 when absent), Dim_2, Dim_1.</param>
/// <param name="Type">Element type.</param>
/// <param name="BigEndian">True for <c>HighByteFirst</c>.</param>
public sealed record EdfBlock(int Index, IReadOnlyList<KeyValuePair<string, string>> Keys, long DataOffset, long DataSize, long[] Dims, ElementType Type, bool BigEndian)
{
    /// <summary>The value of <paramref name="key"/> (case-insensitive), or null.</summary>
    public string? Get(string key) => Keys.FirstOrDefault(k => string.Equals(k.Key, key, StringComparison.OrdinalIgnoreCase)).Value;
}

/// <summary>
/// Parses EDF (ESRF Data Format) files: successive blocks of an ASCII header <c>{ key = value ; … }</c> (padded with
/// spaces to a multiple of 512 bytes, closed by <c>}</c> and a newline) followed by the binary data it describes.
/// Every size is checked against the file length before any data are read.
/// </summary>
public static class EdfFile
{
    /// <summary>Longest header accepted, in bytes.</summary>
    public const int MaxHeaderLength = 1 << 20;

    /// <summary>True when <paramref name="head"/> starts like an EDF header: <c>{</c>, then header keys.</summary>
    public static bool LooksLikeEdf(ReadOnlySpan<byte> head)
    {
        var i = 0;
        while (i < head.Length && head[i] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
        {
            i++;
        }

        if (i >= head.Length || head[i] != (byte)'{')
        {
            return false;
        }

        var text = Encoding.ASCII.GetString(head[i..Math.Min(head.Length, i + 4096)]);
        return text.Contains("Dim_1", StringComparison.OrdinalIgnoreCase)
            || text.Contains("DataType", StringComparison.OrdinalIgnoreCase)
            || text.Contains("HeaderID", StringComparison.OrdinalIgnoreCase)
            || text.Contains("EDF_", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Scans every block of <paramref name="file"/>; throws <see cref="InvalidInputException"/> or <see cref="UnsupportedFormatException"/> on bad input.</summary>
    public static IReadOnlyList<EdfBlock> Scan(string file)
    {
        using var handle = File.OpenHandle(file);
        var length = RandomAccess.GetLength(handle);
        var blocks = new List<EdfBlock>();
        long offset = 0;
        var probe = new byte[512];
        while (offset < length)
        {
            var n = RandomAccess.Read(handle, probe, offset);
            var first = FirstNonBlank(probe.AsSpan(0, n));
            if (first < 0)
            {
                if (blocks.Count == 0)
                {
                    throw new InvalidInputException(file, "holds no EDF header (blank file)", "check that the file is an EDF image");
                }

                offset += n;
                continue;
            }

            if (probe[first] != (byte)'{')
            {
                if (blocks.Count == 0)
                {
                    throw new UnsupportedFormatException(file, "is not an EDF file: it does not start with '{'", "choose the reader for this format");
                }

                throw new InvalidInputException(file, $"unexpected bytes at offset {offset + first} after image {blocks.Count}: no '{{' opens a next header", "the file is corrupt or a header's Size is wrong");
            }

            var block = ReadBlock(file, handle, length, offset + first, blocks.Count);
            blocks.Add(block);
            offset = block.DataOffset + block.DataSize;
        }

        if (blocks.Count == 0)
        {
            throw new InvalidInputException(file, "is empty (0 bytes)", "check that the file was written completely");
        }

        return blocks;
    }

    /// <summary>Maps an EDF <c>DataType</c> value to an element type, or null when unknown.</summary>
    public static ElementType? ParseType(string value)
    {
        var t = value.Replace(" ", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();
        return t switch
        {
            "floatvalue" or "float" or "floatieee32" or "float32" or "real" => ElementType.Float32,
            "doublevalue" or "double" or "doubleieee64" or "float64" => ElementType.Float64,
            "signedbyte" or "signedchar" or "char" or "int8" => ElementType.Int8,
            "unsignedbyte" or "unsignedchar" or "uint8" => ElementType.UInt8,
            "signedshort" or "signedshortinteger" or "short" or "int16" => ElementType.Int16,
            "unsignedshort" or "unsignedshortinteger" or "ushort" or "uint16" => ElementType.UInt16,
            "signedinteger" or "signedint" or "integer" or "int" or "signedlong" or "signedlonginteger" or "long" or "int32" => ElementType.Int32,
            "unsignedinteger" or "unsignedint" or "unsignedlong" or "unsignedlonginteger" or "uint32" => ElementType.UInt32,
            "signed64" or "signedlonglong" or "int64" => ElementType.Int64,
            "unsigned64" or "unsignedlonglong" or "uint64" => ElementType.UInt64,
            _ => null,
        };
    }

    private static EdfBlock ReadBlock(string file, Microsoft.Win32.SafeHandles.SafeFileHandle handle, long length, long start, int index)
    {
        var where = index == 0 ? "header" : $"header of image {index + 1}";
        var max = (int)Math.Min(MaxHeaderLength, length - start);
        var buffer = new byte[Math.Min(max, 4096)];
        var filled = 0;
        var close = -1;
        while (close < 0)
        {
            if (filled == buffer.Length)
            {
                if (buffer.Length >= max)
                {
                    var why = max >= MaxHeaderLength ? $"within the first {MaxHeaderLength} bytes" : "before the end of the file";
                    throw new InvalidInputException(file, $"{where} at offset {start} has no closing '}}' {why}", "the file is truncated or not an EDF image");
                }

                Array.Resize(ref buffer, Math.Min(max, buffer.Length * 4));
            }

            var n = RandomAccess.Read(handle, buffer.AsSpan(filled), start + filled);
            if (n == 0)
            {
                throw new InvalidInputException(file, $"{where} at offset {start} has no closing '}}' before the end of the file", "the file is truncated");
            }

            var from = filled;
            filled += n;
            close = Array.IndexOf(buffer, (byte)'}', from, filled - from);
        }

        var dataOffset = start + close + 1;
        if (close + 1 < filled && buffer[close + 1] == (byte)'\r')
        {
            dataOffset++;
        }

        if (dataOffset - start < filled && buffer[dataOffset - start] == (byte)'\n')
        {
            dataOffset++;
        }

        var keys = ParseKeys(file, where, buffer.AsSpan(1, close - 1));
        string? Get(string key) => keys.FirstOrDefault(k => string.Equals(k.Key, key, StringComparison.OrdinalIgnoreCase)).Value;

        if (Get("Compression") is { } compression && !string.Equals(compression.Trim(), "None", StringComparison.OrdinalIgnoreCase))
        {
            throw new UnsupportedFormatException(file, $"{where} declares Compression = {compression}; only uncompressed EDF is read", "decompress the file (e.g. with fabio) first");
        }

        var typeText = Get("DataType") ?? throw new InvalidInputException(file, $"{where} has no DataType key", "the header is incomplete");
        var type = ParseType(typeText) ?? throw new UnsupportedFormatException(file, $"{where} declares unknown DataType = {typeText}", "supported: FloatValue, DoubleValue, Signed/Unsigned Byte, Short, Integer, Long, 64");

        var order = Get("ByteOrder");
        bool bigEndian;
        if (order is null || order.Equals("LowByteFirst", StringComparison.OrdinalIgnoreCase))
        {
            bigEndian = false;
        }
        else if (order.Equals("HighByteFirst", StringComparison.OrdinalIgnoreCase))
        {
            bigEndian = true;
        }
        else
        {
            throw new InvalidInputException(file, $"{where} declares unknown ByteOrder = {order}", "use LowByteFirst or HighByteFirst");
        }

        var dim1 = ParseDim(file, where, "Dim_1", Get("Dim_1"), required: true);
        var dim2 = ParseDim(file, where, "Dim_2", Get("Dim_2"), required: true);
        var dim3 = ParseDim(file, where, "Dim_3", Get("Dim_3"), required: false);
        long[] dims = [dim3, dim2, dim1];
        var available = length - dataOffset;
        var needed = ReaderErrors.CheckDeclaredSize(file, dims, ElementTypes.SizeOf(type), available, $"image {index + 1}");

        var size = needed;
        var sizeText = Get("EDF_BinarySize") ?? Get("Size");
        if (sizeText is not null)
        {
            if (!long.TryParse(sizeText.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out size) || size < 0)
            {
                throw new InvalidInputException(file, $"{where} declares Size = {sizeText}, not a byte count", "the header is corrupt");
            }

            if (size < needed)
            {
                throw new InvalidInputException(file, $"{where} declares Size = {size} bytes but {dim1}x{dim2}x{dim3} {ElementTypes.Name(type)} need {needed}", "the header is corrupt");
            }

            if (size > available)
            {
                throw new InvalidInputException(file, $"{where} declares Size = {size} bytes but only {available} follow the header", "the file is truncated");
            }
        }

        return new EdfBlock(index, keys, dataOffset, size, dims, type, bigEndian);
    }

    private static long ParseDim(string file, string where, string key, string? text, bool required)
    {
        if (text is null)
        {
            return required
                ? throw new InvalidInputException(file, $"{where} has no {key} key", "a 2D EDF image needs Dim_1 (columns) and Dim_2 (rows)")
                : 1;
        }

        if (!long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            throw new InvalidInputException(file, $"{where} declares {key} = {text}, not an integer", "the header is corrupt");
        }

        if (value < 1 || value > int.MaxValue)
        {
            throw new InvalidInputException(file, $"{where} declares {key} = {value}; a dimension must be 1 … {int.MaxValue}", "the header is corrupt");
        }

        return value;
    }

    private static List<KeyValuePair<string, string>> ParseKeys(string file, string where, ReadOnlySpan<byte> body)
    {
        foreach (var b in body)
        {
            if (b == 0 || (b < 0x20 && b is not ((byte)'\n' or (byte)'\r' or (byte)'\t')))
            {
                throw new InvalidInputException(file, $"{where} contains binary bytes", "the file is corrupt or not an EDF image");
            }
        }

        var keys = new List<KeyValuePair<string, string>>();
        var text = Encoding.Latin1.GetString(body);
        foreach (var statement in text.Split(';'))
        {
            var s = statement.Trim();
            if (s.Length == 0)
            {
                continue;
            }

            var eq = s.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue;
            }

            var key = OneLine(s[..eq]);
            var value = OneLine(s[(eq + 1)..]);
            if (key.Length > 0)
            {
                keys.Add(new(key, value));
            }
        }

        return keys;
    }

    private static string OneLine(string text)
    {
        var clean = string.Join(' ', text.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return clean.Length > 200 ? clean[..200] : clean;
    }

    private static int FirstNonBlank(ReadOnlySpan<byte> bytes)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] is not ((byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t' or 0))
            {
                return i;
            }
        }

        return -1;
    }
}
