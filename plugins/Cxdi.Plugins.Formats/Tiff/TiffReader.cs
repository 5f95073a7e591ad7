using BitMiracle.LibTiff.Classic;
using Cxdi.Plugins.Formats.Common;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Readers;
using Cxdi.Sdk.Roles;
using LibTiff = BitMiracle.LibTiff.Classic.Tiff;

namespace Cxdi.Plugins.Formats.Tiff;

/// <summary>
/// Reads TIFF images (LibTiff.NET): one sample per pixel of 8/16/32-bit (un)signed integers or 32/64-bit floats, any
/// compression libtiff decodes, strips or tiles; a multi-page file is a 3D stack (one page per frame).
/// </summary>
[CxdiPlugin("tiff", "1.0.0", Description = "TIFF images and multi-page stacks (8/16/32-bit integer, 32/64-bit float)")]
public sealed class TiffReader : ArrayReaderBase<TiffOptions>
{
    static TiffReader() => LibTiff.SetErrorHandler(new QuietHandler());

    /// <inheritdoc />
    protected override IReadOnlyList<IArraySource> MaskSources => BuiltInReaders.ArraySources;

    /// <inheritdoc />
    protected override string MaskFormats => BuiltInReaders.MaskFormats;

    /// <inheritdoc />
    public override bool CanRead(string path, ReadOnlySpan<byte> head) =>
        head.Length >= 4 && ((head[0] == 'I' && head[1] == 'I' && head[2] is 42 or 43 && head[3] == 0)
            || (head[0] == 'M' && head[1] == 'M' && head[2] == 0 && head[3] is 42 or 43));

    /// <inheritdoc />
    protected override ArrayHeader ReadHeader(DataPath source, TiffOptions options)
    {
        using var tif = Open(source);
        var pages = Pages(tif, source);
        var first = pages[0];
        long[] dims = pages.Count == 1 ? [first.Height, first.Width] : [pages.Count, first.Height, first.Width];
        return new ArrayHeader(dims, first.Type);
    }

    /// <inheritdoc />
    protected override ArrayData ReadArray(DataPath source, TiffOptions options, ArrayHeader header, FrameRange? frames, CancellationToken cancellation)
    {
        using var tif = Open(source);
        var pages = Pages(tif, source);
        var first = pages[0];
        var range = frames ?? new FrameRange(0, 1);
        var size = ElementTypes.SizeOf(first.Type);
        var frameBytes = (long)first.Width * first.Height * size;
        var bytes = new byte[range.Count * frameBytes];
        for (var p = 0; p < range.Count; p++)
        {
            cancellation.ThrowIfCancellationRequested();
            var page = range.First + p;
            if (!tif.SetDirectory((short)page))
            {
                throw new InvalidInputException(source.File, $"page {page + 1} cannot be opened", "the file is damaged");
            }

            ReadPage(tif, source, page, first, bytes.AsSpan((int)(p * frameBytes), (int)frameBytes));
        }

        long[] dims = frames is null ? [first.Height, first.Width] : [range.Count, first.Height, first.Width];
        var array = new ArrayData(dims, first.Type, bytes);
        tif.SetDirectory(0);
        if (tif.GetField(TiffTag.IMAGEDESCRIPTION) is { Length: > 0 } description)
        {
            array.Metadata["tiff.description"] = description[0].ToString() ?? "";
        }

        if (tif.GetField(TiffTag.SOFTWARE) is { Length: > 0 } software)
        {
            array.Metadata["tiff.software"] = software[0].ToString() ?? "";
        }

        array.Metadata["tiff.pages"] = pages.Count;
        array.Metadata["tiff.compression"] = first.Compression.ToString().ToLowerInvariant();
        return array;
    }

    private static LibTiff Open(DataPath source)
    {
        if (source.Inner is not null)
        {
            throw new InvalidInputException(source.ToString(), "a TIFF file has no inner paths", $"use {source.File} without ':{source.Inner}'");
        }

        QuietHandler.Last = null;
        return LibTiff.Open(source.File, "r")
            ?? throw new InvalidInputException(source.File, $"is not a readable TIFF file{Reason(source.File)}", "check that the file is a complete TIFF image");
    }

    private static string Reason(string? file = null)
    {
        if (QuietHandler.Last is not { } m)
        {
            return "";
        }

        if (file is not null)
        {
            m = m.Replace(file + ": ", "", StringComparison.Ordinal);
        }

        return ": " + m;
    }

    private static List<Page> Pages(LibTiff tif, DataPath source)
    {
        var count = tif.NumberOfDirectories();
        if (count < 1)
        {
            throw new InvalidInputException(source.File, "holds no image", "the file is damaged");
        }

        var length = new FileInfo(source.File).Length;
        var pages = new List<Page>(count);
        for (short i = 0; i < count; i++)
        {
            if (!tif.SetDirectory(i))
            {
                throw new InvalidInputException(source.File, $"page {i + 1} cannot be opened{Reason(source.File)}", "the file is damaged");
            }

            var page = Describe(tif, source, i, length);
            if (pages.Count > 0 && (page.Width != pages[0].Width || page.Height != pages[0].Height || page.Type != pages[0].Type))
            {
                throw new InvalidInputException(source.File, $"page {i + 1} is {page.Width}x{page.Height} {ElementTypes.Name(page.Type)} but page 1 is {pages[0].Width}x{pages[0].Height} {ElementTypes.Name(pages[0].Type)}", "a stack needs pages of one size and type");
            }

            pages.Add(page);
        }

        var dims = pages.Count == 1 ? new long[] { pages[0].Height, pages[0].Width } : [pages.Count, pages[0].Height, pages[0].Width];
        ReaderErrors.CheckDeclaredSize(source.File, dims, ElementTypes.SizeOf(pages[0].Type), available: null);
        return pages;
    }

    private static Page Describe(LibTiff tif, DataPath source, int index, long fileLength)
    {
        var where = $"page {index + 1}";
        var width = Field(tif, TiffTag.IMAGEWIDTH, -1);
        var height = Field(tif, TiffTag.IMAGELENGTH, -1);
        if (width < 1 || height < 1)
        {
            throw new InvalidInputException(source.File, $"{where} declares {width}x{height} pixels", "the file is damaged");
        }

        var samples = Field(tif, TiffTag.SAMPLESPERPIXEL, 1);
        if (samples != 1)
        {
            throw new UnsupportedFormatException(source.File, $"{where} has {samples} samples per pixel (colour); a diffraction pattern has one", "save a single-channel (grey) image");
        }

        var bits = Field(tif, TiffTag.BITSPERSAMPLE, 1);
        var format = (SampleFormat)Field(tif, TiffTag.SAMPLEFORMAT, (int)SampleFormat.UINT);
        ElementType? type = (format, bits) switch
        {
            (SampleFormat.UINT, 8) => ElementType.UInt8,
            (SampleFormat.INT, 8) => ElementType.Int8,
            (SampleFormat.UINT, 16) => ElementType.UInt16,
            (SampleFormat.INT, 16) => ElementType.Int16,
            (SampleFormat.UINT, 32) => ElementType.UInt32,
            (SampleFormat.INT, 32) => ElementType.Int32,
            (SampleFormat.IEEEFP, 32) => ElementType.Float32,
            (SampleFormat.IEEEFP, 64) => ElementType.Float64,
            _ => null,
        };
        if (type is null)
        {
            throw new UnsupportedFormatException(source.File, $"{where} stores {bits}-bit {format.ToString().ToLowerInvariant()} samples; supported: 8/16/32-bit integers, 32/64-bit floats", "convert the image to 32-bit float");
        }

        var compression = (Compression)Field(tif, TiffTag.COMPRESSION, (int)Compression.NONE);
        long? available = compression == Compression.NONE ? fileLength : null;
        ReaderErrors.CheckDeclaredSize(source.File, [height, width], ElementTypes.SizeOf(type.Value), available, where);
        return new Page(width, height, type.Value, compression);
    }

    private static void ReadPage(LibTiff tif, DataPath source, int page, Page info, Span<byte> target)
    {
        var size = ElementTypes.SizeOf(info.Type);
        var rowBytes = info.Width * size;
        if (tif.IsTiled())
        {
            var tw = Field(tif, TiffTag.TILEWIDTH, 0);
            var th = Field(tif, TiffTag.TILELENGTH, 0);
            if (tw < 1 || th < 1)
            {
                throw new InvalidInputException(source.File, $"page {page + 1} is tiled with invalid tile size {tw}x{th}", "the file is damaged");
            }

            var tile = new byte[tif.TileSize()];
            for (var ty = 0; ty < info.Height; ty += th)
            {
                for (var tx = 0; tx < info.Width; tx += tw)
                {
                    if (tif.ReadTile(tile, 0, tx, ty, 0, 0) < 0)
                    {
                        throw new InvalidInputException(source.File, $"page {page + 1}: tile at ({tx}, {ty}) cannot be decoded{Reason(source.File)}", "the file is damaged or truncated");
                    }

                    var w = Math.Min(tw, info.Width - tx);
                    for (var y = 0; y < th && ty + y < info.Height; y++)
                    {
                        tile.AsSpan(y * tw * size, w * size).CopyTo(target.Slice(((ty + y) * rowBytes) + (tx * size), w * size));
                    }
                }
            }

            return;
        }

        var line = new byte[Math.Max(tif.ScanlineSize(), rowBytes)];
        for (var y = 0; y < info.Height; y++)
        {
            if (!tif.ReadScanline(line, y))
            {
                throw new InvalidInputException(source.File, $"page {page + 1}: row {y} cannot be decoded{Reason(source.File)}", "the file is damaged or truncated");
            }

            line.AsSpan(0, rowBytes).CopyTo(target.Slice(y * rowBytes, rowBytes));
        }
    }

    private static int Field(LibTiff tif, TiffTag tag, int fallback)
    {
        var value = tif.GetField(tag);
        return value is { Length: > 0 } ? value[0].ToInt() : fallback;
    }

    private sealed record Page(int Width, int Height, ElementType Type, Compression Compression);

    /// <summary>Keeps libtiff quiet (it writes to the console by default) and remembers the last error for messages.</summary>
    private sealed class QuietHandler : TiffErrorHandler
    {
        [ThreadStatic]
        private static string? _last;

        public static string? Last
        {
            get => _last;
            set => _last = value;
        }

        public override void ErrorHandler(LibTiff tif, string method, string format, params object[] args) => _last = Format(format, args);

        public override void ErrorHandlerExt(LibTiff tif, object clientData, string method, string format, params object[] args) => _last = Format(format, args);

        public override void WarningHandler(LibTiff tif, string method, string format, params object[] args)
        {
        }

        public override void WarningHandlerExt(LibTiff tif, object clientData, string method, string format, params object[] args)
        {
        }

        private static string Format(string format, object[] args)
        {
            try
            {
                return string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args).Split('\n')[0];
            }
            catch (FormatException)
            {
                return format;
            }
        }
    }
}
