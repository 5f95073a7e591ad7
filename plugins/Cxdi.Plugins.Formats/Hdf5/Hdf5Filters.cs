using System.Buffers.Binary;
using K4os.Compression.LZ4;
using PureHDF.Filters;

namespace Cxdi.Plugins.Formats.Hdf5;

/// <summary>Registers the HDF5 filters detector files need beyond PureHDF's built-ins (LZ4 32004, bitshuffle 32008), once per process.</summary>
public static class Hdf5Filters
{
    private static readonly Lazy<bool> Registered = new(() =>
    {
        H5Filter.Register(new Lz4Filter());
        H5Filter.Register(new BitshuffleFilter());
        return true;
    });

    /// <summary>Registers the filters with PureHDF (idempotent, thread-safe).</summary>
    public static void EnsureRegistered() => _ = Registered.Value;

    /// <summary>Decodes one LZ4 block of exactly <paramref name="target"/>.Length bytes; throws <see cref="InvalidDataException"/> when corrupt.</summary>
    internal static void DecodeLz4Block(ReadOnlySpan<byte> source, Span<byte> target, string filter)
    {
        var n = LZ4Codec.Decode(source, target);
        if (n != target.Length)
        {
            throw new InvalidDataException($"{filter}: corrupt LZ4 block ({source.Length} compressed bytes decode to {n}, expected {target.Length})");
        }
    }

    /// <summary>Reads a big-endian length field at <paramref name="at"/>, failing cleanly when the chunk is too short.</summary>
    internal static long ReadBigEndian(ReadOnlySpan<byte> chunk, int at, int size, string filter)
    {
        if (at + size > chunk.Length)
        {
            throw new InvalidDataException($"{filter}: chunk of {chunk.Length} bytes ends inside its header");
        }

        return size == 8 ? (long)BinaryPrimitives.ReadUInt64BigEndian(chunk[at..]) : BinaryPrimitives.ReadUInt32BigEndian(chunk[at..]);
    }
}

/// <summary>
/// HDF5 filter 32004 (LZ4, as written by hdf5plugin and the HDF5 LZ4 plugin): an 8-byte big-endian original size and a
/// 4-byte big-endian block size, then per block a 4-byte big-endian compressed size and an LZ4 block (stored raw when
/// the compressed size equals the block size). Decompression only.
/// </summary>
public sealed class Lz4Filter : IH5Filter
{
    /// <summary>Registered HDF5 filter id.</summary>
    public const ushort Id = 32004;

    /// <inheritdoc />
    public ushort FilterId => Id;

    /// <inheritdoc />
    public string Name => "lz4";

    /// <inheritdoc />
    public Memory<byte> Filter(FilterInfo info)
    {
        if (!info.Flags.HasFlag(H5FilterFlags.Decompress))
        {
            throw new NotSupportedException("the LZ4 filter only decompresses");
        }

        var src = info.Buffer.Span;
        var total = Hdf5Filters.ReadBigEndian(src, 0, 8, Name);
        var blockSize = Hdf5Filters.ReadBigEndian(src, 8, 4, Name);
        if (total < 0 || total > Array.MaxLength || (info.ChunkSize > 0 && total > Math.Max(info.ChunkSize, 0) * 2L + 64))
        {
            throw new InvalidDataException($"lz4: chunk declares {total} uncompressed bytes for a {info.ChunkSize}-byte chunk");
        }

        if (blockSize <= 0 && total > 0)
        {
            throw new InvalidDataException("lz4: block size 0");
        }

        var output = new byte[total];
        var at = 12;
        long done = 0;
        while (done < total)
        {
            var block = (int)Math.Min(blockSize, total - done);
            var compressed = (int)Hdf5Filters.ReadBigEndian(src, at, 4, Name);
            at += 4;
            if (compressed < 0 || at + (long)compressed > src.Length)
            {
                throw new InvalidDataException($"lz4: block of {compressed} bytes runs past the chunk end");
            }

            var target = output.AsSpan((int)done, block);
            if (compressed == block)
            {
                src.Slice(at, block).CopyTo(target);
            }
            else
            {
                Hdf5Filters.DecodeLz4Block(src.Slice(at, compressed), target, Name);
            }

            at += compressed;
            done += block;
        }

        return output;
    }

    /// <inheritdoc />
    public uint[] GetParameters(uint[] chunkDimensions, uint typeSize, Dictionary<string, object>? options) => [0];
}

/// <summary>
/// HDF5 filter 32008 (bitshuffle): elements are bit-transposed within blocks and, with LZ4 (parameter 4 = 2), each block
/// is LZ4-compressed. Compressed chunks start with an 8-byte big-endian uncompressed size and a 4-byte big-endian block
/// size in bytes; each block follows as a 4-byte big-endian compressed size and an LZ4 block. Elements beyond the last
/// multiple of 8 are stored raw at the end. Parameters: [2] element size, [3] block size in elements (0: default),
/// [4] compression (0 none, 2 LZ4). Decompression only.
/// </summary>
public sealed class BitshuffleFilter : IH5Filter
{
    /// <summary>Registered HDF5 filter id.</summary>
    public const ushort Id = 32008;

    private const int CompressNone = 0;
    private const int CompressLz4 = 2;

    /// <inheritdoc />
    public ushort FilterId => Id;

    /// <inheritdoc />
    public string Name => "bitshuffle";

    /// <inheritdoc />
    public Memory<byte> Filter(FilterInfo info)
    {
        if (!info.Flags.HasFlag(H5FilterFlags.Decompress))
        {
            throw new NotSupportedException("the bitshuffle filter only decompresses");
        }

        var p = info.Parameters;
        if (p.Length < 3 || p[2] is 0 or > 64)
        {
            throw new InvalidDataException($"bitshuffle: missing or invalid element size in the filter parameters [{string.Join(", ", p)}]");
        }

        var elemSize = (int)p[2];
        var compression = p.Length > 4 ? (int)p[4] : CompressNone;
        var src = info.Buffer.Span;
        return compression switch
        {
            CompressLz4 => DecompressLz4(src, elemSize, info.ChunkSize),
            CompressNone => Unshuffle(src, elemSize, p.Length > 3 ? (int)p[3] : 0),
            _ => throw new NotSupportedException($"bitshuffle: compression {compression} (zstd?) is not supported; only LZ4 (2) and none (0)"),
        };
    }

    /// <inheritdoc />
    public uint[] GetParameters(uint[] chunkDimensions, uint typeSize, Dictionary<string, object>? options) => [0, 0, typeSize, 0, CompressLz4];

    /// <summary>The bitshuffle default block size in elements for an element size.</summary>
    public static int DefaultBlockSize(int elemSize)
    {
        var block = 8192 / elemSize;
        block = block / 8 * 8;
        return Math.Max(block, 128);
    }

    private static byte[] DecompressLz4(ReadOnlySpan<byte> src, int elemSize, int chunkSize)
    {
        var total = Hdf5Filters.ReadBigEndian(src, 0, 8, "bitshuffle");
        var blockBytes = Hdf5Filters.ReadBigEndian(src, 8, 4, "bitshuffle");
        if (total < 0 || total > Array.MaxLength || (chunkSize > 0 && total > chunkSize * 2L + 64) || total % elemSize != 0)
        {
            throw new InvalidDataException($"bitshuffle: chunk declares {total} uncompressed bytes for a {chunkSize}-byte chunk of {elemSize}-byte elements");
        }

        var blockSize = (int)(blockBytes / elemSize);
        if (blockSize <= 0 || blockSize % 8 != 0)
        {
            blockSize = DefaultBlockSize(elemSize);
        }

        var count = total / elemSize;
        var output = new byte[total];
        var scratch = new byte[blockSize * elemSize];
        var at = 12;
        long element = 0;
        var whole = count - (count % 8);
        while (element < whole)
        {
            var n = (int)Math.Min(blockSize, whole - element);
            var bytes = n * elemSize;
            var compressed = (int)Hdf5Filters.ReadBigEndian(src, at, 4, "bitshuffle");
            at += 4;
            if (compressed < 0 || at + (long)compressed > src.Length)
            {
                throw new InvalidDataException($"bitshuffle: block of {compressed} bytes runs past the chunk end");
            }

            Hdf5Filters.DecodeLz4Block(src.Slice(at, compressed), scratch.AsSpan(0, bytes), "bitshuffle");
            BitShuffle.Untranspose(scratch.AsSpan(0, bytes), output.AsSpan((int)(element * elemSize), bytes), n, elemSize);
            at += compressed;
            element += n;
        }

        var rest = (int)((count - whole) * elemSize);
        if (rest > 0)
        {
            if (at + rest > src.Length)
            {
                throw new InvalidDataException("bitshuffle: the raw remainder runs past the chunk end");
            }

            src.Slice(at, rest).CopyTo(output.AsSpan((int)(whole * elemSize)));
        }

        return output;
    }

    private static byte[] Unshuffle(ReadOnlySpan<byte> src, int elemSize, int blockSize)
    {
        if (src.Length % elemSize != 0)
        {
            throw new InvalidDataException($"bitshuffle: {src.Length} bytes are not a whole number of {elemSize}-byte elements");
        }

        if (blockSize <= 0 || blockSize % 8 != 0)
        {
            blockSize = DefaultBlockSize(elemSize);
        }

        var count = src.Length / elemSize;
        var output = new byte[src.Length];
        var whole = count - (count % 8);
        for (var element = 0; element < whole; element += blockSize)
        {
            var n = Math.Min(blockSize, whole - element);
            var bytes = n * elemSize;
            BitShuffle.Untranspose(src.Slice(element * elemSize, bytes), output.AsSpan(element * elemSize, bytes), n, elemSize);
        }

        src[(whole * elemSize)..].CopyTo(output.AsSpan(whole * elemSize));
        return output;
    }
}

/// <summary>The bitshuffle bit transpose: a block of n elements (n a multiple of 8) is stored as 8×elemSize bit planes of n bits each.</summary>
public static class BitShuffle
{
    /// <summary>
    /// Inverts the transpose: bit i (byte i/8, bit i%8) of plane b (bytes b·n/8 …) becomes bit b of element i, where bit
    /// b of an element is bit b%8 of its byte b/8 in memory order.
    /// </summary>
    public static void Untranspose(ReadOnlySpan<byte> planes, Span<byte> elements, int n, int elemSize)
    {
        if (n % 8 != 0 || planes.Length != n * elemSize || elements.Length != n * elemSize)
        {
            throw new ArgumentException("bitshuffle blocks hold a multiple of 8 elements");
        }

        var rowBytes = n / 8;
        unsafe
        {
            fixed (byte* p = planes, e = elements)
            {
                for (var j = 0; j < elemSize; j++)
                {
                    // Rows 8j … 8j+7 hold bit kk of byte j of every element; byte r of them covers elements 8r … 8r+7.
                    var rows = p + (8L * j * rowBytes);
                    for (var r = 0; r < rowBytes; r++)
                    {
                        var b = rows + r;
                        var x = b[0] | ((ulong)b[rowBytes] << 8) | ((ulong)b[2 * rowBytes] << 16) | ((ulong)b[3 * rowBytes] << 24)
                            | ((ulong)b[4 * rowBytes] << 32) | ((ulong)b[5 * rowBytes] << 40) | ((ulong)b[6 * rowBytes] << 48) | ((ulong)b[7 * rowBytes] << 56);
                        x = Transpose8x8(x);
                        var o = e + (8L * r * elemSize) + j;
                        for (var m = 0; m < 8; m++, o += elemSize)
                        {
                            *o = (byte)(x >> (8 * m));
                        }
                    }
                }
            }
        }
    }

    /// <summary>Transposes an 8×8 bit matrix held as byte = row, bit = column (bit 8·row + col ↔ bit 8·col + row).</summary>
    public static ulong Transpose8x8(ulong x)
    {
        var t = (x ^ (x >> 7)) & 0x00AA00AA00AA00AAUL;
        x ^= t ^ (t << 7);
        t = (x ^ (x >> 14)) & 0x0000CCCC0000CCCCUL;
        x ^= t ^ (t << 14);
        t = (x ^ (x >> 28)) & 0x00000000F0F0F0F0UL;
        x ^= t ^ (t << 28);
        return x;
    }
}
