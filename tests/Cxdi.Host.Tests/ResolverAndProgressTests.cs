using Cxdi.Host.Execution;
using Cxdi.Host.Plugins;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cxdi.Host.Tests;

public sealed class ResolverAndProgressTests
{
    private static PluginCatalog Catalog() => PluginCatalog.Load([new PluginSource(Harness.TestPlugins, true)], NullLoggerFactory.Instance);

    [Fact]
    public void Resolve_BindsOptionsWithTheStrictBinder()
    {
        using var catalog = Catalog();
        var resolver = new PluginResolver(catalog, null);
        var (plugin, options) = resolver.Resolve<IPreprocessor>("test.scale", new Dictionary<string, object?> { ["factor"] = 4.0, ["mode"] = "add_constant", ["tags"] = new[] { "x" } });
        Assert.Equal(4.0, options.GetType().GetProperty("Factor")!.GetValue(options));
        var data = new DiffractionData(Shape.Of(2, 2), [1, 2, 3, 4]);
        var output = plugin.Apply(data, options, StepContext.None);
        Assert.Equal([5f, 6f, 7f, 8f], output.Intensity);
    }

    [Fact]
    public void Resolve_UnknownIdWrongRoleOrBadOptions_AreCxdiExceptions()
    {
        using var catalog = Catalog();
        var resolver = new PluginResolver(catalog, null);
        var missing = Assert.Throws<PluginNotFoundException>(() => resolver.Resolve<IPreprocessor>("test.scal"));
        Assert.Contains("did you mean 'test.scale'", missing.Message);
        var role = Assert.Throws<PluginNotFoundException>(() => resolver.Resolve<IPhaser>("test.scale"));
        Assert.Equal("plugin 'test.scale' is a preprocessor, not a IPhaser", role.Message);
        var bad = Assert.Throws<WorkflowValidationException>(() => resolver.Resolve<IPreprocessor>("test.scale", new Dictionary<string, object?> { ["factor"] = "big" }));
        Assert.Equal("options of test.scale: option 'factor' of test.scale expects a number, got 'big'", bad.Message);
    }

    [Fact]
    public void Resolve_SharedIdPicksThePluginOfTheAskedRole()
    {
        using var catalog = Catalog();
        Assert.Equal(PluginRole.Reader, catalog.Find("test.raw", PluginRole.Reader)!.Role);
        Assert.Equal(PluginRole.Writer, catalog.Find("test.raw", PluginRole.Writer)!.Role);
        var resolver = new PluginResolver(catalog, null);
        Assert.IsAssignableFrom<IDataWriter>(resolver.Resolve<IDataWriter>("test.raw").Plugin);
        Assert.IsAssignableFrom<IDataReader>(resolver.Resolve<IDataReader>("test.raw").Plugin);
    }

    [Fact]
    public void CreateBackend_ExplicitThenRequestedThenHighestAvailablePriority()
    {
        using var catalog = Catalog();
        using (var best = new PluginResolver(catalog, null).CreateBackend())
        {
            Assert.Equal("fast", best.Name);
        }

        using (var requested = new PluginResolver(catalog, "slow").CreateBackend())
        {
            Assert.Equal("slow", requested.Name);
        }

        using (var explicitOne = new PluginResolver(catalog, "slow").CreateBackend("test.backend.fast"))
        {
            Assert.Equal("fast", explicitOne.Name);
        }

        var e = Assert.Throws<BackendUnavailableException>(() => new PluginResolver(catalog, "gpu").CreateBackend());
        Assert.Equal("compute backend test.backend.gpu is not available here: no GPU in this machine", e.Message);
    }

    [Fact]
    public void CreateBackend_NoProviderLoaded_IsAClearError()
    {
        using var catalog = PluginCatalog.Load([], NullLoggerFactory.Instance);
        var e = Assert.Throws<BackendUnavailableException>(() => new PluginResolver(catalog, null).CreateBackend());
        Assert.Equal("no compute backend plugin is loaded", e.Message);
    }

    [Fact]
    public void Progress_IsThrottled_ButRunEndsAlwaysPrinted()
    {
        var output = new StringWriter();
        var progress = new ConsoleProgress(output);
        for (var i = 0; i < 1000; i++)
        {
            progress.Report(new ProgressReport("phase", "iterating") { Run = 0, RunCount = 2, Cycle = i, CycleCount = 1000, Llk = 1.0 / (i + 1) });
        }

        progress.Report(new ProgressReport("phase", "done") { Run = 0, RunCount = 2, Llk = 0.25, FreeLlk = 0.5, SupportSize = 42, State = RunState.Kept });
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.InRange(lines.Length, 2, 6);
        Assert.Equal("[phase] run 00 of 2 cycle 0/1000 LLK 1: iterating", lines[0]);
        Assert.Equal("[phase] run 00 of 2 LLK 0.25 free LLK 0.5 support 42 (kept): done", lines[^1]);
        Assert.DoesNotContain('\u001b', output.ToString());
    }
}
