using Cxdi.Plugins.Phasing.Compute;
using Cxdi.Plugins.Phasing.Engine;
using Cxdi.Plugins.Phasing.Simulation;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;

namespace Cxdi.Conformance;

/// <summary>What every <see cref="IPhaser"/> must do: reduce the error on a synthetic problem, be deterministic under a seed, reject bad input with a <see cref="CxdiException"/>.</summary>
public abstract class PhaserConformance
{
    /// <summary>The phaser under test.</summary>
    protected abstract IPhaser CreatePhaser();

    /// <summary>Options for a small problem (64×64, oversampling 4) with the given seed.</summary>
    protected abstract PluginOptions Options(long seed);

    [Fact]
    public void Phaser_ReducesTheErrorOnASyntheticProblem()
    {
        using var backend = new ManagedCpuBackendProvider().Create(new CpuBackendOptions { Threads = 1 });
        var data = Simulate(backend);
        var truth = data.GroundTruth!;

        // A guess needing no phasing: a flat disc of the object's nominal diameter (array size / oversampling) at the centre.
        var flat = new Complex32[truth.Length];
        for (var y = 0; y < 64; y++)
        {
            for (var x = 0; x < 64; x++)
            {
                if (((y - 32) * (y - 32)) + ((x - 32) * (x - 32)) <= 64)
                {
                    flat[(y * 64) + x] = new Complex32(1, 0);
                }
            }
        }

        var before = AmplitudeError(truth, flat, data.Shape, backend);

        var set = CreatePhaser().Reconstruct(data.Clone(), Options(1), StepContext.None);
        var result = set.Average ?? set.Runs.First(r => r.Object.Length > 0).Object;
        var after = AmplitudeError(truth, result, data.Shape, backend);
        Assert.True(after < 0.5 * before && after < 0.2, $"amplitude error {after:F3} (flat guess {before:F3})");
    }

    [Fact]
    public void Phaser_IsDeterministicUnderASeed()
    {
        using var backend = new ManagedCpuBackendProvider().Create(new CpuBackendOptions { Threads = 1 });
        var data = Simulate(backend);
        var a = CreatePhaser().Reconstruct(data.Clone(), Options(3), StepContext.None);
        var b = CreatePhaser().Reconstruct(data.Clone(), Options(3), StepContext.None);
        Assert.Equal(a.Runs.Count, b.Runs.Count);
        Assert.True(RelativeDifference(a.Average!, b.Average!) <= 1e-5);
    }

    [Fact]
    public void Phaser_RejectsAOnePixelArray()
    {
        var data = new DiffractionData(Shape.Of(1, 1), [5f]);
        Assert.ThrowsAny<CxdiException>(() => CreatePhaser().Reconstruct(data, Options(1), StepContext.None));
    }

    [Fact]
    public void Phaser_RejectsAnAllMaskedPattern()
    {
        var shape = Shape.Of(32, 32);
        var data = new DiffractionData(shape, Enumerable.Repeat(10f, (int)shape.Length).ToArray(), Enumerable.Repeat((uint)MaskFlags.Invalid, (int)shape.Length).ToArray());
        Assert.ThrowsAny<CxdiException>(() => CreatePhaser().Reconstruct(data, Options(1), StepContext.None));
    }

    [Fact]
    public void Phaser_PlanDeclaresAComplexObjectOfTheInputShape()
    {
        var spec = CreatePhaser().Plan(new DataSpec(DataSpace.Detector, Shape.Of(64, 64), false), Options(1));
        Assert.Equal(new DataSpec(DataSpace.Object, Shape.Of(64, 64), true), spec);
        Assert.Throws<WorkflowShapeException>(() => CreatePhaser().Plan(new DataSpec(DataSpace.Object, Shape.Of(64, 64), true), Options(1)));
    }

    internal static double RelativeDifference(Complex32[] a, Complex32[] b)
    {
        double num = 0, den = 0;
        for (var i = 0; i < a.Length; i++)
        {
            num += (a[i] - b[i]).Norm2;
            den += a[i].Norm2;
        }

        return Math.Sqrt(num / Math.Max(den, 1e-30));
    }

    private static DiffractionData Simulate(IComputeBackend backend) =>
        Simulator.Simulate(new SimulateOptions { Size = 64, Oversampling = 4, Photons = 1e9, Seed = 31, BeamstopRadius = 0.5, GapWidth = 2, GapOffsets = [10] }, backend);

    /// <summary>‖ s·|obj| − |truth| ‖ / ‖truth‖ at the best integer shift, twin orientation and scale s.</summary>
    private static double AmplitudeError(Complex32[] truth, Complex32[] obj, Shape shape, IComputeBackend backend)
    {
        var t = truth.Select(z => z.Abs).ToArray();
        var best = double.MaxValue;
        foreach (var twin in new[] { false, true })
        {
            var a = new float[obj.Length];
            for (var y = 0; y < shape.Ny; y++)
            {
                for (var x = 0; x < shape.Nx; x++)
                {
                    var sy = twin ? (shape.Ny - y) % shape.Ny : y;
                    var sx = twin ? (shape.Nx - x) % shape.Nx : x;
                    a[(y * shape.Nx) + x] = obj[(sy * shape.Nx) + sx].Abs;
                }
            }

            var ft = t.Select(v => new Complex32(v, 0)).ToArray();
            var fa = a.Select(v => new Complex32(v, 0)).ToArray();
            backend.Transform(ft, shape, FftDirection.Forward);
            backend.Transform(fa, shape, FftDirection.Forward);
            var cc = ft.Select((z, i) => z * fa[i].Conjugate()).ToArray();
            backend.Transform(cc, shape, FftDirection.Inverse);
            var peak = Array.IndexOf(cc, cc.MaxBy(z => z.Re));
            int dy = peak / shape.Nx, dx = peak % shape.Nx;
            var shifted = new float[a.Length];
            for (var y = 0; y < shape.Ny; y++)
            {
                for (var x = 0; x < shape.Nx; x++)
                {
                    shifted[(((y + dy) % shape.Ny) * shape.Nx) + ((x + dx) % shape.Nx)] = a[(y * shape.Nx) + x];
                }
            }

            double dot = 0, norm = 0, tn = 0;
            for (var i = 0; i < t.Length; i++)
            {
                dot += t[i] * shifted[i];
                norm += shifted[i] * (double)shifted[i];
                tn += t[i] * (double)t[i];
            }

            var s = norm > 0 ? dot / norm : 0;
            double err = 0;
            for (var i = 0; i < t.Length; i++)
            {
                var d = (s * shifted[i]) - t[i];
                err += d * d;
            }

            best = Math.Min(best, Math.Sqrt(err / tn));
        }

        return best;
    }
}

/// <summary>The built-in phaser on the managed CPU backend.</summary>
public sealed class PhasePluginConformance : PhaserConformance
{
    /// <inheritdoc />
    protected override IPhaser CreatePhaser() => new PhasePlugin();

    /// <inheritdoc />
    protected override PluginOptions Options(long seed) => new PhaseOptions
    {
        Operators = "ER**50 * (Sup * ER**5 * HIO**30)**6 * HIO**60",
        Runs = 2,
        Keep = 2,
        Seed = seed,
        Threads = 1,
        Backend = "cpu-managed",
        SupportThresholdReference = SupportThresholdReference.Max,
    };
}
