using System.Text.Json;

namespace Cxdi.Host.Tests;

/// <summary>examples/plugins/Acme.Cxdi.Sample, copied out of the repository and built from the packed Cxdi.Sdk as its README says.</summary>
[Collection(OutsideRepositoryCollection.Name)]
public sealed class SamplePluginTests(OutsideRepository outside)
{
    private string Plugin => outside.BuildOutsideRepo("Acme.Cxdi.Sample");

    [DotnetFact]
    public void Build_OutsideTheRepository_HasThePluginAndItsDependencyButNoSdk()
    {
        var files = Directory.GetFiles(Plugin).Select(Path.GetFileName).ToArray();
        Assert.Contains("Acme.Cxdi.Sample.dll", files);
        Assert.Contains("Acme.Cxdi.Sample.deps.json", files);
        Assert.Contains("MathNet.Numerics.dll", files); // the plugin's own dependency sits beside it
        Assert.DoesNotContain(files, f => f!.StartsWith("Cxdi.Sdk", StringComparison.Ordinal)); // the host shares its own copy
        Assert.DoesNotContain(files, f => f!.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal)); // shared too
    }

    [DotnetFact]
    public async Task Plugins_ListsTheSamplePlugin()
    {
        var folder = Plugin;
        using var temp = new TempDir();
        var r = await Harness.RunRaw(temp.Path, null, CancellationToken.None, "plugins", "--plugins", folder);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("acme.median-filter  1.0.0    preprocessor  Flags or replaces isolated hot pixels", r.Out);

        r = await Harness.RunRaw(temp.Path, null, CancellationToken.None, "plugins", "--json", "--plugins", folder);
        var plugin = JsonDocument.Parse(r.Out).RootElement.EnumerateArray().Single();
        Assert.Equal(["radius", "threshold", "action", "min_value"], plugin.GetProperty("options").EnumerateArray().Select(o => o.GetProperty("key").GetString()));
        Assert.Equal("one of flag|replace", plugin.GetProperty("options")[2].GetProperty("type").GetString());
        Assert.Equal("px", plugin.GetProperty("options")[0].GetProperty("unit").GetString());
    }

    [DotnetFact]
    public async Task Run_WorkflowWithSamplePlugin_FlagsAndReplacesTheHotPixel()
    {
        var plugin = Plugin;
        using var temp = new TempDir();

        // A flat 10 ± 2 photon background with one hot pixel of 5000 at (3, 4) and an already-masked pixel.
        float Value(int i) => i == 28 ? 5000 : i == 9 ? -1 : 8 + (i * 7 % 5);
        temp.File("hot.raw", Harness.Raw(8, 8, Value));
        double measuredSum = Enumerable.Range(0, 64).Where(i => i != 9).Sum(i => (double)Value(i));
        temp.File("flag.yaml", """
            schema: 1
            name: flag
            input: { path: hot.raw }
            steps:
              - use: acme.median-filter
                id: hot
                with: { radius: 1, threshold: 6 }
            output:
              writers: [test.json]
            """);
        var r = await Harness.RunRaw(temp.Path, null, CancellationToken.None, "--plugins", plugin, "--plugins", Harness.TestPlugins, "run", "flag.yaml");
        Assert.True(r.ExitCode == 0, r.Error);
        var result = JsonDocument.Parse(File.ReadAllText(Path.Combine(temp.Path, "out", "flag", "result.json"))).RootElement;
        Assert.Equal(measuredSum - 5000, result.GetProperty("sum").GetDouble(), 3);
        Assert.Equal("flag", result.GetProperty("steps")[1].GetProperty("options").GetProperty("action").GetString());

        r = await Harness.RunRaw(temp.Path, null, CancellationToken.None, "--plugins", plugin, "--plugins", Harness.TestPlugins, "run", "flag.yaml", "--set", "steps.hot.with.action=replace", "--out", "replaced");
        Assert.True(r.ExitCode == 0, r.Error);
        result = JsonDocument.Parse(File.ReadAllText(Path.Combine(temp.Path, "replaced", "result.json"))).RootElement;
        var neighbours = new[] { 19, 20, 21, 27, 29, 35, 36, 37 }.Select(i => (double)Value(i)).Order().ToArray();
        var median = (neighbours[3] + neighbours[4]) / 2;
        Assert.Equal(measuredSum - 5000 + median, result.GetProperty("sum").GetDouble(), 3);
    }

    [DotnetFact]
    public async Task Plugins_CopyOfTheSampleInAnotherFolder_ConflictNamesBothFiles()
    {
        var plugin = Plugin;
        using var temp = new TempDir();
        var copy = Path.Combine(temp.Path, "Acme.Cxdi.Sample");
        Harness.CopyDirectory(plugin, copy);
        var r = await Harness.RunRaw(temp.Path, null, CancellationToken.None, "plugins", "--plugins", plugin, "--plugins", copy);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal(
            [$"cxdi: error: plugin id 'acme.median-filter' is claimed by both {Path.Combine(plugin, "Acme.Cxdi.Sample.dll")} and {Path.Combine(copy, "Acme.Cxdi.Sample.dll")} (remove one of the two plugin folders or change one id)"],
            r.ErrorLines);
    }
}
