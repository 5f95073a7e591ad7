using System.Text.Json;
using PureHDF;

namespace Cxdi.Host.Tests;

/// <summary>End to end: a workflow with <c>fsc_pixel_halves</c> writes the uncertainty maps, the FSC curves and their pictures.</summary>
public sealed class UncertaintyRunTests
{
    private const string Workflow = """
        schema: 1
        name: unc
        input:
          use: cxdi.simulate
          with: { size: 64, photons: 1e6, seed: 3 }
        steps:
          - use: cxdi.phase
            id: phase
            with:
              operators: "ER**30 * (Sup * ER**5 * HIO**20)**8 * HIO**60"
              runs: 3
              keep: 2
              seed: 4
              threads: 1
              support: autocorrelation
              support_threshold_reference: max
              fsc_pixel_halves: true
              fsc_pixel_halves_runs: 1
        output:
          writers: [cxdi.cxi, cxdi.png]
        """;

    [Fact]
    public async Task Run_FscPixelHalves_WritesUncertaintyMapsFscCurvesAndPictures()
    {
        using var temp = new TempDir();
        temp.File("unc.yaml", Workflow);
        var r = await Harness.RunRaw(temp.Path, null, CancellationToken.None, "--plugins", Harness.BuiltInPlugins, "run", "unc.yaml", "--out", "o");
        Assert.True(r.ExitCode == 0, r.Error + r.Out);
        var output = Path.Combine(temp.Path, "o");
        foreach (var picture in new[] { "amplitude_uncertainty", "phase_uncertainty", "fsc" })
        {
            Assert.True(new FileInfo(Path.Combine(output, $"result_{picture}.png")).Length > 1000, picture);
        }

        // a single run's pictures have no spread and no FSC
        Assert.False(File.Exists(Path.Combine(output, "run_00_fsc.png")));
        Assert.False(File.Exists(Path.Combine(output, "run_00_amplitude_uncertainty.png")));

        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "summary.json")));
        var phase = summary.RootElement.GetProperty("findings").GetProperty("cxdi.phase");
        var halves = phase.GetProperty("fsc_half_pixels");
        Assert.Equal(1, halves.GetProperty("runs_per_half").GetInt32());
        var fsc = halves.GetProperty("fsc").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.Equal(33, fsc.Length);
        Assert.True(fsc[1] > 0.9, $"FSC of the pixel halves at the first shell {fsc[1]:F3}");
        var map = phase.GetProperty("uncertainty_map");
        Assert.InRange(map.GetProperty("phase_std_median_rad").GetDouble(), 0, 0.5);
        Assert.InRange(map.GetProperty("amplitude_std_median_relative").GetDouble(), 0, 0.5);

        using var file = H5File.OpenRead(Path.Combine(output, "result.cxi"));
        Assert.Equal(64 * 64, file.Dataset("/entry_1/image_1/amplitude_uncertainty").Read<float[]>().Length);
        Assert.Equal("rad", file.Dataset("/entry_1/image_1/phase_uncertainty").Attribute("units").Read<string>());
        Assert.Equal(fsc.Length, file.Dataset("/entry_1/image_1/process_1/fsc_half_pixels").Read<double[]>().Length);
        Assert.Equal(
            phase.GetProperty("fsc_half_runs").GetProperty("fsc").GetArrayLength(),
            file.Dataset("/entry_1/image_1/process_1/fsc_half_runs").Read<double[]>().Length);
    }

    [Fact]
    public async Task Validate_BadFscPixelHalvesValues_AreReportedWithTheirLines()
    {
        using var temp = new TempDir();
        var file = temp.File("bad.yaml", Workflow
            .Replace("fsc_pixel_halves: true", "fsc_pixel_halves: maybe", StringComparison.Ordinal)
            .Replace("fsc_pixel_halves_runs: 1", "fsc_pixel_halves_runs: 0", StringComparison.Ordinal));
        var r = await Harness.RunRaw(temp.Path, null, CancellationToken.None, "--plugins", Harness.BuiltInPlugins, "validate", "bad.yaml");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(r.ErrorLines, l => l.StartsWith($"{file}:17:", StringComparison.Ordinal) && l.Contains("fsc_pixel_halves", StringComparison.Ordinal));
        Assert.Contains(r.ErrorLines, l => l.StartsWith($"{file}:18:", StringComparison.Ordinal) && l.Contains("fsc_pixel_halves_runs", StringComparison.Ordinal));
    }
}
