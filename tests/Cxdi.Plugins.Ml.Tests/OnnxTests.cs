using Cxdi.Plugins.Ml.Cli;
using Cxdi.Plugins.Ml.Denoising;
using Cxdi.Plugins.Ml.Models;
using Cxdi.Plugins.Ml.Onnx;
using Cxdi.Plugins.Ml.Simulation;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Microsoft.ML;
using Xunit.Abstractions;

namespace Cxdi.Plugins.Ml.Tests;

public sealed class OnnxTests(ITestOutputHelper log) : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("cxdi-ml-onnx-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void OnnxExport_ScoredByOnnxRuntime_AgreesWithMlNet()
    {
        var zip = Path.Combine(dir, "d.zip");
        var onnx = Path.Combine(dir, "d.onnx");
        Assert.Equal(0, new TrainTool().Run(new TrainOptions { Model = zip, Onnx = onnx, Size = 64, ObjectSize = 16, Patterns = 2, Samples = 4000, Trees = 20, Leaves = 16, Seed = 6 }, TextWriter.Null, StepContext.None));
        const int n = 64;
        var mask = TestMasks.BeamstopAndGap(n, n, 3);
        var p = PatternSimulator.Simulate(new SimulationSpec(n, n, 16, 1e6, mask), 6060);
        var data = new DiffractionData(Shape.Of(n, n), p.Counts, mask);

        var viaOnnx = new OnnxDenoiser().Denoise(data, new OnnxDenoiserOptions { Model = onnx, Batch = 1000 }, StepContext.None);
        var viaTree = new TreeDenoiser().Denoise(data, new TreeDenoiserOptions { Model = zip }, StepContext.None);
        double worst = 0;
        for (var i = 0; i < n * n; i++)
        {
            if (mask[i] != 0)
            {
                Assert.Equal(p.Counts[i], viaOnnx.Intensity[i]);
                continue;
            }

            var a = Math.Sqrt(viaOnnx.Intensity[i]);
            var b = Math.Sqrt(viaTree.Intensity[i]);
            worst = Math.Max(worst, Math.Abs(a - b));
        }

        log.WriteLine($"largest amplitude difference ONNX vs ML.NET: {worst:G3}");
        Assert.True(worst < 1e-4, $"ONNX and ML.NET differ by {worst} in amplitude");
    }

    [Fact]
    public void OnnxDenoiser_BadFile_IsOneLineInputError()
    {
        var path = Path.Combine(dir, "bad.onnx");
        File.WriteAllText(path, "not an onnx model");
        var data = new DiffractionData(Shape.Of(8, 8), new float[64]);
        var e = Assert.Throws<InvalidInputException>(() => new OnnxDenoiser().Denoise(data, new OnnxDenoiserOptions { Model = path }, StepContext.None));
        Assert.DoesNotContain('\n', e.OneLine);
        Assert.StartsWith(path, e.Message);
    }
}
