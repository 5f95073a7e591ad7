using System.Text.Json;

namespace Cxdi.Host.Tests;

/// <summary>The time-resolved series through the host: <c>cxdi simulate --series</c>, then a workflow with <c>cxdi.phase.series</c>.</summary>
public sealed class SeriesCliTests
{
    private static Task<CliResult> BuiltIn(string currentDirectory, params string[] args) =>
        Harness.RunRaw(currentDirectory, null, CancellationToken.None, ["--plugins", Harness.BuiltInPlugins, .. args]);

    [Fact]
    public async Task SimulateSeries_ThenRun_WritesFramesSummaryAndMovie()
    {
        using var temp = new TempDir();
        var r = await BuiltIn(temp.Path, "simulate", "--series", "6", "--size", "64", "--photons", "1e8", "--motion", "drift,deform", "--motion-scale", "0.03", "--gap-width", "1", "--gap-offsets", "9", "--out", Path.Combine(temp.Path, "sim"));
        Assert.Equal("", r.Error);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("simulated 6x64x64", r.Out);

        File.WriteAllText(Path.Combine(temp.Path, "series.yaml"), """
            schema: 1
            name: series-test
            input:
              use: cxi.hdf5
              path: sim/simulated.cxi
            steps:
              - id: series
                use: cxdi.phase.series
                with: { initial_runs: 2, seed: 3, threads: 1, backend: cpu-managed }
            output:
              directory: out
              writers: [cxdi.cxi, cxdi.png]
            """);
        r = await BuiltIn(temp.Path, "run", "series.yaml", "--overwrite");
        Assert.True(r.ExitCode == 0, r.Error);
        var output = Path.Combine(temp.Path, "out");
        Assert.True(File.Exists(Path.Combine(output, "result.cxi")));
        Assert.True(File.Exists(Path.Combine(output, "result_movie.png")));
        Assert.True(File.Exists(Path.Combine(output, "result_series_metrics.png")));
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "summary.json")));
        Assert.Equal(6, summary.RootElement.GetProperty("runs").GetArrayLength());
        var series = summary.RootElement.GetProperty("findings").GetProperty("cxdi.phase.series");
        Assert.Equal(6, series.GetProperty("error_to_truth").GetArrayLength());
        Assert.True(series.GetProperty("median_error_to_truth").GetDouble() <= 0.05, series.ToString());

        // A block past the end of the stack: one line naming the option, exit code 2.
        r = await BuiltIn(temp.Path, "run", "series.yaml", "--overwrite", "--set", "steps.series.with.block_start=6");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("block_start 6", Assert.Single(r.ErrorLines));
    }

    [Fact]
    public async Task SimulateSeries_UnknownMotion_IsOneLineNamingTheOption()
    {
        using var temp = new TempDir();
        var r = await BuiltIn(temp.Path, "simulate", "--series", "4", "--size", "32", "--motion", "wobble", "--out", Path.Combine(temp.Path, "sim"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("motion", Assert.Single(r.ErrorLines));
    }
}
