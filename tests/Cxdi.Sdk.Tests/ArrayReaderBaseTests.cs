using System.Security.Cryptography;
using System.Text;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Readers;
using Cxdi.Sdk.Roles;

namespace Cxdi.Sdk.Tests;

public sealed record RawOptions : PluginOptions, IArrayReadOptions
{
    public string? Mask { get; init; }

    public int FirstFrame { get; init; }

    public int? FrameCount { get; init; }

    public bool SumFrames { get; init; }

    public double? PixelSize { get; init; }

    public double? DetectorDistance { get; init; }

    public double? Wavelength { get; init; }
}

/// <summary>
/// A facility's toy format, read the way a facility would write its reader: magic <c>ACMERAW1</c>, int32 rank, int64 dims,
/// one byte <see cref="ElementType"/>, one byte "has a per-frame uint32 mask", then the elements and the mask, little-endian.
/// The file records a pixel size of 75 µm.
/// </summary>
[CxdiPlugin("acme.raw", "1.0.0")]
public sealed class AcmeRawReader : ArrayReaderBase<RawOptions>
{
    public static readonly byte[] Magic = "ACMERAW1"u8.ToArray();

    public override bool CanRead(string path, ReadOnlySpan<byte> head) => head.StartsWith(Magic);

    protected override ArrayHeader ReadHeader(DataPath source, RawOptions options)
    {
        using var reader = new BinaryReader(File.OpenRead(source.File));
        var (dims, type, hasMask, dataStart) = Parse(reader);
        var available = reader.BaseStream.Length - dataStart;
        ReaderErrors.CheckDeclaredSize(source.File, dims, ElementTypes.SizeOf(type), available);
        return new ArrayHeader(dims, type);
    }

    protected override ArrayData ReadArray(DataPath source, RawOptions options, ArrayHeader header, FrameRange? frames, CancellationToken cancellation)
    {
        using var reader = new BinaryReader(File.OpenRead(source.File));
        var (dims, type, hasMask, dataStart) = Parse(reader);
        var size = ElementTypes.SizeOf(type);
        var frameLength = dims[^1] * dims[^2];
        var first = frames?.First ?? 0;
        var count = frames?.Count ?? 1;
        reader.BaseStream.Position = dataStart + (first * frameLength * size);
        var bytes = reader.ReadBytes(checked((int)(count * frameLength * size)));
        if (bytes.Length != count * frameLength * size)
        {
            throw new EndOfStreamException("data runs past the end of the file");
        }

        long[] outDims = frames is null ? [dims[^2], dims[^1]] : [count, dims[^2], dims[^1]];
        var array = new ArrayData(outDims, type, bytes) { Geometry = Geometry.Unknown with { PixelSizeX = 75e-6, PixelSizeY = 75e-6 } };
        if (hasMask)
        {
            reader.BaseStream.Position = dataStart + (dims.Aggregate(1L, (a, b) => a * b) * size);
            array.Mask = [.. Enumerable.Range(0, (int)frameLength).Select(_ => reader.ReadUInt32())];
        }

        array.Metadata["acme.detector"] = "toy";
        return array;
    }

    private static (long[] Dims, ElementType Type, bool HasMask, long DataStart) Parse(BinaryReader reader)
    {
        if (!reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic))
        {
            throw new InvalidDataException("not an ACME raw file");
        }

        var rank = reader.ReadInt32();
        if (rank is < 0 or > 8)
        {
            throw new InvalidDataException($"rank {rank}");
        }

        var dims = Enumerable.Range(0, rank).Select(_ => reader.ReadInt64()).ToArray();
        var type = (ElementType)reader.ReadByte();
        var hasMask = reader.ReadByte() != 0;
        return (dims, type, hasMask, reader.BaseStream.Position);
    }

    /// <summary>Writes a file of this format.</summary>
    public static void Write(string path, long[] dims, ElementType type, byte[] elements, uint[]? frameMask = null)
    {
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write(Magic);
        writer.Write(dims.Length);
        foreach (var d in dims)
        {
            writer.Write(d);
        }

        writer.Write((byte)type);
        writer.Write((byte)(frameMask is null ? 0 : 1));
        writer.Write(elements);
        foreach (var m in frameMask ?? [])
        {
            writer.Write(m);
        }
    }

    /// <summary>Writes float32 values.</summary>
    public static void Write(string path, long[] dims, float[] values, uint[]? frameMask = null) =>
        Write(path, dims, ElementType.Float32, [.. values.SelectMany(BitConverter.GetBytes)], frameMask);
}

public sealed class ArrayReaderBaseTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    /// <summary>A 3×2×3 stack whose value is 100·frame + pixel.</summary>
    private string Stack(uint[]? frameMask = null)
    {
        var file = _tmp.File("stack.raw");
        AcmeRawReader.Write(file, [3, 2, 3], [.. Enumerable.Range(0, 18).Select(i => (float)((i / 6 * 100) + (i % 6)))], frameMask);
        return file;
    }

    private static DiffractionData Read(string file, RawOptions? options = null) =>
        new AcmeRawReader().Read(new DataPath(file), options ?? new RawOptions(), StepContext.None);

    [Fact]
    public void Probe_FrameSelection_DeclaresTheShapeReadReturns()
    {
        var file = Stack();
        IDataReader reader = new AcmeRawReader();
        var cases = new (RawOptions Options, Shape Shape)[]
        {
            (new RawOptions(), Shape.Of(3, 2, 3)),
            (new RawOptions { FirstFrame = 1 }, Shape.Of(2, 2, 3)),
            (new RawOptions { FirstFrame = 2, FrameCount = 1 }, Shape.Of(2, 3)),
            (new RawOptions { SumFrames = true }, Shape.Of(2, 3)),
        };

        foreach (var (options, shape) in cases)
        {
            Assert.Equal(new DataSpec(DataSpace.Detector, shape, IsComplex: false), reader.Probe(new DataPath(file), options));
            Assert.Equal(shape, reader.Read(new DataPath(file), options, StepContext.None).Shape);
        }
    }

    [Fact]
    public void Read_FrameRange_ReadsExactlyThoseFramesAndRecordsThem()
    {
        var data = Read(Stack(), new RawOptions { FirstFrame = 1, FrameCount = 2 });

        Assert.Equal(Shape.Of(2, 2, 3), data.Shape);
        Assert.Equal([100f, 101, 102, 103, 104, 105, 200, 201, 202, 203, 204, 205], data.Intensity);
        Assert.Equal(1, data.Metadata["first_frame"]);
        Assert.Equal(2, data.Metadata["frame_count"]);
        Assert.Equal("float32", data.Metadata["element_type"]);
        Assert.Equal("3x2x3", data.Metadata["stored_shape"]);
        Assert.Equal("toy", data.Metadata["acme.detector"]);
    }

    [Fact]
    public void Read_SumFrames_AddsValuesAndKeepsAnyFrameFlag()
    {
        var file = _tmp.File("sum.raw");
        var values = Enumerable.Range(0, 18).Select(i => (float)((i / 6 * 100) + (i % 6))).ToArray();
        values[6 + 4] = float.NaN;
        AcmeRawReader.Write(file, [3, 2, 3], values, frameMask: [0, (uint)MaskFlags.Gap, 0, 0, 0, 0]);

        var data = Read(file, new RawOptions { SumFrames = true });

        Assert.Equal(Shape.Of(2, 3), data.Shape);
        Assert.Equal([300f, 303, 306, 309, 4 + 0 + 204, 315], data.Intensity);
        Assert.Equal([0u, (uint)MaskFlags.Gap, 0, 0, (uint)MaskFlags.Invalid, 0], data.Mask);
        Assert.Equal(3, data.Metadata["summed_frames"]);
    }

    [Fact]
    public void Read_FileMaskOfOneFrame_AppliesToEveryFrame()
    {
        var data = Read(Stack(frameMask: [0, 0, (uint)MaskFlags.Dead, 0, 0, 0]));

        Assert.Equal([2L, 8, 14], Enumerable.Range(0, 18).Where(i => data.Mask[i] == (uint)MaskFlags.Dead).Select(i => (long)i));
        Assert.Equal(15, data.Mask.Count(m => m == 0));
    }

    [Fact]
    public void Read_NaNInfNegative_AreFlaggedInvalidAndCounted()
    {
        var file = _tmp.File("bad.raw");
        AcmeRawReader.Write(file, [2, 3], [1, float.NaN, float.PositiveInfinity, float.NegativeInfinity, -2, 5]);

        var data = Read(file);

        Assert.Equal([1f, 0, 0, 0, -2, 5], data.Intensity);
        Assert.Equal([0u, 1, 1, 1, 1, 0], data.Mask);
        Assert.Equal(1L, data.Metadata[AcmeRawReader.NanCountKey]);
        Assert.Equal(2L, data.Metadata[AcmeRawReader.InfCountKey]);
        Assert.Equal(1L, data.Metadata[AcmeRawReader.NegativeCountKey]);
    }

    [Fact]
    public void Read_MaskFileBesideTheData_MarksNonZeroPixelsUserAndIsInTheProvenance()
    {
        var file = Stack();
        var maskFile = _tmp.File("mask.raw");
        AcmeRawReader.Write(maskFile, [2, 3], ElementType.UInt8, [0, 0, 0, 7, 0, 1]);

        var data = Read(file, new RawOptions { Mask = "mask.raw" });

        Assert.Equal([3L, 5, 9, 11, 15, 17], Enumerable.Range(0, 18).Where(i => data.Mask[i] == (uint)MaskFlags.User).Select(i => (long)i));
        Assert.Equal(
            [new SourceFile(Path.GetFullPath(file), Sha(file)), new SourceFile(Path.GetFullPath(maskFile), Sha(maskFile))],
            data.Provenance.Sources);
        Assert.Equal(Sha(file), AcmeRawReader.Sha256(file));
    }

    [Fact]
    public void Read_MaskFileOfAnotherShape_IsRejected()
    {
        var maskFile = _tmp.File("mask.raw");
        AcmeRawReader.Write(maskFile, [3, 2], ElementType.UInt8, [0, 0, 0, 0, 0, 1]);

        var error = Assert.Throws<InvalidInputException>(() => Read(Stack(), new RawOptions { Mask = maskFile }));

        Assert.Contains("mask shape 3x2 differs from the data shape 2x3 or 3x2x3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MaskFileInAnotherFormat_IsUnsupportedWithTheReadersFormats()
    {
        var maskFile = _tmp.File("mask.txt");
        File.WriteAllText(maskFile, "0 1 0\n1 0 0\n");

        var error = Assert.Throws<UnsupportedFormatException>(() => Read(Stack(), new RawOptions { Mask = maskFile }));

        Assert.Equal("save the mask as a file in the data's format", error.Hint);
    }

    [Fact]
    public void Read_GeometryOptions_OverrideTheFile()
    {
        var file = Stack();

        var asRecorded = Read(file).Geometry;
        var overridden = Read(file, new RawOptions { PixelSize = 55e-6, DetectorDistance = 5.0, Wavelength = 1.5e-10 }).Geometry;

        Assert.Equal(75e-6, asRecorded.PixelSizeX);
        Assert.Null(asRecorded.DetectorDistance);
        Assert.Equal((55e-6, 55e-6, 5.0, 1.5e-10), (overridden.PixelSizeX!.Value, overridden.PixelSizeY!.Value, overridden.DetectorDistance!.Value, overridden.Wavelength!.Value));
    }

    [Theory]
    [InlineData(3, null, "first_frame = 3 is outside the stack of 3 frames")]
    [InlineData(1, 3, "frame_count = 3 from first_frame = 1 runs past the stack of 3 frames")]
    public void Read_FrameRangeOutsideTheStack_IsRejected(int first, int? count, string message)
    {
        var error = Assert.Throws<InvalidInputException>(() => Read(Stack(), new RawOptions { FirstFrame = first, FrameCount = count }));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_FramesOfA2DImage_AreRejected()
    {
        var file = _tmp.File("image.raw");
        AcmeRawReader.Write(file, [2, 3], new float[6]);

        var error = Assert.Throws<InvalidInputException>(() => Read(file, new RawOptions { FirstFrame = 1 }));

        Assert.Contains("ask for frames of a single 2D image", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_LeadingSingletonAxes_AreDropped()
    {
        var file = _tmp.File("4d.raw");
        AcmeRawReader.Write(file, [1, 1, 2, 3], [1, 2, 3, 4, 5, 6]);

        var data = Read(file);

        Assert.Equal(Shape.Of(2, 3), data.Shape);
        Assert.Equal([1f, 2, 3, 4, 5, 6], data.Intensity);
    }

    [Fact]
    public void Read_OneDimensionalArray_IsUnsupported()
    {
        var file = _tmp.File("1d.raw");
        AcmeRawReader.Write(file, [6], new float[6]);

        var error = Assert.Throws<UnsupportedFormatException>(() => Read(file));

        Assert.Contains("array has 1 dimension(s) [6]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TruncatedData_IsInvalidInputNamingTheFile()
    {
        var file = _tmp.File("short.raw");
        AcmeRawReader.Write(file, [2, 3], ElementType.Float32, new byte[20]);

        var error = Assert.Throws<InvalidInputException>(() => Read(file));

        Assert.Equal(file, error.File);
        Assert.Contains("only 20 bytes are in the file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_DamagedHeader_IsInvalidInputNotACrash()
    {
        var file = _tmp.File("damaged.raw");
        File.WriteAllBytes(file, [.. AcmeRawReader.Magic, 2, 0]);

        var error = Assert.Throws<InvalidInputException>(() => Read(file));

        Assert.Contains("cannot be read", error.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<IOException>(error.InnerException);
    }

    [Fact]
    public void Read_MissingFileOrDirectory_IsInvalidInput()
    {
        Assert.Contains("file not found", Assert.Throws<InvalidInputException>(() => Read(_tmp.File("absent.raw"))).Message, StringComparison.Ordinal);
        Assert.Contains("is a directory", Assert.Throws<InvalidInputException>(() => Read(_tmp.Path)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_CancelledToken_Throws()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => new AcmeRawReader().Read(new DataPath(Stack()), new RawOptions(), new StepContext { Cancellation = cts.Token }));
    }

    [Fact]
    public void FileHead_ReadsAtMostTheFirstFourKiB()
    {
        var file = _tmp.File("big.bin");
        File.WriteAllBytes(file, new byte[10_000]);
        var small = _tmp.File("small.bin");
        File.WriteAllBytes(small, Encoding.ASCII.GetBytes("ACMERAW1"));

        Assert.Equal(FileHead.Length, FileHead.Read(file).Length);
        Assert.True(new AcmeRawReader().CanRead(small, FileHead.Read(small)));
    }

    private static string Sha(string file) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));
}
