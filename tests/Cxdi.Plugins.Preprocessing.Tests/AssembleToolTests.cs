using Cxdi.Plugins.Preprocessing.Assembly;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;

namespace Cxdi.Plugins.Preprocessing.Tests;

public sealed class AssembleToolTests
{
    private sealed class CapturingWriter : DataWriterBase<NoOptions>
    {
        public List<(DataItem Item, string Path)> Written { get; } = [];

        public override bool CanWrite(DataItem item) => item is DiffractionData;

        protected override IReadOnlyList<string> Write(DataItem item, string basePath, NoOptions options, StepContext context)
        {
            Written.Add((item, basePath));
            return [basePath + ".cxi"];
        }
    }

    private sealed class Resolver(IDataReader reader, IDataWriter writer) : IPluginResolver
    {
        public (T Plugin, PluginOptions Options) Resolve<T>(string id, IReadOnlyDictionary<string, object?>? options = null)
            where T : class, IPlugin
            => (id switch { "esrf.edf" => (T)(object)reader, "cxdi.cxi" => (T)(object)writer, _ => throw new KeyNotFoundException(id) }, new NoOptions());

        public Sdk.Compute.IComputeBackend CreateBackend(string? id = null) => new Cxdi.Plugins.Phasing.Compute.CpuBackendProvider().Create(new NoOptions());
    }

    [Fact]
    public void AssembleTool_ReadsAssemblesAndWrites()
    {
        var series = new DiffractionData(Shape.Of(3, 8, 8), Enumerable.Repeat(5f, 192).ToArray())
        {
            Geometry = new Geometry { Wavelength = 1e-10, DetectorDistance = 5, PixelSizeX = 75e-6 },
        };
        var writer = new CapturingWriter();
        var context = new StepContext { Plugins = new Resolver(new MemoryReader(series), writer) };
        var text = new StringWriter();
        var code = new AssembleTool().Run(new AssembleToolOptions { Input = "series.edf", Output = "/tmp/out/volume", Angles = [-10, 0, 10] }, text, context);
        Assert.Equal(0, code);
        var (item, path) = Assert.Single(writer.Written);
        Assert.Equal("/tmp/out/volume", path);
        var volume = Assert.IsType<DiffractionData>(item);
        Assert.Equal(Shape.Of(8, 8, 8), volume.Shape);
        Assert.All(Enumerable.Range(0, volume.Intensity.Length).Where(i => volume.IsMeasured(i)), i => Assert.Equal(5f, volume.Intensity[i], 3));
        Assert.Contains("assembled 3 frames", text.ToString(), StringComparison.Ordinal);
        Assert.Contains("wrote /tmp/out/volume.cxi", text.ToString(), StringComparison.Ordinal);
        Assert.Equal("assemble", new AssembleTool().Command);
    }

    [Fact]
    public void AssembleTool_BenchmarkMode_ReportsTheTime()
    {
        var text = new StringWriter();
        Assert.Equal(0, new AssembleTool().Run(new AssembleToolOptions { Benchmark = true, BenchmarkFrames = 7, BenchmarkPixels = 32, Size = 16 }, text, StepContext.None));
        Assert.StartsWith("assembled 7 frames of 32² into 16³ in ", text.ToString(), StringComparison.Ordinal);
        Assert.NotEmpty(new AssembleToolOptions().Validate());
        Assert.Empty(new AssembleToolOptions { Benchmark = true }.Validate());
    }
}
