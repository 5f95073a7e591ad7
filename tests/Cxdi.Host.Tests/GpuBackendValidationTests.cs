namespace Cxdi.Host.Tests;

/// <summary>
/// The built-in GPU backend (cxdi.cuda) where this machine cannot run it: <c>cxdi plugins</c> says why, and naming it in a
/// step (<c>backend: cxdi.cuda</c>) or with <c>--backend cuda</c> is refused at validation, exit 2, one line with the reason.
/// Where a GPU is usable the same workflow validates.
/// </summary>
public sealed class GpuBackendValidationTests
{
    private const string Flow = "schema: 1\ninput:\n  use: cxdi.simulate\n  with: { size: 32 }\nsteps:\n  - use: cxdi.phase\n    with:\n      runs: 1\n      keep: 1\n      backend: cxdi.cuda\n";

    [Fact]
    public async Task CudaBackend_WithoutAGpu_RefusedAtValidation_AndExplainedByPlugins()
    {
        using var temp = new TempDir();
        var file = temp.File("gpu.yaml", Flow);
        var r = await Harness.RunRaw(temp.Path, null, CancellationToken.None, "--plugins", Harness.BuiltInPlugins, "validate", "gpu.yaml");
        var plugins = await Harness.RunRaw(temp.Path, null, CancellationToken.None, "--plugins", Harness.BuiltInPlugins, "plugins");
        var cudaLine = Assert.Single(plugins.Out.Split('\n'), l => l.StartsWith("cxdi.cuda ", StringComparison.Ordinal));
        if (r.ExitCode == 0)
        {
            Assert.DoesNotContain("not available here", cudaLine, StringComparison.Ordinal);
            return;
        }

        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.Out);
        var line = Assert.Single(r.ErrorLines);
        Assert.True(line.StartsWith($"{file}:10:16: backend: compute backend cxdi.cuda is not available here: ", StringComparison.Ordinal), line);
        var reason = line[(line.IndexOf("here: ", StringComparison.Ordinal) + 6)..];
        Assert.Contains($"(not available here: {reason})", cudaLine, StringComparison.Ordinal);

        temp.File("cpu.yaml", Flow.Replace("      backend: cxdi.cuda\n", "", StringComparison.Ordinal));
        r = await Harness.RunRaw(temp.Path, null, CancellationToken.None, "--plugins", Harness.BuiltInPlugins, "validate", "cpu.yaml", "--backend", "cuda");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal([$"cxdi: error: --backend cuda: compute backend cxdi.cuda is not available here: {reason} (choose another with --backend or CXDI_BACKEND)"], r.ErrorLines);

        r = await Harness.RunRaw(temp.Path, null, CancellationToken.None, "--plugins", Harness.BuiltInPlugins, "validate", "cpu.yaml", "--backend", "ilgpu-cpu");
        Assert.Equal(0, r.ExitCode);
    }
}
