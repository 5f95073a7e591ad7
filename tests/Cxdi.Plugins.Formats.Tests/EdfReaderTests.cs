using Cxdi.Plugins.Formats.Edf;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Readers;
using Cxdi.Sdk.Roles;

namespace Cxdi.Plugins.Formats.Tests;

public sealed class EdfReaderTests : IDisposable
{
    private readonly TempDir _tmp = new();
    private readonly EdfReader _reader = new();

    public void Dispose() => _tmp.Dispose();

    // Reference numbers computed once with /usr/bin/python3 + numpy straight from the file bytes:
    // a = np.frombuffer(raw[1024:], '<f4'); a.astype(float64).sum(), min, max,
    // (a * (arange(n) % 9973 + 1)).sum() and sha256(a.tobytes()).
    [LogoDataFact]
    public void Read_EsrfLogoFloat32_MatchesNumpyChecksums()
    {
        var dir = TestData.LogoDirectory();
        var file = Path.Combine(dir!, "logo5mu_20sec.edf");
        var head = File.ReadAllBytes(file).AsSpan(0, 4096);
        Assert.True(_reader.CanRead(file, head));

        var data = _reader.Read(new DataPath(file), new EdfOptions(), StepContext.None);

        Assert.Equal(Shape.Of(512, 512), data.Shape);
        double sum = 0, weighted = 0;
        float min = float.MaxValue, max = float.MinValue;
        for (var i = 0; i < data.Intensity.Length; i++)
        {
            var v = data.Intensity[i];
            sum += v;
            weighted += v * (double)((i % 9973) + 1);
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }

        Assert.Equal(1084046005.25, sum);
        Assert.Equal(5395959088737.25, weighted);
        Assert.Equal(0f, min);
        Assert.Equal(841233f, max);
        Assert.Equal("22b900dec5665c3f21257714eff22e6b770fab5ca293d89d92ac6a2721b7ba61", TestData.Sha256OfFloats(data.Intensity));
        Assert.Equal(435.5f, data.Intensity[(100 * 512) + 200]);
        Assert.Equal(41f, data.Intensity[(10 * 512) + 300]);
        Assert.All(data.Mask, m => Assert.Equal(0u, m));
        Assert.Equal(0L, data.Metadata[EdfReaderTestsKeys.Nan]);
        Assert.Equal(0L, data.Metadata[EdfReaderTestsKeys.Negative]);
        Assert.Equal("FloatValue", data.Metadata["edf.DataType"]);
        Assert.Equal(512.0, data.Metadata["edf.Dim_1"]);
        Assert.Equal("float32", data.Metadata["element_type"]);
        var source = Assert.Single(data.Provenance.Sources);
        Assert.Equal(ArrayReaderBase<EdfOptions>.Sha256(file), source.Sha256);
        Assert.Equal(64, source.Sha256.Length);
    }

    [LogoDataFact]
    public void Read_EsrfLogoSupportInt8_CountsObjectPixels()
    {
        var dir = TestData.LogoDirectory();
        var file = Path.Combine(dir!, "support_logo5mu_20sec.edf");

        var data = _reader.Read(new DataPath(file), new EdfOptions(), StepContext.None);

        Assert.Equal(Shape.Of(512, 512), data.Shape);
        Assert.Equal(7577.0, data.Intensity.Sum(v => (double)v));
        Assert.Equal(7577, data.Intensity.Count(v => v == 1f));
        Assert.Equal(512 * 512 - 7577, data.Intensity.Count(v => v == 0f));
        Assert.Equal("d1220eb82cb980f40bd2c942333314e3fe01fd68539eca0c288d9eabcb424503", TestData.Sha256OfFloats(data.Intensity));
        Assert.Equal("int8", data.Metadata["element_type"]);
    }

    [LogoDataFact]
    public void Probe_EsrfLogo_DeclaresDetector2D()
    {
        var dir = TestData.LogoDirectory();
        var spec = ((IDataReader)_reader).Probe(new DataPath(Path.Combine(dir!, "logo5mu_20sec.edf")), new EdfOptions());
        Assert.Equal(new DataSpec(DataSpace.Detector, Shape.Of(512, 512), false), spec);
    }

    [Theory]
    [InlineData("SignedShort", "HighByteFirst")]
    [InlineData("UnsignedShort", "LowByteFirst")]
    [InlineData("SignedInteger", "HighByteFirst")]
    [InlineData("UnsignedLong", "HighByteFirst")]
    [InlineData("DoubleValue", "HighByteFirst")]
    [InlineData("Float", "HighByteFirst")]
    [InlineData("UnsignedByte", "LowByteFirst")]
    [InlineData("Signed64", "HighByteFirst")]
    public void Read_TypesAndByteOrders_DecodeExactly(string dataType, string byteOrder)
    {
        const int nx = 5, ny = 3;
        var type = EdfFile.ParseType(dataType)!.Value;
        var size = ElementTypes.SizeOf(type);
        var expected = Enumerable.Range(0, nx * ny).Select(i => (float)(i * 7 % 11)).ToArray();
        var raw = new byte[nx * ny * size];
        for (var i = 0; i < expected.Length; i++)
        {
            var v = (long)expected[i];
            var bytes = type switch
            {
                ElementType.Float32 => BitConverter.GetBytes((float)v),
                ElementType.Float64 => BitConverter.GetBytes((double)v),
                _ => BitConverter.GetBytes(v).AsSpan(0, size).ToArray(),
            };
            if (byteOrder == "HighByteFirst")
            {
                Array.Reverse(bytes);
            }

            bytes.CopyTo(raw, i * size);
        }

        var file = _tmp.File("t.edf");
        using (var s = File.Create(file))
        {
            TestData.WriteEdfBlock(s, [("ByteOrder", byteOrder), ("DataType", dataType), ("Dim_1", $"{nx}"), ("Dim_2", $"{ny}"), ("Size", $"{raw.Length}")], raw);
        }

        var data = _reader.Read(new DataPath(file), new EdfOptions(), StepContext.None);

        Assert.Equal(Shape.Of(ny, nx), data.Shape);
        Assert.Equal(expected, data.Intensity);
    }

    [Fact]
    public void Read_MultipleImages_BuildsStackAndSelectsFrames()
    {
        var file = WriteStack(frames: 4, ny: 2, nx: 3);

        var all = _reader.Read(new DataPath(file), new EdfOptions(), StepContext.None);
        Assert.Equal(Shape.Of(4, 2, 3), all.Shape);
        Assert.Equal(Enumerable.Range(0, 24).Select(i => (float)i), all.Intensity);

        var some = _reader.Read(new DataPath(file), new EdfOptions { FirstFrame = 1, FrameCount = 2 }, StepContext.None);
        Assert.Equal(Shape.Of(2, 2, 3), some.Shape);
        Assert.Equal(Enumerable.Range(6, 12).Select(i => (float)i), some.Intensity);

        var summed = _reader.Read(new DataPath(file), new EdfOptions { SumFrames = true }, StepContext.None);
        Assert.Equal(Shape.Of(2, 3), summed.Shape);
        Assert.Equal(Enumerable.Range(0, 6).Select(i => (float)(i + (i + 6) + (i + 12) + (i + 18))), summed.Intensity);

        var one = _reader.Read(new DataPath(file), new EdfOptions { FirstFrame = 3, FrameCount = 1 }, StepContext.None);
        Assert.Equal(Shape.Of(2, 3), one.Shape);
        Assert.Equal(Enumerable.Range(18, 6).Select(i => (float)i), one.Intensity);
    }

    [Fact]
    public void Read_Dim3Block_IsVolume()
    {
        var values = Enumerable.Range(0, 2 * 3 * 4).Select(i => (float)i).ToArray();
        var file = _tmp.File("v.edf");
        using (var s = File.Create(file))
        {
            TestData.WriteEdfBlock(s, [("DataType", "FloatValue"), ("ByteOrder", "LowByteFirst"), ("Dim_1", "4"), ("Dim_2", "3"), ("Dim_3", "2")], TestData.Bytes(values));
        }

        var data = _reader.Read(new DataPath(file), new EdfOptions(), StepContext.None);

        Assert.Equal(Shape.Of(2, 3, 4), data.Shape);
        Assert.Equal(values, data.Intensity);
    }

    [Fact]
    public void Read_NanInfNegative_FlaggedInvalidAndCounted()
    {
        float[] values = [1, float.NaN, 3, float.PositiveInfinity, -2, 6, float.NegativeInfinity, 8, 9];
        var file = _tmp.File("bad.edf");
        using (var s = File.Create(file))
        {
            TestData.WriteEdfBlock(s, [("DataType", "FloatValue"), ("Dim_1", "3"), ("Dim_2", "3")], TestData.Bytes(values));
        }

        var data = _reader.Read(new DataPath(file), new EdfOptions(), StepContext.None);

        uint inv = (uint)MaskFlags.Invalid;
        Assert.Equal([0u, inv, 0, inv, inv, 0, inv, 0, 0], data.Mask);
        Assert.Equal([1f, 0, 3, 0, -2, 6, 0, 8, 9], data.Intensity);
        Assert.Equal(1L, data.Metadata[EdfReaderTestsKeys.Nan]);
        Assert.Equal(2L, data.Metadata[EdfReaderTestsKeys.Inf]);
        Assert.Equal(1L, data.Metadata[EdfReaderTestsKeys.Negative]);
        Assert.False(data.IsMeasured(1));
        Assert.True(data.IsMeasured(0));
    }

    [Fact]
    public void Read_MaskFileOption_MarksNonZeroAsUser()
    {
        var file = WriteStack(frames: 1, ny: 2, nx: 3);
        var maskFile = _tmp.File("mask.edf");
        using (var s = File.Create(maskFile))
        {
            TestData.WriteEdfBlock(s, [("DataType", "UnsignedByte"), ("Dim_1", "3"), ("Dim_2", "2")], new byte[] { 0, 1, 0, 0, 0, 7 });
        }

        var data = _reader.Read(new DataPath(file), new EdfOptions { Mask = "mask.edf" }, StepContext.None);

        uint user = (uint)MaskFlags.User;
        Assert.Equal([0u, user, 0, 0, 0, user], data.Mask);
        Assert.Equal(2, data.Provenance.Sources.Count);
    }

    [Fact]
    public void Read_MaskOfOtherShape_ThrowsNamingBoth()
    {
        var file = WriteStack(frames: 1, ny: 2, nx: 3);
        var maskFile = _tmp.File("mask.edf");
        using (var s = File.Create(maskFile))
        {
            TestData.WriteEdfBlock(s, [("DataType", "UnsignedByte"), ("Dim_1", "2"), ("Dim_2", "2")], new byte[4]);
        }

        var ex = Assert.Throws<InvalidInputException>(() => _reader.Read(new DataPath(file), new EdfOptions { Mask = maskFile }, StepContext.None));
        Assert.Contains("mask.edf", ex.Message, StringComparison.Ordinal);
        Assert.Contains("2x2", ex.Message, StringComparison.Ordinal);
        Assert.Contains("2x3", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_FrameOutsideStack_Throws()
    {
        var file = WriteStack(frames: 2, ny: 2, nx: 2);
        Assert.Throws<InvalidInputException>(() => _reader.Read(new DataPath(file), new EdfOptions { FirstFrame = 2 }, StepContext.None));
        Assert.Throws<InvalidInputException>(() => _reader.Read(new DataPath(file), new EdfOptions { FirstFrame = 1, FrameCount = 2 }, StepContext.None));
    }

    [Fact]
    public void CanRead_DetectsByContentNotName()
    {
        var file = WriteStack(frames: 1, ny: 2, nx: 2);
        var renamed = _tmp.File("data.bin");
        File.Copy(file, renamed);
        Assert.True(_reader.CanRead(renamed, File.ReadAllBytes(renamed)));
        Assert.False(_reader.CanRead("x.edf", "\x93NUMPY"u8));
        Assert.False(_reader.CanRead("x.edf", "{\"json\": 1}"u8));
    }

    private string WriteStack(int frames, int ny, int nx)
    {
        var file = _tmp.File($"stack{frames}.edf");
        using var s = File.Create(file);
        for (var f = 0; f < frames; f++)
        {
            var values = Enumerable.Range(f * ny * nx, ny * nx).Select(i => (float)i).ToArray();
            TestData.WriteEdfBlock(s, [("HeaderID", $"EH:{f + 1:000000}:000000:000000"), ("Image", $"{f + 1}"), ("ByteOrder", "LowByteFirst"), ("DataType", "FloatValue"), ("Dim_1", $"{nx}"), ("Dim_2", $"{ny}"), ("Size", $"{values.Length * 4}")], TestData.Bytes(values));
        }

        return file;
    }
}

internal static class EdfReaderTestsKeys
{
    public const string Nan = ArrayReaderBase<EdfOptions>.NanCountKey;
    public const string Inf = ArrayReaderBase<EdfOptions>.InfCountKey;
    public const string Negative = ArrayReaderBase<EdfOptions>.NegativeCountKey;
}
