using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Cxdi.Plugins.Imaging.Rendering;

/// <summary>
/// Writes an animated PNG (APNG: PNG plus the acTL, fcTL and fdAT chunks) of RGB frames of one size. Viewers that do not
/// know APNG (older ones) show the first frame as a plain PNG; browsers and most image viewers play it.
/// </summary>
internal static class ApngEncoder
{
    private static readonly byte[] Signature = [137, 80, 78, 71, 13, 10, 26, 10];
    private static readonly uint[] CrcTable = MakeCrcTable();

    /// <summary>Encodes <paramref name="frames"/> (each <paramref name="width"/> × <paramref name="height"/>, row-major) shown <paramref name="delayMs"/> ms each, looping forever.</summary>
    public static byte[] Encode(IReadOnlyList<Rgb[]> frames, int width, int height, int delayMs)
    {
        ArgumentNullException.ThrowIfNull(frames);
        if (frames.Count == 0 || width <= 0 || height <= 0)
        {
            throw new ArgumentException("an animation needs at least one frame of positive size", nameof(frames));
        }

        using var stream = new MemoryStream();
        stream.Write(Signature);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(0), width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth
        header[9] = 2; // colour type: RGB
        Chunk(stream, "IHDR", header);
        var control = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(control.AsSpan(0), frames.Count);
        BinaryPrimitives.WriteInt32BigEndian(control.AsSpan(4), 0); // loop forever
        Chunk(stream, "acTL", control);
        var sequence = 0;
        for (var f = 0; f < frames.Count; f++)
        {
            var frame = frames[f];
            if (frame.Length != width * height)
            {
                throw new ArgumentException($"frame {f} holds {frame.Length} pixels, {width}x{height} needs {width * height}", nameof(frames));
            }

            var fc = new byte[26];
            BinaryPrimitives.WriteInt32BigEndian(fc.AsSpan(0), sequence++);
            BinaryPrimitives.WriteInt32BigEndian(fc.AsSpan(4), width);
            BinaryPrimitives.WriteInt32BigEndian(fc.AsSpan(8), height);
            BinaryPrimitives.WriteInt32BigEndian(fc.AsSpan(12), 0);
            BinaryPrimitives.WriteInt32BigEndian(fc.AsSpan(16), 0);
            BinaryPrimitives.WriteUInt16BigEndian(fc.AsSpan(20), (ushort)Math.Clamp(delayMs, 1, 65535));
            BinaryPrimitives.WriteUInt16BigEndian(fc.AsSpan(22), 1000);
            fc[24] = 0; // dispose: none
            fc[25] = 0; // blend: source
            Chunk(stream, "fcTL", fc);
            var data = Deflate(frame, width, height);
            if (f == 0)
            {
                Chunk(stream, "IDAT", data);
            }
            else
            {
                var fd = new byte[data.Length + 4];
                BinaryPrimitives.WriteInt32BigEndian(fd.AsSpan(0), sequence++);
                data.CopyTo(fd, 4);
                Chunk(stream, "fdAT", fd);
            }
        }

        Chunk(stream, "IEND", []);
        return stream.ToArray();
    }

    /// <summary>zlib stream of the scanlines, each with filter type 0 (none).</summary>
    private static byte[] Deflate(Rgb[] frame, int width, int height)
    {
        var raw = new byte[height * ((3 * width) + 1)];
        var i = 0;
        for (var y = 0; y < height; y++)
        {
            raw[i++] = 0;
            for (var x = 0; x < width; x++)
            {
                var c = frame[(y * width) + x];
                raw[i++] = c.R;
                raw[i++] = c.G;
                raw[i++] = c.B;
            }
        }

        using var output = new MemoryStream();
        using (var z = new ZLibStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            z.Write(raw);
        }

        return output.ToArray();
    }

    private static void Chunk(Stream stream, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        stream.Write(length);
        var typeBytes = Encoding.ASCII.GetBytes(type);
        stream.Write(typeBytes);
        stream.Write(data);
        var crc = 0xffffffffu;
        crc = Update(crc, typeBytes);
        crc = Update(crc, data);
        Span<byte> tail = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(tail, crc ^ 0xffffffffu);
        stream.Write(tail);
    }

    /// <summary>CRC-32 (ISO 3309, as PNG uses) of <paramref name="data"/>.</summary>
    internal static uint Crc(ReadOnlySpan<byte> data) => Update(0xffffffffu, data) ^ 0xffffffffu;

    private static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
        {
            crc = CrcTable[(crc ^ b) & 0xff] ^ (crc >> 8);
        }

        return crc;
    }

    private static uint[] MakeCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xedb88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
