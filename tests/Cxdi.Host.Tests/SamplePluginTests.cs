using System.Diagnostics;
using System.Text.Json;

namespace Cxdi.Host.Tests;

/// <summary>Builds examples/plugins/Acme.Cxdi.Sample once, like a third party would (<c>dotnet build -o DIR</c>).</summary>
public sealed class SamplePluginBuild : IDisposable
{
    public SamplePluginBuild()
    {
        Directory = Path.Combine(Path.GetTempPath(), "cxdi-host-tests", "acme-" + Guid.NewGuid().ToString("N"));
        var project = Path.Combine(Harness.RepositoryRoot(), "examples", "plugins", "Acme.Cxdi.Sample", "Acme.Cxdi.Sample.csproj");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { "build", project, "-c", "Release", "-o", Directory, "-nologo", "-v", "q" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var variable in new[] { "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "MSBuildExtensionsPath", "MSBuildLoadMicrosoftTargetsReadOnly" })
        {
            start.Environment.Remove(variable);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(4)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("building the sample plugin took more than 4 minutes");
        }

        BuildLog = stdout.Result + stderr.Result;
        ExitCode = process.ExitCode;
    }

    public string Directory { get; }

    public int ExitCode { get; }

    public string BuildLog { get; }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

public sealed class SamplePluginTests(SamplePluginBuild build) : IClassFixture<SamplePluginBuild>
{
    private void AssertBuilt()
    {
        Assert.True(build.ExitCode == 0, build.BuildLog);
        Assert.True(File.Exists(Path.Combine(build.Directory, "Acme.Cxdi.Sample.dll")));
        Assert.True(File.Exists(Path.Combine(build.Directory, "MathNet.Numerics.dll")), "the plugin's own dependency sits beside it");
    }

    [Fact]
    public async Task Plugins_ListsTheSamplePlugin()
    {
        AssertBuilt();
        using var temp = new TempDir();
        var r = await Harness.RunRaw(temp.Path, null, CancellationToken.None, "plugins", "--plugins", build.Directory);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("acme.median-filter  1.0.0    preprocessor  Flags or replaces isolated hot pixels", r.Out);

        r = await Harness.RunRaw(temp.Path, null, CancellationToken.None, "plugins", "--json", "--plugins", build.Directory);
        var plugin = JsonDocument.Parse(r.Out).RootElement.EnumerateArray().Single();
        Assert.Equal(["radius", "threshold", "action", "min_value"], plugin.GetProperty("options").EnumerateArray().Select(o => o.GetProperty("key").GetString()));
        Assert.Equal("one of flag|replace", plugin.GetProperty("options")[2].GetProperty("type").GetString());
        Assert.Equal("px", plugin.GetProperty("options")[0].GetProperty("unit").GetString());
    }

    [Fact]
    public async Task Run_WorkflowWithSamplePlugin_FlagsAndReplacesTheHotPixel()
    {
        AssertBuilt();
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
        var r = await Harness.RunRaw(temp.Path, null, CancellationToken.None, "--plugins", build.Directory, "--plugins", Harness.TestPlugins, "run", "flag.yaml");
        Assert.True(r.ExitCode == 0, r.Error);
        var result = JsonDocument.Parse(File.ReadAllText(Path.Combine(temp.Path, "out", "flag", "result.json"))).RootElement;
        Assert.Equal(measuredSum - 5000, result.GetProperty("sum").GetDouble(), 3);
        Assert.Equal("flag", result.GetProperty("steps")[1].GetProperty("options").GetProperty("action").GetString());

        r = await Harness.RunRaw(temp.Path, null, CancellationToken.None, "--plugins", build.Directory, "--plugins", Harness.TestPlugins, "run", "flag.yaml", "--set", "steps.hot.with.action=replace", "--out", "replaced");
        Assert.True(r.ExitCode == 0, r.Error);
        result = JsonDocument.Parse(File.ReadAllText(Path.Combine(temp.Path, "replaced", "result.json"))).RootElement;
        var neighbours = new[] { 19, 20, 21, 27, 29, 35, 36, 37 }.Select(i => (double)Value(i)).Order().ToArray();
        var median = (neighbours[3] + neighbours[4]) / 2;
        Assert.Equal(measuredSum - 5000 + median, result.GetProperty("sum").GetDouble(), 3);
    }

    [Fact]
    public async Task Plugins_CopyOfTheSampleInAnotherFolder_ConflictNamesBothFiles()
    {
        AssertBuilt();
        using var temp = new TempDir();
        var copy = Path.Combine(temp.Path, "Acme.Cxdi.Sample");
        Harness.CopyDirectory(build.Directory, copy);
        var r = await Harness.RunRaw(temp.Path, null, CancellationToken.None, "plugins", "--plugins", build.Directory, "--plugins", copy);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal(
            [$"cxdi: error: plugin id 'acme.median-filter' is claimed by both {Path.Combine(build.Directory, "Acme.Cxdi.Sample.dll")} and {Path.Combine(copy, "Acme.Cxdi.Sample.dll")} (remove one of the two plugin folders or change one id)"],
            r.ErrorLines);
    }
}
