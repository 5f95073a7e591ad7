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

        // Smaller than the example (128² instead of 256²) so the test takes seconds; the operator string is the example's.
        // Single starts of ASR (= HIO with β = 1 for a support constraint) either converge or stagnate (about half of them
        // here, depending on round-off): six starts and the best by free LLK give the answer on any FFT.
        string[] small = ["--set", "input.with.size=128", "--set", "input.with.gap_offsets=[11,-23]", "--set", "steps.0.with.runs=6", "--set", "steps.0.with.keep=1"];
        var r = await Harness.RunRaw(temp.Path, null, CancellationToken.None, ["--plugins", Harness.BuiltInPlugins, "--plugins", folder, "run", workflow, "--out", "asr", .. small]);
        Assert.True(r.ExitCode == 0, r.Error + r.Out);
        var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(temp.Path, "asr", "summary.json"))).RootElement;
        var phase = summary.GetProperty("findings").GetProperty("cxdi.phase");
        var error = phase.GetProperty("error_to_truth").GetDouble();
        Assert.True(error < 0.01, $"ASR: error of the best start to the simulated object {error:F4}");
        Assert.Contains("ASR**100", File.ReadAllText(Path.Combine(temp.Path, "asr", "workflow.resolved.yaml")), StringComparison.Ordinal);
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
}
