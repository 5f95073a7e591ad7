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
    public IComputeBackend Create(PluginOptions options) => new Cxdi.Testing.CoreOnlyBackend("slow");
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
    public IComputeBackend Create(PluginOptions options) => new Cxdi.Testing.CoreOnlyBackend("fast");
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
