using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Roles;

namespace Cxdi.Conformance.Readers;

public sealed class MalformedCorpusTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "cxdi-malformed-" + Guid.NewGuid().ToString("N"));

    public MalformedCorpusTests() => Directory.CreateDirectory(_dir);

    public static TheoryData<string> CaseNames => new(MalformedCorpus.Names);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public void Corpus_HasAtLeastFiftyCases() => Assert.True(MalformedCorpus.Names.Count >= 50, $"{MalformedCorpus.Names.Count} cases");

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Read_MalformedInput_FailsWithOneLineMessageNamingFile(string name)
    {
        var c = MalformedCorpus.Generate(name, _dir);
        var reader = MalformedCorpus.Reader(c.ReaderId);
        var path = DataPath.Parse(c.Path);

        var (error, allocated) = Bounded(() => reader.Read(path, c.Options, StepContext.None));

        var cxdi = Assert.IsAssignableFrom<CxdiException>(error);
        Assert.True(cxdi is InvalidInputException or UnsupportedFormatException, $"{cxdi.GetType().Name}: {cxdi.Message}");
        Assert.True(cxdi.IsInputError);
        Assert.DoesNotContain('\n', cxdi.OneLine);
        Assert.Contains(c.MustName, cxdi.Message, StringComparison.Ordinal);
        Assert.Contains(c.MustSay ?? "", cxdi.OneLine, StringComparison.Ordinal);
        Assert.True(allocated < 64L << 20, $"allocated {allocated >> 20} MiB before failing");
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void DetectThenRead_AsTheHostDoes_FailsCleanlyOrNoReaderClaimsIt(string name)
    {
        var c = MalformedCorpus.Generate(name, _dir);
        if (c.UsesOptions)
        {
            // The damage is in the options, not the file: with default options the file itself reads.
            var reader0 = MalformedCorpus.Reader(c.ReaderId);
            var data = reader0.Read(DataPath.Parse(c.Path), (Cxdi.Sdk.Plugins.PluginOptions)Activator.CreateInstance(reader0.OptionsType)!, StepContext.None);
            Assert.Equal(data.Shape.Length, data.Intensity.LongLength);
            return;
        }

        var path = DataPath.Parse(c.Path);
        byte[] head = File.Exists(path.File) ? File.ReadAllBytes(path.File).AsSpan(0, (int)Math.Min(4096, new FileInfo(path.File).Length)).ToArray() : [];
        var claimed = new[] { "esrf.edf", "numpy.npy", "tiff", "cxi.hdf5" }.Select(MalformedCorpus.Reader).Where(r => r.CanRead(path.File, head)).ToList();
        Assert.True(claimed.Count <= 1, $"{claimed.Count} readers claim {name}");
        foreach (var reader in claimed)
        {
            var (error, _) = Bounded(() => reader.Read(path, (Cxdi.Sdk.Plugins.PluginOptions)Activator.CreateInstance(reader.OptionsType)!, StepContext.None));
            var cxdi = Assert.IsAssignableFrom<CxdiException>(error);
            Assert.True(cxdi.IsInputError);
            Assert.Contains(c.MustName, cxdi.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Probe_MalformedInput_NeverCrashes(string name)
    {
        var c = MalformedCorpus.Generate(name, _dir);
        var reader = MalformedCorpus.Reader(c.ReaderId);

        var (error, allocated) = Bounded(() => reader.Probe(DataPath.Parse(c.Path), c.Options));

        // Probe reads headers only: damage in the data may pass it, anything it reports is a clean CxdiException.
        Assert.True(error is null or CxdiException, error?.ToString());
        Assert.True(allocated < 64L << 20, $"allocated {allocated >> 20} MiB");
    }

    private static (Exception? Error, long Allocated) Bounded(Action action)
    {
        var task = Task.Run(() =>
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                action();
                return ((Exception?)null, GC.GetAllocatedBytesForCurrentThread() - before);
            }
            catch (Exception e)
            {
                return (e, GC.GetAllocatedBytesForCurrentThread() - before);
            }
        });
        Assert.True(task.Wait(TimeSpan.FromSeconds(10)), "the reader hung for more than 10 s");
        return task.Result;
    }
}
