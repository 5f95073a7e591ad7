using System.Reflection;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;

namespace Cxdi.Conformance.Readers;

/// <summary>
/// What every reader plugin (built-in or third-party) must do, written once: subclass it, say how to create the reader
/// and how to write a golden file of given values in your format, and xunit runs every check below against your reader.
/// Golden values are small integers, exact in any numeric type.
/// </summary>
public abstract class ReaderConformanceSuite : IDisposable
{
    /// <summary>Creates a fresh temporary directory for the suite's files.</summary>
    protected ReaderConformanceSuite()
    {
        WorkDirectory = Path.Combine(Path.GetTempPath(), "cxdi-reader-conformance-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(WorkDirectory);
    }

    /// <summary>Where golden and damaged files are written; deleted afterwards.</summary>
    protected string WorkDirectory { get; }

    /// <summary>The reader under test.</summary>
    protected abstract IDataReader CreateReader();

    /// <summary>Writes a file holding <paramref name="values"/> (row-major) of <paramref name="shape"/> and returns its path.</summary>
    protected abstract DataPath WriteGolden(string directory, string name, Shape shape, float[] values);

    /// <summary>False for formats that cannot hold 3D stacks; the 3D check then expects a <see cref="CxdiException"/> from the golden writer or reader.</summary>
    protected virtual bool Supports3D => true;

    /// <summary>True when the golden format stores floats, so NaN and ±Inf can be written.</summary>
    protected virtual bool SupportsNonFinite => true;

    /// <summary>Options with their defaults.</summary>
    protected PluginOptions DefaultOptions(IDataReader reader) => (PluginOptions)Activator.CreateInstance(reader.OptionsType)!;

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            Directory.Delete(WorkDirectory, recursive: true);
        }
        catch (IOException)
        {
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Deterministic golden values: integers 0 … 999 from a fixed seed.</summary>
    public static float[] GoldenValues(Shape shape, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, (int)shape.Length).Select(_ => (float)rng.Next(0, 1000)).ToArray();
    }

    [Fact]
    public void RoundTrip2D_ReadsExactValues()
    {
        var reader = CreateReader();
        var shape = Shape.Of(13, 17);
        var values = GoldenValues(shape, 1);
        var path = WriteGolden(WorkDirectory, "golden2d", shape, values);

        var data = reader.Read(path, DefaultOptions(reader), StepContext.None);

        Assert.Equal(shape, data.Shape);
        Assert.Equal(values, data.Intensity);
        Assert.All(data.Mask, m => Assert.Equal(0u, m));
        Assert.Equal(DataSpace.Detector, data.Spec.Space);
    }

    [Fact]
    public void RoundTrip3D_ReadsStackInOrder()
    {
        var reader = CreateReader();
        var shape = Shape.Of(4, 9, 11);
        var values = GoldenValues(shape, 2);
        if (!Supports3D)
        {
            Assert.ThrowsAny<CxdiException>(() => reader.Read(WriteGolden(WorkDirectory, "golden3d", shape, values), DefaultOptions(reader), StepContext.None));
            return;
        }

        var data = reader.Read(WriteGolden(WorkDirectory, "golden3d", shape, values), DefaultOptions(reader), StepContext.None);

        Assert.Equal(shape, data.Shape);
        Assert.Equal(values, data.Intensity);
    }

    [Fact]
    public void Probe_DeclaresWhatReadReturns()
    {
        var reader = CreateReader();
        var shape = Shape.Of(6, 5);
        var path = WriteGolden(WorkDirectory, "probe", shape, GoldenValues(shape, 3));
        var options = DefaultOptions(reader);

        var spec = reader.Probe(path, options);

        Assert.Equal(reader.Read(path, options, StepContext.None).Spec, spec);
        Assert.Equal(new DataSpec(DataSpace.Detector, shape, false), spec);
    }

    [Fact]
    public void CanRead_RecognisesContentNotExtension()
    {
        var reader = CreateReader();
        var shape = Shape.Of(4, 4);
        var path = WriteGolden(WorkDirectory, "detect", shape, GoldenValues(shape, 4));
        var renamed = Path.Combine(WorkDirectory, "renamed.dat");
        File.Copy(path.File, renamed);

        Assert.True(reader.CanRead(renamed, Head(renamed)));
        Assert.False(reader.CanRead(renamed, "plain text, no magic at all\n"u8));
        Assert.False(reader.CanRead(renamed, ReadOnlySpan<byte>.Empty));
        var random = new byte[4096];
        new Random(5).NextBytes(random);
        random[0] = 0x07;
        Assert.False(reader.CanRead(renamed, random));
    }

    [Fact]
    public void Read_RecordsSourceFileSha256()
    {
        var reader = CreateReader();
        var shape = Shape.Of(3, 3);
        var path = WriteGolden(WorkDirectory, "hash", shape, GoldenValues(shape, 6));

        var data = reader.Read(path, DefaultOptions(reader), StepContext.None);

        var source = Assert.Single(data.Provenance.Sources);
        Assert.Equal(Path.GetFullPath(path.File), source.Path);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path.File))), source.Sha256);
    }

    [Fact]
    public void Read_NonFiniteAndNegativeValues_FlaggedInvalidNeverPassedSilently()
    {
        var reader = CreateReader();
        var shape = Shape.Of(2, 4);
        float[] values = SupportsNonFinite ? [1, float.NaN, 3, float.PositiveInfinity, -5, 6, float.NegativeInfinity, 8] : [1, 2, 3, 4, -5, 6, 7, 8];
        var data = reader.Read(WriteGolden(WorkDirectory, "nonfinite", shape, values), DefaultOptions(reader), StepContext.None);

        for (var i = 0; i < values.Length; i++)
        {
            var bad = !float.IsFinite(values[i]) || values[i] < 0;
            Assert.Equal(bad, !data.IsMeasured(i));
            Assert.True(float.IsFinite(data.Intensity[i]));
        }
    }

    [Fact]
    public void Read_MissingFile_ThrowsInvalidInputNamingIt()
    {
        var reader = CreateReader();
        var missing = Path.Combine(WorkDirectory, "does-not-exist.bin");
        var ex = Assert.Throws<InvalidInputException>(() => reader.Read(new DataPath(missing), DefaultOptions(reader), StepContext.None));
        Assert.Contains(missing, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_EmptyFile_ThrowsCxdiExceptionNamingIt()
    {
        var reader = CreateReader();
        var empty = Path.Combine(WorkDirectory, "empty.bin");
        File.WriteAllBytes(empty, []);
        AssertCleanFailure(reader, new DataPath(empty), "empty.bin");
    }

    [Fact]
    public void Read_TruncatedGolden_ThrowsCxdiExceptionNamingIt()
    {
        var reader = CreateReader();
        var shape = Shape.Of(32, 32);
        var golden = WriteGolden(WorkDirectory, "full", shape, GoldenValues(shape, 7));
        var bytes = File.ReadAllBytes(golden.File);
        foreach (var fraction in new[] { 0.02, 0.3, 0.6, 0.95 })
        {
            var name = $"truncated-{fraction:0.00}.bin";
            var file = Path.Combine(WorkDirectory, name);
            File.WriteAllBytes(file, bytes.AsSpan(0, (int)(bytes.Length * fraction)).ToArray());
            AssertCleanFailure(reader, golden with { File = file }, name);
        }
    }

    [Fact]
    public void Read_RandomBytes_ThrowsCxdiException()
    {
        var reader = CreateReader();
        var file = Path.Combine(WorkDirectory, "random.bin");
        var bytes = new byte[5000];
        new Random(8).NextBytes(bytes);
        File.WriteAllBytes(file, bytes);
        AssertCleanFailure(reader, new DataPath(file), "random.bin");
    }

    [Fact]
    public void Read_CorruptedBytes_ReadsOrFailsCleanly()
    {
        var reader = CreateReader();
        var shape = Shape.Of(16, 16);
        var golden = WriteGolden(WorkDirectory, "fuzz", shape, GoldenValues(shape, 9));
        var original = File.ReadAllBytes(golden.File);
        var rng = new Random(10);
        for (var trial = 0; trial < 40; trial++)
        {
            var bytes = (byte[])original.Clone();
            // Damage the first kilobyte (headers) most of the time, anywhere otherwise.
            var span = trial % 4 == 3 ? bytes.Length : Math.Min(bytes.Length, 1024);
            for (var k = 0; k < 1 + (trial % 3); k++)
            {
                bytes[rng.Next(span)] = (byte)rng.Next(256);
            }

            var file = Path.Combine(WorkDirectory, $"fuzz-{trial}.bin");
            File.WriteAllBytes(file, bytes);
            var outcome = RunBounded(() => reader.Read(golden with { File = file }, DefaultOptions(reader), StepContext.None));
            if (outcome.Error is { } error)
            {
                var cxdi = Assert.IsAssignableFrom<CxdiException>(error);
                Assert.DoesNotContain('\n', cxdi.Message);
            }
            else
            {
                Assert.Equal(outcome.Data!.Shape.Length, outcome.Data.Intensity.LongLength);
            }
        }
    }

    [Fact]
    public void Read_MaskOptionOfOtherShape_ThrowsNamingMask()
    {
        var reader = CreateReader();
        var maskProperty = reader.OptionsType.GetProperty("Mask", BindingFlags.Public | BindingFlags.Instance);
        var data = WriteGolden(WorkDirectory, "data", Shape.Of(8, 8), GoldenValues(Shape.Of(8, 8), 11));
        var mask = WriteGolden(WorkDirectory, "mask", Shape.Of(8, 7), GoldenValues(Shape.Of(8, 7), 12));
        if (maskProperty?.PropertyType != typeof(string))
        {
            // Readers without a mask option still read the data file alone.
            Assert.Equal(64, reader.Read(data, DefaultOptions(reader), StepContext.None).Intensity.Length);
            return;
        }

        var options = DefaultOptions(reader);
        maskProperty.SetValue(options, mask.ToString());
        var ex = Assert.Throws<InvalidInputException>(() => reader.Read(data, options, StepContext.None));
        Assert.Contains(Path.GetFileName(mask.File), ex.Message, StringComparison.Ordinal);
        Assert.Contains("8x7", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>The first bytes of a file, as the host passes them to <see cref="IDataReader.CanRead"/>.</summary>
    protected static byte[] Head(string file)
    {
        var bytes = File.ReadAllBytes(file);
        return bytes.AsSpan(0, Math.Min(4096, bytes.Length)).ToArray();
    }

    /// <summary>Asserts that reading fails within 10 s with a one-line <see cref="CxdiException"/> naming <paramref name="name"/>.</summary>
    protected static void AssertCleanFailure(IDataReader reader, DataPath path, string name)
    {
        var outcome = RunBounded(() => reader.Read(path, (PluginOptions)Activator.CreateInstance(reader.OptionsType)!, StepContext.None));
        Assert.NotNull(outcome.Error);
        var cxdi = Assert.IsAssignableFrom<CxdiException>(outcome.Error);
        Assert.Contains(name, cxdi.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', cxdi.Message);
    }

    /// <summary>Runs a read on its own thread with a 10 s limit (a hang fails the test) and returns its outcome.</summary>
    protected static (DiffractionData? Data, Exception? Error) RunBounded(Func<DiffractionData> read)
    {
        var task = Task.Run(() =>
        {
            try
            {
                return (read(), (Exception?)null);
            }
            catch (Exception e)
            {
                return ((DiffractionData?)null, e);
            }
        });
        Assert.True(task.Wait(TimeSpan.FromSeconds(10)), "the reader hung for more than 10 s");
        return task.Result;
    }
}
