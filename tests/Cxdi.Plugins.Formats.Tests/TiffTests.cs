using System.Buffers.Binary;
using Cxdi.Plugins.Formats.Tiff;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;

namespace Cxdi.Plugins.Formats.Tests;

/// <summary>Builds minimal uncompressed TIFF files byte by byte (independent of LibTiff.NET).</summary>
internal static class RawTiff
{
    /// <summary>Writes pages of <paramref name="bits"/>-bit samples (format 1 uint, 2 int, 3 float) given as raw little-endian element bytes.</summary>
    public static byte[] Build(bool bigEndian, int width, int height, int bits, int format, IReadOnlyList<byte[]> pages, int? declaredWidth = null, int? stripBytes = null)
    {
        var ms = new MemoryStream();
        void U16(int v)
        {
            Span<byte> b = stackalloc byte[2];
            if (bigEndian) BinaryPrimitives.WriteUInt16BigEndian(b, (ushort)v); else BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)v);
            ms.Write(b);
        }

        void U32(long v)
        {
            Span<byte> b = stackalloc byte[4];
            if (bigEndian) BinaryPrimitives.WriteUInt32BigEndian(b, (uint)v); else BinaryPrimitives.WriteUInt32LittleEndian(b, (uint)v);
            ms.Write(b);
        }

        ms.Write(bigEndian ? "MM"u8 : "II"u8);
        U16(42);
        U32(8);
        var size = bits / 8;
        for (var p = 0; p < pages.Count; p++)
        {
            const int entries = 10;
            var ifdStart = ms.Position;
            var dataStart = ifdStart + 2 + (entries * 12) + 4;
            var next = p + 1 < pages.Count ? dataStart + pages[p].Length : 0;
            U16(entries);
            void Entry(int tag, int type, long value)
            {
                U16(tag);
                U16(type);
                U32(1);
                if (type == 3)
                {
                    U16((int)value);
                    U16(0);
                }
                else
                {
                    U32(value);
                }
            }

            Entry(256, 4, declaredWidth ?? width);
            Entry(257, 4, height);
            Entry(258, 3, bits);
            Entry(259, 3, 1);
            Entry(262, 3, 1);
            Entry(273, 4, dataStart);
            Entry(277, 3, 1);
            Entry(278, 4, height);
            Entry(279, 4, stripBytes ?? pages[p].Length);
            Entry(339, 3, format);
            U32(next);
            var data = (byte[])pages[p].Clone();
            if (bigEndian)
            {
                for (var i = 0; i < data.Length; i += size)
                {
                    Array.Reverse(data, i, size);
                }
            }

            ms.Write(data);
        }

        return ms.ToArray();
    }
}

public sealed class TiffTests : IDisposable
{
    private readonly TempDir _tmp = new();
    private readonly TiffReader _reader = new();

    public void Dispose() => _tmp.Dispose();

    [Theory]
    [InlineData(false, 16, 1)]
    [InlineData(true, 16, 1)]
    [InlineData(false, 32, 3)]
    [InlineData(true, 32, 3)]
    [InlineData(true, 32, 2)]
    [InlineData(false, 8, 1)]
    [InlineData(false, 32, 1)]
    public void Read_HandBuiltTiff_DecodesExactly(bool bigEndian, int bits, int format)
    {
        const int w = 7, h = 5;
        var values = Enumerable.Range(0, w * h).Select(i => (i * 37) % 200 - (format == 2 ? 50 : 0)).ToArray();
        var raw = Encode(values, bits, format);
        var file = _tmp.File("a.tif");
        File.WriteAllBytes(file, RawTiff.Build(bigEndian, w, h, bits, format, [raw]));

        Assert.True(_reader.CanRead(file, File.ReadAllBytes(file)));
        var data = _reader.Read(new DataPath(file), new TiffOptions(), StepContext.None);

        Assert.Equal(Shape.Of(h, w), data.Shape);
        Assert.Equal(values.Select(v => (float)v), data.Intensity);
        Assert.Equal(values.Count(v => v < 0), data.Mask.Count(m => m == (uint)MaskFlags.Invalid));
    }

    [Fact]
    public void Read_MultiPage_IsStackWithFrameSelection()
    {
        const int w = 4, h = 3;
        var pages = Enumerable.Range(0, 3).Select(p => Encode(Enumerable.Range(p * 12, 12).ToArray(), 32, 3)).ToList();
        var file = _tmp.File("stack.tiff");
        File.WriteAllBytes(file, RawTiff.Build(false, w, h, 32, 3, pages));

        var all = _reader.Read(new DataPath(file), new TiffOptions(), StepContext.None);
        Assert.Equal(Shape.Of(3, 3, 4), all.Shape);
        Assert.Equal(Enumerable.Range(0, 36).Select(i => (float)i), all.Intensity);
        Assert.Equal(3, all.Metadata["tiff.pages"]);

        var last = _reader.Read(new DataPath(file), new TiffOptions { FirstFrame = 2 }, StepContext.None);
        Assert.Equal(Shape.Of(3, 4), last.Shape);
        Assert.Equal(Enumerable.Range(24, 12).Select(i => (float)i), last.Intensity);
    }

    [Fact]
    public void Read_ColourOrUnsupportedBits_Rejected()
    {
        var file = _tmp.File("b.tif");
        File.WriteAllBytes(file, RawTiff.Build(false, 4, 4, 64, 1, [new byte[128]]));
        var ex = Assert.Throws<UnsupportedFormatException>(() => _reader.Read(new DataPath(file), new TiffOptions(), StepContext.None));
        Assert.Contains("b.tif", ex.Message, StringComparison.Ordinal);
        Assert.Contains("64-bit", ex.Message, StringComparison.Ordinal);
    }

    internal static byte[] Encode(int[] values, int bits, int format)
    {
        var size = bits / 8;
        var raw = new byte[values.Length * size];
        for (var i = 0; i < values.Length; i++)
        {
            var bytes = (bits, format) switch
            {
                (32, 3) => BitConverter.GetBytes((float)values[i]),
                (64, 3) => BitConverter.GetBytes((double)values[i]),
                _ => BitConverter.GetBytes((long)values[i]).AsSpan(0, size).ToArray(),
            };
            bytes.CopyTo(raw, i * size);
        }

        return raw;
    }
}
