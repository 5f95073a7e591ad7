using System.Text.Json;

namespace Cxdi.Host.Tests;

/// <summary>
/// examples/plugins/Acme.Cxdi.Algorithms, copied out of the repository and built from the packed Cxdi.Sdk: a third party's
/// phasing operator (ASR) registered by name and used in a workflow with no change to the workbench.
/// </summary>
[Collection(OutsideRepositoryCollection.Name)]
public sealed class AlgorithmPluginTests(OutsideRepository outside)
{
    private const string Sample = "Acme.Cxdi.Algorithms";

    private string Plugin => outside.BuildOutsideRepo(Sample);

    [DotnetFact]
    public async Task Plugins_ListsTheAsrOperator_BesideTheBuiltInOnes()
    {
        var folder = Plugin;
        Assert.DoesNotContain(Directory.GetFiles(folder), f => Path.GetFileName(f).StartsWith("Cxdi.Sdk", StringComparison.Ordinal));
        using var temp = new TempDir();
        var r = await Harness.RunRaw(temp.Path, null, CancellationToken.None, "plugins", "--json", "--plugins", Harness.BuiltInPlugins, "--plugins", folder);
        Assert.True(r.ExitCode == 0, r.Error);
        var operators = JsonDocument.Parse(r.Out).RootElement.EnumerateArray().Where(e => e.GetProperty("role").GetString() == "operator").ToList();
        var asr = Assert.Single(operators, o => o.GetProperty("id").GetString() == "ASR");
        Assert.Contains("averaged successive reflections", asr.GetProperty("description").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.EndsWith("Acme.Cxdi.Algorithms.dll", asr.GetProperty("assembly").GetString(), StringComparison.Ordinal);
        var hio = Assert.Single(operators, o => o.GetProperty("id").GetString() == "HIO");
        var beta = Assert.Single(hio.GetProperty("parameters").EnumerateArray());
        Assert.Equal("beta", beta.GetProperty("name").GetString());
        Assert.Equal(0.9, beta.GetProperty("default").GetDouble(), 5);
    }

    [DotnetFact]
    public async Task Run_AsrWorkflow_ReconstructsTheQuickstartObject()
    {
        var folder = Plugin;
        var workflow = Path.Combine(outside.SampleCopy(Sample), "asr.yaml");
        using var temp = new TempDir();

        // Smaller than the example (128² instead of 256², 2 runs) so the test takes seconds; the operator string is the example's.
        string[] small = ["--set", "input.with.size=128", "--set", "input.with.gap_offsets=[11,-23]", "--set", "steps.0.with.runs=2", "--set", "steps.0.with.keep=2"];
        var r = await Harness.RunRaw(temp.Path, null, CancellationToken.None, ["--plugins", Harness.BuiltInPlugins, "--plugins", folder, "run", workflow, "--out", "asr", .. small]);
        Assert.True(r.ExitCode == 0, r.Error + r.Out);
        var asr = Phase(Path.Combine(temp.Path, "asr"));

        // The same data and schedule with the built-in HIO in place of ASR: ASR (= HIO with β = 1 for a support constraint) must do as well.
        r = await Harness.RunRaw(temp.Path, null, CancellationToken.None, ["--plugins", Harness.BuiltInPlugins, "--plugins", folder, "run", workflow, "--out", "hio", .. small,
            "--set", "steps.0.with.operators=ER**50 * (Sup * ER**5 * HIO**30)**10 * HIO**100"]);
        Assert.True(r.ExitCode == 0, r.Error + r.Out);
        var hio = Phase(Path.Combine(temp.Path, "hio"));

        var asrError = asr.GetProperty("error_to_truth").GetDouble();
        var hioError = hio.GetProperty("error_to_truth").GetDouble();
        Assert.True(asrError < 0.2, $"ASR average error to the simulated object {asrError:F3} (HIO {hioError:F3})");
        Assert.True(asrError < hioError + 0.05, $"ASR average error {asrError:F3} against HIO {hioError:F3}");
    }

    [DotnetFact]
    public async Task Validate_AsrWithoutThePlugin_NamesTheOperatorAndTheLine()
    {
        _ = Plugin; // copies the sample out of the repository
        var workflow = Path.Combine(outside.SampleCopy(Sample), "asr.yaml");
        using var temp = new TempDir();
        var r = await Harness.RunRaw(temp.Path, null, CancellationToken.None, "--plugins", Harness.BuiltInPlugins, "validate", workflow);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("asr.yaml:18:", r.Error, StringComparison.Ordinal);
        Assert.Contains("not 'ASR'", r.Error, StringComparison.Ordinal);
        Assert.Contains("HIO", r.Error, StringComparison.Ordinal);
    }

    private static JsonElement Phase(string directory) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "summary.json"))).RootElement.GetProperty("findings").GetProperty("cxdi.phase");
}
