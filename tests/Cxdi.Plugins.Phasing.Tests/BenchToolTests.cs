using System.Text.Json;
using Cxdi.Plugins.Phasing.Bench;
using Cxdi.Plugins.Phasing.Fft;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Roles;

namespace Cxdi.Plugins.Phasing.Tests;

public sealed class BenchToolTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "cxdi-bench-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Bench_FftPairAndHio_WritesRecordsWithFloorAndRatio()
    {
        var json = Path.Combine(directory, "out", "bench.json");
        ICliTool tool = new BenchTool();
        var output = new StringWriter();
        var code = tool.Run(new BenchOptions { Sizes = "64x64", Algorithms = "fft-pair,hio", Backends = "fftw,managed", Reps = 1, Json = json }, output, StepContext.None);
        Assert.Equal(0, code);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(json)!, "*.tmp"));

        var records = JsonDocument.Parse(File.ReadAllText(json)).RootElement.EnumerateArray().ToList();
        var backends = FftwEngine.IsAvailable(out _) ? new[] { "fftw", "managed" } : ["managed"];
        Assert.Equal(2 * backends.Length, records.Count);
        foreach (var backend in backends)
        {
            foreach (var algorithm in new[] { "fft-pair", "hio" })
            {
                var r = Assert.Single(records, e => e.GetProperty("backend").GetString() == backend && e.GetProperty("algorithm").GetString() == algorithm);
                Assert.Equal("64x64", r.GetProperty("size").GetString());
                var ms = r.GetProperty("ms_per_cycle").GetDouble();
                var floor = r.GetProperty("floor_ms").GetDouble();
                var ratio = r.GetProperty("ratio").GetDouble();
                Assert.True(ms > 0 && double.IsFinite(ms), $"{backend} {algorithm}: ms_per_cycle {ms}");
                Assert.True(floor > 0 && double.IsFinite(floor), $"{backend} {algorithm}: floor_ms {floor}");
                Assert.Equal(ms / floor, ratio, 0.01 * ratio);
                Assert.True(r.GetProperty("gb_per_s").GetDouble() > 0);
                Assert.True(r.GetProperty("min_ms").GetDouble() > 0);
                Assert.True(r.GetProperty("fft_ms").GetDouble() > 0);
                Assert.False(string.IsNullOrEmpty(r.GetProperty("detail").GetString()));
                if (algorithm == "hio")
                {
                    // The floor is this backend's FFT pair plus one streaming pass over the 38 B/px a feedback cycle touches.
                    var memory = r.GetProperty("memory_floor_ms").GetDouble();
                    Assert.True(memory > 0);
                    Assert.Equal(r.GetProperty("fft_ms").GetDouble() + memory, floor, 0.01 * floor);
                }
            }
        }

        // The first backend's pair is the fft-pair floor: its ratio is 1.
        Assert.Equal(1.0, records.First(e => e.GetProperty("algorithm").GetString() == "fft-pair").GetProperty("ratio").GetDouble(), 1e-3);
        Assert.Contains($"wrote {json}", output.ToString());
    }

    [Fact]
    public void Bench_BadSizes_OneLineNamingTheOption()
    {
        var options = new BenchOptions { Sizes = "12xq" };
        var problem = Assert.Single(options.Validate());
        Assert.Equal(nameof(BenchOptions.Sizes), problem.Key);

        ICliTool tool = new BenchTool();
        var e = Assert.Throws<InvalidInputException>(() => tool.Run(options, new StringWriter(), StepContext.None));
        Assert.StartsWith("--sizes: '12xq' is not a shape", e.Message);
        Assert.True(e.IsInputError);
        Assert.DoesNotContain('\n', e.OneLine);

        Assert.Equal(nameof(BenchOptions.Memory), Assert.Single(new BenchOptions { Memory = "64x64" }.Validate()).Key);
        Assert.Equal(nameof(BenchOptions.Algorithms), Assert.Single(new BenchOptions { Algorithms = "hio,fft" }.Validate()).Key);
        Assert.Empty(new BenchOptions { Sizes = "64x64, 32x32x32", Memory = "256x256x256", Backends = "managed" }.Validate());
    }

    [Fact]
    public void Bench_LogoWithoutPluginHost_SkippedWithOneLine()
    {
        var output = new StringWriter();
        var code = new BenchTool().Run(new BenchOptions { Sizes = "64x64", Algorithms = "logo-recipe", Backends = "managed", Reps = 1 }, output, StepContext.None);
        Assert.Equal(0, code);
        Assert.Single(output.ToString().Split('\n'), l => l.StartsWith("logo-recipe skipped: no plugin host", StringComparison.Ordinal));
        Assert.DoesNotContain("64x64 ", output.ToString());
    }

    [Fact]
    public void Bench_Memory32Cubed_PositiveFinitePeakRatio()
    {
        var json = Path.Combine(directory, "memory.json");
        var output = new StringWriter();
        var code = new BenchTool().Run(new BenchOptions { Sizes = "16x16", Algorithms = "fft-pair", Backends = "managed", Reps = 1, Memory = "32x32x32", Json = json }, output, StepContext.None);
        Assert.Equal(0, code);
        var records = JsonDocument.Parse(File.ReadAllText(json)).RootElement.EnumerateArray().ToList();
        if (!OperatingSystem.IsLinux())
        {
            Assert.Contains("memory skipped: needs Linux", output.ToString());
            return;
        }

        foreach (var algorithm in new[] { "memory-run", "memory" })
        {
            var memory = Assert.Single(records, e => e.GetProperty("algorithm").GetString() == algorithm);
            Assert.Equal("32x32x32", memory.GetProperty("size").GetString());
            Assert.Equal("managed", memory.GetProperty("backend").GetString());
            var ratio = memory.GetProperty("peak_ratio").GetDouble();
            Assert.True(ratio > 0 && double.IsFinite(ratio), $"{algorithm} peak_ratio {ratio}");
            Assert.True(memory.GetProperty("ms_per_cycle").GetDouble() > 0);
            Assert.True(memory.GetProperty("peak_mib").GetDouble() >= memory.GetProperty("baseline_mib").GetDouble());
            Assert.Contains("MiB", memory.GetProperty("detail").GetString());
        }
    }
}
