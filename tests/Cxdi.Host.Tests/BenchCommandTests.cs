using System.Text.Json;

namespace Cxdi.Host.Tests;

/// <summary><c>cxdi bench</c> (the phasing plugin's cxdi.bench tool) through the command line, with the built-in phasing plugin loaded.</summary>
public sealed class BenchCommandTests
{
    private static string Phasing => Path.Combine(Harness.BuiltInPlugins, "Cxdi.Plugins.Phasing");

    [Fact]
    public async Task Bench_SizesAndJson_WritesOneRecordPerMeasurement()
    {
        using var temp = new TempDir();
        var json = Path.Combine(temp.Path, "out", "bench.json");
        var r = await Harness.RunRaw(temp.Path, null, CancellationToken.None, "--plugins", Phasing, "bench", "--sizes", "64x64", "--algorithms", "fft-pair,hio", "--backends", "managed", "--reps", "1", "--json", json);
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Contains("64x64                  hio                    managed", r.Out);

        var records = JsonDocument.Parse(File.ReadAllText(json)).RootElement.EnumerateArray().ToList();
        Assert.Equal(["fft-pair", "hio"], records.Select(e => e.GetProperty("algorithm").GetString()));
        foreach (var record in records)
        {
            Assert.Equal("64x64", record.GetProperty("size").GetString());
            Assert.Equal("managed", record.GetProperty("backend").GetString());
            var ms = record.GetProperty("ms_per_cycle").GetDouble();
            var floor = record.GetProperty("floor_ms").GetDouble();
            Assert.True(ms > 0 && floor > 0, $"ms_per_cycle {ms}, floor_ms {floor}");
            Assert.Equal(ms / floor, record.GetProperty("ratio").GetDouble(), 0.01 * ms / floor);
        }
    }

    [Fact]
    public async Task Bench_BadSizes_ExitTwoWithOneLineNamingTheOption()
    {
        using var temp = new TempDir();
        var r = await Harness.RunRaw(temp.Path, null, CancellationToken.None, "--plugins", Phasing, "bench", "--sizes", "12xq");
        Assert.Equal(2, r.ExitCode);
        var line = Assert.Single(r.ErrorLines);
        Assert.StartsWith("cxdi: error: --sizes:", line);
        Assert.Contains("'12xq' is not a shape", line);
        Assert.Equal("", r.Out);
    }
}
