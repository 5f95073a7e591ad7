using Cxdi.Plugins.Phasing.Compute;
using Cxdi.Plugins.Phasing.Engine;
using Cxdi.Plugins.Phasing.Simulation;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;

namespace Cxdi.Conformance;

/// <summary>What every compute backend must do: exact FFT round trips, the kernels' contracts, and reconstructions matching the reference CPU backend.</summary>
public abstract class BackendConformance
{
    /// <summary>The backend under test.</summary>
    protected abstract IComputeBackend CreateBackend();

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Transform_RoundTrip_RestoresTheData(int rank)
    {
        using var backend = CreateBackend();
        var shape = rank == 2 ? Shape.Of(48, 40) : Shape.Of(12, 16, 10);
        var random = new Random(rank);
        var data = Enumerable.Range(0, (int)shape.Length).Select(_ => new Complex32((float)random.NextDouble() - 0.5f, (float)random.NextDouble() - 0.5f)).ToArray();
        var work = (Complex32[])data.Clone();
        backend.Transform(work, shape, FftDirection.Forward);
        Assert.Equal(data.Sum(z => (double)z.Re), work[0].Re, 1e-3);
        backend.Transform(work, shape, FftDirection.Inverse);
        Assert.True(PhaserConformance.RelativeDifference(data, work) < 1e-5);
    }

    [Fact]
    public void DeviceFft_MatchesHostTransform_AndBuffersRoundTrip()
    {
        using var backend = CreateBackend();
        var shape = Shape.Of(32, 24);
        var random = new Random(4);
        var data = Enumerable.Range(0, (int)shape.Length).Select(_ => new Complex32((float)random.NextDouble(), (float)random.NextDouble())).ToArray();
        using var buffer = backend.AllocateComplex(shape);
        using var plan = backend.CreateFftPlan(shape);
        backend.Upload(data, buffer);
        backend.Fft(plan, buffer, FftDirection.Forward);
        var device = new Complex32[data.Length];
        backend.Download(buffer, device);
        var host = (Complex32[])data.Clone();
        backend.Transform(host, shape, FftDirection.Forward);
        Assert.True(PhaserConformance.RelativeDifference(host, device) < 1e-6);
    }

    [Fact]
    public void ModulusProjection_KeepsUnknownPixelsFree()
    {
        using var backend = CreateBackend();
        var shape = Shape.Of(8, 8);
        var values = Enumerable.Range(0, 64).Select(i => new Complex32(i + 1, -i)).ToArray();
        var classes = Enumerable.Range(0, 64).Select(i => (byte)(i % 3)).ToArray();
        using var psi = backend.AllocateComplex(shape);
        using var amplitude = backend.AllocateReal(shape);
        using var pixelClass = backend.AllocateMask(shape);
        backend.Upload(values, psi);
        backend.Upload(Enumerable.Repeat(2f, 64).ToArray(), amplitude);
        backend.Upload(classes, pixelClass);
        backend.ProjectModulus(psi, amplitude, pixelClass, project: true, metrics: true);
        var result = new Complex32[64];
        backend.Download(psi, result);
        for (var i = 0; i < 64; i++)
        {
            if (classes[i] == PixelClass.Measured)
            {
                Assert.Equal(2f, result[i].Abs, 1e-5f);
            }
            else
            {
                Assert.Equal(values[i], result[i]);
            }
        }
    }

    [Fact]
    public void Reconstruction_MatchesTheManagedCpuBackend()
    {
        var data = Simulator.Simulate(new SimulateOptions { Size = 64, Oversampling = 4, Photons = 1e9, Seed = 8 }, CreateBackend());
        // ER only: HIO amplifies round-off differences chaotically (phases of near-zero Fourier amplitudes), ER does not.
        var options = new PhaseOptions { Operators = "ER**30", Runs = 1, Keep = 1, Seed = 2, Threads = 1, Support = InitialSupportSource.Circle, SupportSize = 24, FreeFraction = 0 };
        var reference = new PhasePlugin().Reconstruct(data.Clone(), options with { Backend = "cpu-managed" }, StepContext.None);
        var tested = new PhasePlugin().Reconstruct(data.Clone(), options with { Backend = BackendId }, StepContext.None);
        var diff = PhaserConformance.RelativeDifference(reference.Runs[0].Object, tested.Runs[0].Object);
        Assert.True(diff <= 1e-4, $"relative difference {diff:G3} to the managed CPU backend");
    }

    /// <summary>The id the phaser's <c>backend</c> option uses for this backend.</summary>
    protected abstract string BackendId { get; }
}

/// <summary>The CPU backend with FFTW (when installed).</summary>
public sealed class CpuBackendConformance : BackendConformance
{
    /// <inheritdoc />
    protected override string BackendId => "cpu";

    /// <inheritdoc />
    protected override IComputeBackend CreateBackend() => new CpuBackendProvider().Create(new CpuBackendOptions { Threads = 2 });
}

/// <summary>The CPU backend with the managed FFT.</summary>
public sealed class ManagedCpuBackendConformance : BackendConformance
{
    /// <inheritdoc />
    protected override string BackendId => "cpu-managed";

    /// <inheritdoc />
    protected override IComputeBackend CreateBackend() => new ManagedCpuBackendProvider().Create(new CpuBackendOptions { Threads = 1 });
}
