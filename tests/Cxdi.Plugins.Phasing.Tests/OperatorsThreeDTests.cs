using Cxdi.Plugins.Phasing.Compute;
using Cxdi.Plugins.Phasing.Operators;
using Cxdi.Plugins.Phasing.Simulation;
using Cxdi.Plugins.Phasing.Support;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Phasing;
using Xunit.Abstractions;

namespace Cxdi.Plugins.Phasing.Tests;

/// <summary>Every new operator runs on 3D data: from a perturbed start on a 16³ simulation the Poisson log-likelihood falls and the object stays finite.</summary>
public sealed class OperatorsThreeDTests(ITestOutputHelper output) : IDisposable
{
    private readonly CpuComputeBackend backend = new(Cxdi.Plugins.Phasing.Fft.FftPreference.Auto, 1);

    public void Dispose() => backend.Dispose();

    [Theory]
    [InlineData("ML**20")]
    [InlineData("GPS(iterations=20)**20")]
    [InlineData("OSS(iterations=20)**20")]
    [InlineData("ER_TV**10")]
    [InlineData("HIO_TV**10")]
    [InlineData("ER_PSF(sigma=0.3,update_every=2)**10")]
    [InlineData("RAAR_PSF(sigma=0.3)**10")]
    public void Operator_In3D_LowersTheLikelihood(string operators)
    {
        var data = Simulator.Simulate(new SimulateOptions { Dims = 3, Size = 16, Oversampling = 3, Photons = 1e7, Seed = 6 }, backend);
        var shape = data.Shape;
        using var state = new PhasingState(backend, shape);
        backend.Upload(ArrayTools.IfftShift<float>(data.Intensity.Select(v => MathF.Sqrt(v)).ToArray(), shape), state.ObservedAmplitude);
        var truth = ArrayTools.IfftShift<Complex32>(data.GroundTruth!, shape);
        var random = new Random(2);
        backend.Upload(truth.Select(z => z.Norm2 > 0 ? new Complex32(z.Re + (0.3f * ((float)random.NextDouble() - 0.5f)), z.Im + (0.3f * ((float)random.NextDouble() - 0.5f))) : default).ToArray(), state.Object);
        backend.Upload(truth.Select(z => z.Norm2 > 0 ? (byte)1 : (byte)0).ToArray(), state.Support);
        state.CountSupport();
        state.SyncPrevious();
        var before = state.EvaluateMetrics().Llk;
        BuiltInOperators.Parse(operators).Apply(state);
        var after = state.EvaluateMetrics().Llk;
        output.WriteLine($"{operators} on {shape}: LLK {before:F3} → {after:F3}");
        Assert.All(state.DownloadObject(), z => Assert.True(float.IsFinite(z.Re) && float.IsFinite(z.Im)));
        Assert.True(after < before, $"LLK {before} → {after}");
    }
}
