using Cxdi.Conformance;
using Cxdi.Plugins.Gpu.Backends;
using Cxdi.Plugins.Phasing.Compute;
using Cxdi.Plugins.Phasing.Engine;
using Cxdi.Plugins.Phasing.Operators;
using Cxdi.Plugins.Phasing.Simulation;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;

namespace Cxdi.Plugins.Gpu.Tests;

/// <summary>
/// The GPU kernels reconstruct what the managed CPU backend reconstructs, run through the phaser from the same random start:
/// HIO + shrink-wrap with positivity (the nonlinear rules run as the generic ILGPU kernel) on <c>cxdi.ilgpu-cpu</c> against
/// <c>cxdi.cpu-managed</c>. HIO amplifies round-off chaotically from a random start (measured here at 48²: the two FFTs
/// differ by ~1e-7, the objects by 2e-6 after 5 HIO cycles, 5e-4 after 20 and ~0.1 after 50), so the 1e-4 parity is
/// checked on a short HIO + shrink-wrap run and on a 50-cycle ER + shrink-wrap run (contracting); the 200-cycle HIO run of
/// the conformance suite is checked at its stated tolerance.
/// </summary>
public sealed class ParityTests
{
    /// <summary>ER ×10, support update, HIO ×5, support update: 15 cycles, two shrink-wraps.</summary>
    public const string ShortHio = "Sup * HIO**5 * Sup * ER**10";

    /// <summary>Five times (ER ×10, support update): 50 cycles.</summary>
    public const string Er50 = "(Sup * ER**10)**5";

    [Fact]
    public void HioShrinkWrapShortRun_OnIlgpuCpu_EqualsCpuManaged_Within1e4()
    {
        var (got, want) = Run(IlgpuCpuBackend.Create, 48, ShortHio);
        AssertEqual(got, want, 1e-4);
    }

    [Fact]
    public void ErShrinkWrap50Cycles_OnIlgpuCpu_EqualsCpuManaged_Within1e4()
    {
        var (got, want) = Run(IlgpuCpuBackend.Create, 48, Er50);
        AssertEqual(got, want, 1e-4);
    }

    [CudaFact]
    public void HioShrinkWrapShortRun_OnCuda_EqualsCpuManaged_Within1e4()
    {
        var (got, want) = Run(() => CudaBackend.Create(0), 64, ShortHio);
        AssertEqual(got, want, 1e-4);
    }

    [CudaFact]
    public void ErShrinkWrap50Cycles_OnCuda_EqualsCpuManaged_Within1e4()
    {
        var (got, want) = Run(() => CudaBackend.Create(0), 64, Er50);
        AssertEqual(got, want, 1e-4);
    }

    [Fact]
    public void NonlinearRules_RunAsTheGenericKernel_NotTheManagedFallback()
    {
        using var backend = IlgpuCpuBackend.Create();
        var shape = Shape.Of(8, 8);
        using var current = backend.AllocateComplex(shape);
        using var previous = backend.AllocateComplex(shape);
        using var support = backend.AllocateMask(shape);
        backend.UpdateObject(current, previous, support, new HioRule(0.9f, Positivity: true, Real: false));
        backend.UpdateObject(current, previous, support, new DmRule(true, true));
        Assert.True(backend.FallbackRules.Count == 0, string.Join("; ", backend.FallbackRules.Select(p => $"{p.Key}: {p.Value}")));
        Assert.Contains(nameof(HioRule), backend.CompiledRules);
        Assert.Contains(nameof(DmRule), backend.CompiledRules);
    }

    private static (Reconstruction Got, Reconstruction Want) Run(Func<IComputeBackend> create, int size, string operators)
    {
        Func<IComputeBackend> reference = () => new ManagedCpuBackendProvider().Create(new CpuBackendOptions { Threads = 1 });
        DiffractionData data;
        using (var simulator = reference())
        {
            data = Simulator.Simulate(new SimulateOptions { Size = size, Oversampling = 4, Photons = 1e9, Seed = 8, Complex = false, BeamstopRadius = 0, Blobs = 3 }, simulator);
        }

        var options = new PhaseOptions
        {
            Operators = operators,
            Runs = 1,
            Keep = 1,
            Seed = 3,
            Threads = 1,
            ParallelRuns = 1,
            Support = InitialSupportSource.Circle,
            SupportSize = size / 3,
            Positivity = true,
            FreeFraction = 0,
            SupportThreshold = 0.25,
            SupportThresholdReference = SupportThresholdReference.Rms,
            SupportSigmaStart = 2,
            SupportSigmaEnd = 0.5,
        };
        var want = new PhasePlugin().Reconstruct(data.Clone(), options, new StepContext { Plugins = new OneBackend(reference) }).Runs[0];
        var got = new PhasePlugin().Reconstruct(data.Clone(), options, new StepContext { Plugins = new OneBackend(create) }).Runs[0];
        return (got, want);
    }

    private static void AssertEqual(Reconstruction got, Reconstruction want, double tolerance)
    {
        Assert.Equal(want.State, got.State);
        Assert.Equal(want.Support, got.Support);
        var difference = PhaserConformanceAccess.RelativeDifference(want.Object!, got.Object!);
        Assert.True(difference <= tolerance, $"object relative difference {difference:G3} > {tolerance:G1}");
        Assert.True(Math.Abs(got.Llk - want.Llk) <= tolerance * Math.Abs(want.Llk), $"final LLK {got.Llk:G8} against {want.Llk:G8}");
    }

    /// <summary>A resolver that hands the phaser one backend.</summary>
    private sealed class OneBackend(Func<IComputeBackend> create) : IPluginResolver
    {
        public (T Plugin, PluginOptions Options) Resolve<T>(string id, IReadOnlyDictionary<string, object?>? options = null)
            where T : class, IPlugin => throw new InvalidOperationException($"the parity check resolves no plugin ({id})");

        public IComputeBackend CreateBackend(string? id = null) => create();
    }
}

/// <summary>‖a − b‖ / ‖a‖ over complex arrays.</summary>
internal static class PhaserConformanceAccess
{
    public static double RelativeDifference(Complex32[] a, Complex32[] b)
    {
        double num = 0, den = 0;
        for (var i = 0; i < a.Length; i++)
        {
            num += (a[i] - b[i]).Norm2;
            den += a[i].Norm2;
        }

        return den == 0 ? Math.Sqrt(num) : Math.Sqrt(num / den);
    }
}
