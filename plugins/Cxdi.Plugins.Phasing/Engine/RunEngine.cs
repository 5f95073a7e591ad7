using System.Diagnostics;
using Cxdi.Plugins.Phasing.Operators;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Phasing;

namespace Cxdi.Plugins.Phasing.Engine;

/// <summary>The settings of one run that do not change between runs.</summary>
internal sealed record RunSettings
{
    public required PhasingOperator Program { get; init; }

    public required SupportUpdateSettings Support { get; init; }

    public bool Positivity { get; init; }

    public bool Real { get; init; }

    public int MetricEvery { get; init; } = 10;

    /// <summary>Initial amplitudes are uniform in [<see cref="InitAmplitudeMin"/>, 1] inside the support.</summary>
    public float InitAmplitudeMin { get; init; }

    /// <summary>Initial phases are uniform in ±range/2 (rad).</summary>
    public float InitPhaseRange { get; init; }

    /// <summary>HIO cycles run first on half the starting support (cut through its centroid along the slowest axis) to break the twin symmetry of centrosymmetric starting supports; 0 = none.</summary>
    public int DetwinCycles { get; init; }

    /// <summary>β of the detwinning HIO cycles.</summary>
    public float DetwinBeta { get; init; } = 0.9f;

    /// <summary>When the data carry raw counts: the last this many cycles of the program project on them (−1 = the cycles of the program's last block when it has several, 0 = none).</summary>
    public int RawCycles { get; init; } = -1;

    /// <summary>The number of final cycles that project on raw counts for <see cref="Program"/> and <see cref="RawCycles"/>.</summary>
    public int ResolvedRawCycles => RawCycles >= 0 ? Math.Min(RawCycles, Program.Cycles) : LastBlockCycles(Program);

    /// <summary>Cycles of the block applied last (the leftmost factor of a composition); 0 when the program is a single block.</summary>
    internal static int LastBlockCycles(PhasingOperator program)
    {
        if (program is not SequenceOperator)
        {
            return 0;
        }

        var last = program;
        while (last is SequenceOperator sequence)
        {
            last = sequence.Left;
        }

        return last.Cycles;
    }
}

/// <summary>Runs one random start on a backend: uploads the data, initialises and scales the object, applies the operator program, and measures the result.</summary>
internal static class RunEngine
{
    /// <summary>Arrays from this many pixels up are large: host copies are handed back to the system as soon as they are uploaded.</summary>
    internal const long LargeArray = 1L << 22;

    /// <summary>Runs start <paramref name="index"/> with <paramref name="seed"/> on the shared observations; the state is freed before returning.</summary>
    public static Reconstruction Run(
        IComputeBackend backend,
        Observations data,
        byte[] initialSupport,
        RunSettings settings,
        int index,
        long seed,
        Action<PhasingState>? afterCycle)
    {
        var watch = Stopwatch.StartNew();
        var shape = data.Shape;
        using var state = new PhasingState(backend, shape, data.Amplitude, data.Classes)
        {
            Positivity = settings.Positivity,
            Real = settings.Real,
            SupportSettings = settings.Support,
            SupportUpdatesPlanned = settings.Program.SupportUpdates,
            MetricEvery = settings.MetricEvery,
        };
        data.Attach(state);
        var rawCycles = state.RawAmplitude is null ? 0 : settings.ResolvedRawCycles;
        var switchAt = int.MaxValue;
        state.AfterCycle = s =>
        {
            // The final cycles impose the raw counts; the denoised pattern serves the support and the early cycles.
            s.ProjectOnRaw = s.Cycle >= switchAt;
            afterCycle?.Invoke(s);
        };
        backend.Upload(initialSupport, state.Support);
        state.CountSupport();
        UploadInitialObject(backend, state.Object, initialSupport, seed, settings);
        ReturnGarbage(shape);

        var start = state.EvaluateMetrics();
        if (!(start.CalcSum > 0))
        {
            throw new PhasingFailedException("the initial object has no intensity on the measured pixels", "check the initial support: it is empty or outside the array");
        }

        backend.Scale(state.Object, (float)Math.Sqrt(start.ObsSum / start.CalcSum));
        state.SyncPrevious();
        if (settings.DetwinCycles > 0)
        {
            backend.Upload(HalfSupport(initialSupport, shape), state.Support);
            state.CountSupport();
            new HioOperator { Beta = settings.DetwinBeta, Name = "DetwinHIO" }.Repeat(settings.DetwinCycles).Apply(state);
            backend.Upload(initialSupport, state.Support);
            state.CountSupport();
        }

        if (rawCycles > 0)
        {
            switchAt = state.Cycle + settings.Program.Cycles - rawCycles;
            state.ProjectOnRaw = state.Cycle >= switchAt;
        }

        settings.Program.Apply(state);
        state.ProjectOnRaw = rawCycles > 0;

        var final = state.EvaluateMetrics();
        if (!double.IsFinite(final.LlkSum) || !double.IsFinite(final.CalcSum))
        {
            throw new PhasingFailedException($"run {index} diverged (log-likelihood is not finite)", "lower β or use more ER cycles");
        }

        // Energy of P_M(ψ) outside the support: how far the final object is from satisfying both constraints.
        backend.Fft(state.Plan, state.Previous, FftDirection.Forward);
        state.ProjectModulus(state.Previous, project: true, metrics: false);
        backend.Fft(state.Plan, state.Previous, FftDirection.Inverse);
        var energy = backend.Energy(state.Previous, state.Support);
        state.ReleasePrevious();

        var run = new Reconstruction
        {
            Index = index,
            Seed = seed,
            Shape = shape,
            Object = state.DownloadObject(),
            Support = state.DownloadSupport(),
            Llk = final.Llk,
            FreeLlk = final.FreeLlk,
            Chi2 = final.Chi2,
            SupportSize = state.CountSupport(),
            EnergyOutsideSupport = energy.OutsideFraction,
        };
        run.History.AddRange(state.History);
        run.History.Add(new MetricSample(state.Cycle, "final", final.Llk, final.FreeLlk, final.Chi2, run.SupportSize));
        run.Seconds = watch.Elapsed.TotalSeconds;
        return run;
    }

    /// <summary>After a large host array was uploaded and dropped: a full collection that gives the freed memory back to the system, so the host copy and the run's arrays are never resident together.</summary>
    internal static void ReturnGarbage(Shape shape)
    {
        if (shape.Length >= LargeArray)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }
    }

    /// <summary>The support with every pixel beyond its centroid along the slowest axis removed; for a centrosymmetric support such as the autocorrelation's, what is left still contains a translate of the object (PyNX's detwinning support).</summary>
    internal static byte[] HalfSupport(byte[] support, Shape shape)
    {
        var rows = shape.Is3D ? shape.Nz : shape.Ny;
        var stride = shape.Length / rows;
        double sum = 0, count = 0;
        for (long i = 0; i < support.Length; i++)
        {
            if (support[i] != 0)
            {
                sum += i / stride;
                count++;
            }
        }

        var cut = count == 0 ? rows : (long)Math.Round(sum / count);
        var half = (byte[])support.Clone();
        for (var i = (cut + 1) * stride; i < half.Length; i++)
        {
            half[i] = 0;
        }

        return half;
    }

    /// <summary>Not inlined: the host array is unreachable once this returns, so <see cref="ReturnGarbage"/> can free it.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void UploadInitialObject(IComputeBackend backend, ComplexBuffer destination, byte[] support, long seed, RunSettings settings) =>
        backend.Upload(InitialObject(support, seed, settings), destination);

    private static Complex32[] InitialObject(byte[] support, long seed, RunSettings settings)
    {
        var random = new Random(unchecked((int)seed ^ (int)(seed >> 32)));
        var result = new Complex32[support.Length];
        var amin = settings.InitAmplitudeMin;
        for (var i = 0; i < result.Length; i++)
        {
            var a = amin + ((1 - amin) * (float)random.NextDouble());
            var phi = settings.InitPhaseRange * ((float)random.NextDouble() - 0.5f);
            result[i] = support[i] != 0 ? Complex32.FromPolar(a, phi) : default;
        }

        return result;
    }
}
