using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;

namespace Cxdi.Host.TestPlugins;

/// <summary>Options of <see cref="TestPhaser"/>.</summary>
public sealed record TestPhaserOptions : PluginOptions
{
    /// <summary>Number of runs.</summary>
    [Description("Number of random starts")]
    [Range(1, 100)]
    public int Runs { get; init; } = 3;

    /// <summary>Wait per run, to test cancellation.</summary>
    [Description("Milliseconds per run")]
    [Unit("ms")]
    public int RunMs { get; init; }

    /// <summary>First seed.</summary>
    [Description("Seed of the first run")]
    public long Seed { get; init; } = 100;
}

/// <summary>
/// A deterministic stand-in phaser: the object of run k is the inverse DFT of sqrt(I) (computed on the resolved backend)
/// scaled by (k + 1); its "LLK" is k + 0.5. Each finished run is written at once through the output sink.
/// </summary>
[CxdiPlugin("test.phaser", "0.3.0", Description = "Test phaser")]
public sealed class TestPhaser : PhaserBase<TestPhaserOptions>
{
    /// <inheritdoc />
    protected override ReconstructionSet Reconstruct(DiffractionData data, TestPhaserOptions options, StepContext context)
    {
        using var backend = context.Plugins?.CreateBackend() ?? throw new PhasingFailedException("no plugin resolver");
        var amplitude = data.Intensity.Select((v, i) => new Complex32(data.IsMeasured(i) ? MathF.Sqrt(Math.Max(v, 0)) : 0, 0)).ToArray();
        backend.Transform(amplitude, data.Shape, FftDirection.Inverse);
        var set = new ReconstructionSet { Shape = data.Shape, Backend = $"{backend.Name} / {backend.FftName}", Data = data, Provenance = data.Provenance };
        for (var k = 0; k < options.Runs; k++)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            if (options.RunMs > 0)
            {
                Thread.Sleep(options.RunMs);
            }

            context.Cancellation.ThrowIfCancellationRequested();
            var run = new Reconstruction
            {
                Index = k,
                Seed = options.Seed + k,
                Shape = data.Shape,
                Object = amplitude.Select(c => (k + 1f) * c).ToArray(),
                Support = data.InitialSupport ?? new byte[data.Shape.Length],
                Llk = k + 0.5,
                FreeLlk = k + 0.75,
                Chi2 = double.NaN,
                SupportSize = data.InitialSupport?.Count(b => b != 0) ?? 0,
                State = k == 0 ? RunState.Kept : RunState.Rejected,
                Reason = k == 0 ? null : "worse free LLK",
                Seconds = options.RunMs / 1000.0,
            };
            context.Progress.Report(new ProgressReport(context.StepId, "run done") { Run = k, RunCount = options.Runs, Cycle = 10, CycleCount = 10, Llk = run.Llk, FreeLlk = run.FreeLlk, SupportSize = run.SupportSize, State = run.State });
            if (context.Output is { } output)
            {
                var single = new ReconstructionSet { Shape = data.Shape, Runs = [run], Provenance = data.Provenance };
                run.Files.AddRange(output.Write(single, $"run_{k:00}"));
            }

            set.Runs.Add(run);
        }

        set.Average = set.Runs[0].Object;
        set.PrtfCutoff = 0.5;
        return set;
    }
}

/// <summary>
/// A host-memory test backend with a naive DFT (tiny sizes only): buffers, transfers, transforms and reductions are real;
/// the fused phasing kernels are not needed by the host tests and refuse to run.
/// </summary>
public sealed class NaiveBackend(string name) : IComputeBackend
{
    /// <inheritdoc />
    public string Name { get; } = name;

    /// <inheritdoc />
    public string FftName => "naive DFT";

    /// <inheritdoc />
    public int Threads => 1;

    /// <inheritdoc />
    public IComputeBackend Fork(int threads) => new NaiveBackend(Name);

    /// <inheritdoc />
    public ComplexBuffer AllocateComplex(Shape shape) => new HostComplex(shape);

    /// <inheritdoc />
    public RealBuffer AllocateReal(Shape shape) => new HostReal(shape);

    /// <inheritdoc />
    public MaskBuffer AllocateMask(Shape shape) => new HostMask(shape);

    /// <inheritdoc />
    public void Upload(ReadOnlySpan<Complex32> source, ComplexBuffer destination) => source.CopyTo(((HostComplex)destination).Data);

    /// <inheritdoc />
    public void Upload(ReadOnlySpan<float> source, RealBuffer destination) => source.CopyTo(((HostReal)destination).Data);

    /// <inheritdoc />
    public void Upload(ReadOnlySpan<byte> source, MaskBuffer destination) => source.CopyTo(((HostMask)destination).Data);

    /// <inheritdoc />
    public void Download(ComplexBuffer source, Span<Complex32> destination) => ((HostComplex)source).Data.CopyTo(destination);

    /// <inheritdoc />
    public void Download(RealBuffer source, Span<float> destination) => ((HostReal)source).Data.CopyTo(destination);

    /// <inheritdoc />
    public void Download(MaskBuffer source, Span<byte> destination) => ((HostMask)source).Data.CopyTo(destination);

    /// <inheritdoc />
    public FftPlan CreateFftPlan(Shape shape) => new NaivePlan(shape);

    /// <inheritdoc />
    public void Fft(FftPlan plan, ComplexBuffer data, FftDirection direction) => Transform(((HostComplex)data).Data, plan.Shape, direction);

    /// <inheritdoc />
    public void Copy(ComplexBuffer source, ComplexBuffer destination) => ((HostComplex)source).Data.CopyTo(((HostComplex)destination).Data, 0);

    /// <inheritdoc />
    public void Scale(ComplexBuffer data, float factor)
    {
        var d = ((HostComplex)data).Data;
        for (var i = 0; i < d.Length; i++)
        {
            d[i] = factor * d[i];
        }
    }

    /// <inheritdoc />
    public FourierMetrics ProjectModulus(ComplexBuffer psi, RealBuffer observedAmplitude, MaskBuffer pixelClass, bool project, bool metrics) =>
        throw new InvalidOperationException("the host test backend runs no phasing kernels");

    /// <inheritdoc />
    public void UpdateObject(ComplexBuffer current, ComplexBuffer? previous, MaskBuffer support, ObjectUpdate update) =>
        throw new InvalidOperationException("the host test backend runs no phasing kernels");

    /// <inheritdoc />
    public void Amplitude(ComplexBuffer source, RealBuffer destination)
    {
        var s = ((HostComplex)source).Data;
        var d = ((HostReal)destination).Data;
        for (var i = 0; i < s.Length; i++)
        {
            d[i] = s[i].Abs;
        }
    }

    /// <inheritdoc />
    public void GaussianBlur(RealBuffer data, float sigma) =>
        throw new InvalidOperationException("the host test backend runs no phasing kernels");

    /// <inheritdoc />
    public float Max(RealBuffer data) => ((HostReal)data).Data.Max();

    /// <inheritdoc />
    public (double SumOfSquares, long Count) SumOfSquares(RealBuffer data, MaskBuffer? where)
    {
        var d = ((HostReal)data).Data;
        var w = (where as HostMask)?.Data;
        double sum = 0;
        long count = 0;
        for (var i = 0; i < d.Length; i++)
        {
            if (w is null || w[i] != 0)
            {
                sum += (double)d[i] * d[i];
                count++;
            }
        }

        return (sum, count);
    }

    /// <inheritdoc />
    public long Threshold(RealBuffer data, float level, MaskBuffer mask)
    {
        var d = ((HostReal)data).Data;
        var m = ((HostMask)mask).Data;
        long count = 0;
        for (var i = 0; i < d.Length; i++)
        {
            m[i] = d[i] > level ? (byte)1 : (byte)0;
            count += m[i];
        }

        return count;
    }

    /// <inheritdoc />
    public long Count(MaskBuffer mask) => ((HostMask)mask).Data.LongCount(b => b != 0);

    /// <inheritdoc />
    public SupportEnergy Energy(ComplexBuffer data, MaskBuffer support) =>
        throw new InvalidOperationException("the host test backend runs no phasing kernels");

    /// <inheritdoc />
    public void Transform(Span<Complex32> data, Shape shape, FftDirection direction)
    {
        var sign = direction == FftDirection.Forward ? -1.0 : 1.0;
        var nz = shape.Nz;
        var ny = shape.Ny;
        var nx = shape.Nx;
        var copy = data.ToArray();
        var output = new Complex32[copy.Length];
        var scale = direction == FftDirection.Inverse ? 1.0 / copy.Length : 1.0;
        for (var k = 0; k < copy.Length; k++)
        {
            int kz = k / (ny * nx), ky = k / nx % ny, kx = k % nx;
            double re = 0, im = 0;
            for (var j = 0; j < copy.Length; j++)
            {
                int z = j / (ny * nx), y = j / nx % ny, x = j % nx;
                var phase = sign * 2 * Math.PI * (((double)kz * z / nz) + ((double)ky * y / ny) + ((double)kx * x / nx));
                re += (copy[j].Re * Math.Cos(phase)) - (copy[j].Im * Math.Sin(phase));
                im += (copy[j].Re * Math.Sin(phase)) + (copy[j].Im * Math.Cos(phase));
            }

            output[k] = new Complex32((float)(re * scale), (float)(im * scale));
        }

        output.CopyTo(data);
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private sealed class HostComplex(Shape shape) : ComplexBuffer(shape)
    {
        public Complex32[] Data { get; } = new Complex32[shape.Length];

        protected override void Dispose(bool disposing)
        {
        }
    }

    private sealed class HostReal(Shape shape) : RealBuffer(shape)
    {
        public float[] Data { get; } = new float[shape.Length];

        protected override void Dispose(bool disposing)
        {
        }
    }

    private sealed class HostMask(Shape shape) : MaskBuffer(shape)
    {
        public byte[] Data { get; } = new byte[shape.Length];

        protected override void Dispose(bool disposing)
        {
        }
    }

    private sealed class NaivePlan(Shape shape) : FftPlan(shape)
    {
        public override string Name => "naive DFT";

        protected override void Dispose(bool disposing)
        {
        }
    }
}

/// <summary>Available, low priority.</summary>
[CxdiPlugin("test.backend.slow", "1.0.0", Description = "Slow backend")]
public sealed class SlowBackendProvider : IComputeBackendProvider
{
    /// <inheritdoc />
    public Type OptionsType => typeof(NoOptions);

    /// <inheritdoc />
    public int Priority => 1;

    /// <inheritdoc />
    public bool IsAvailable(out string reason)
    {
        reason = "";
        return true;
    }

    /// <inheritdoc />
    public IComputeBackend Create(PluginOptions options) => new NaiveBackend("slow");
}

/// <summary>Available, higher priority.</summary>
[CxdiPlugin("test.backend.fast", "1.0.0", Description = "Fast backend")]
public sealed class FastBackendProvider : IComputeBackendProvider
{
    /// <inheritdoc />
    public Type OptionsType => typeof(NoOptions);

    /// <inheritdoc />
    public int Priority => 5;

    /// <inheritdoc />
    public bool IsAvailable(out string reason)
    {
        reason = "";
        return true;
    }

    /// <inheritdoc />
    public IComputeBackend Create(PluginOptions options) => new NaiveBackend("fast");
}

/// <summary>Highest priority but never available.</summary>
[CxdiPlugin("test.backend.gpu", "1.0.0", Description = "Missing GPU")]
public sealed class MissingGpuBackendProvider : IComputeBackendProvider
{
    /// <inheritdoc />
    public Type OptionsType => typeof(NoOptions);

    /// <inheritdoc />
    public int Priority => 100;

    /// <inheritdoc />
    public bool IsAvailable(out string reason)
    {
        reason = "no GPU in this machine";
        return false;
    }

    /// <inheritdoc />
    public IComputeBackend Create(PluginOptions options) => throw new PhasingFailedException("no GPU in this machine");
}
