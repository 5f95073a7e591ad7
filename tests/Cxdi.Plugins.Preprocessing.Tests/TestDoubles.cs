using Cxdi.Plugins.Formats.Edf;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;

namespace Cxdi.Plugins.Preprocessing.Tests;

/// <summary>Test-only resolver: the real CPU backend of the phasing plugin and a fixed set of readers by id.</summary>
internal sealed class TestResolver(IReadOnlyDictionary<string, IDataReader>? readers = null) : IPluginResolver
{
    public (T Plugin, PluginOptions Options) Resolve<T>(string id, IReadOnlyDictionary<string, object?>? options = null)
        where T : class, IPlugin
    {
        if (readers is not null && readers.TryGetValue(id, out var reader) && reader is T plugin)
        {
            return (plugin, (PluginOptions)Activator.CreateInstance(reader.OptionsType)!);
        }

        throw new PluginNotFoundException(id, $"no plugin '{id}' in this test");
    }

    public IComputeBackend CreateBackend(string? id = null) => new Cxdi.Plugins.Phasing.Compute.CpuBackendProvider().Create(new NoOptions());

    public static StepContext Context(IReadOnlyDictionary<string, IDataReader>? readers = null) => new() { Plugins = new TestResolver(readers) };
}

/// <summary>A reader returning a fixed in-memory array, whatever the path.</summary>
internal sealed class MemoryReader(DiffractionData data) : DataReaderBase<NoOptions>
{
    public List<string> Paths { get; } = [];

    public override bool CanRead(string path, ReadOnlySpan<byte> head) => true;

    protected override DataSpec Probe(DataPath source, NoOptions options) => data.Spec;

    protected override DiffractionData Read(DataPath source, NoOptions options, StepContext context)
    {
        Paths.Add(source.ToString());
        return data.Clone();
    }
}

/// <summary>The measured ESRF-logo pattern from the shared data directory (found by walking up from the test's base directory).</summary>
internal static class LogoData
{
    public static string Directory() => LogoDataLocation.Require();

    public static DiffractionData Read()
    {
        var path = Path.Combine(Directory(), "logo5mu_20sec.edf");
        return new EdfReader().Read(new DataPath(path), new EdfOptions(), StepContext.None);
    }
}
