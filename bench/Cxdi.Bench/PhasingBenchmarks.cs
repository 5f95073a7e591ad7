using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Cxdi.Plugins.Phasing.Bench;
using Cxdi.Plugins.Phasing.Fft;
using Cxdi.Plugins.Phasing.Operators;
using Cxdi.Plugins.Preprocessing.Assembly;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Phasing;

namespace Cxdi.Bench;

/// <summary>The FFT engines usable here: FFTW when libfftw3f loads, and the managed engine.</summary>
public static class Engines
{
    /// <summary>"fftw" (when available) and "managed".</summary>
    public static IEnumerable<string> Available() => FftwEngine.IsAvailable(out _) ? ["fftw", "managed"] : ["managed"];

    /// <summary>The FFT preference for an engine name.</summary>
    internal static FftPreference Preference(string engine) => engine == "fftw" ? FftPreference.Fftw : FftPreference.Managed;
}

/// <summary>A forward + inverse FFT pair, in place, complex64, with the plan the phasing state uses (all cores).</summary>
[MemoryDiagnoser]
public class FftPairBenchmarks
{
    private PhasingBench? bench;

    /// <summary>The FFT engine.</summary>
    [ParamsSource(typeof(Engines), nameof(Engines.Available))]
    public string Engine { get; set; } = "managed";

    /// <summary>Pixels per axis of the 2D array.</summary>
    [Params(512, 1024)]
    public int Size { get; set; }

    /// <summary>Allocates the phasing state of the shape.</summary>
    [GlobalSetup]
    public void Setup() => bench = PhasingBench.Create(Shape.Of(Size, Size), Engines.Preference(Engine), 0);

    /// <summary>Releases the state.</summary>
    [GlobalCleanup]
    public void Cleanup() => bench?.Dispose();

    /// <summary>One forward and one inverse transform of ψ.</summary>
    [Benchmark]
    public void FftPair()
    {
        var state = bench!.State;
        state.Backend.Fft(state.Plan, state.Object, FftDirection.Forward);
        state.Backend.Fft(state.Plan, state.Object, FftDirection.Inverse);
    }
}

/// <summary>One HIO cycle (β 0.9) and one shrink-wrap support update on synthetic consistent 512² data, as <c>cxdi bench</c> times them.</summary>
[MemoryDiagnoser]
public class CycleBenchmarks
{
    private readonly HioOperator hio = new() { Beta = 0.9f };
    private readonly SupportUpdateOperator support = new();
    private PhasingBench? bench;

    /// <summary>The FFT engine.</summary>
    [ParamsSource(typeof(Engines), nameof(Engines.Available))]
    public string Engine { get; set; } = "managed";

    /// <summary>Allocates and fills the 512² state (a few HIO cycles so ψ is a realistic iterate).</summary>
    [GlobalSetup]
    public void Setup()
    {
        bench = PhasingBench.Create(Shape.Of(512, 512), Engines.Preference(Engine), 0);
        bench.State.SupportSettings = new SupportUpdateSettings { Threshold = 0.25f, SigmaStart = 2, SigmaEnd = 2, MinFraction = 0, MaxFraction = 1 };
    }

    /// <summary>Checks the iterate stayed finite, then releases the state.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        var problem = bench?.Check();
        bench?.Dispose();
        if (problem is not null)
        {
            throw new InvalidOperationException(problem);
        }
    }

    /// <summary>FT, modulus projection (metrics every 20 cycles), IFT, HIO update.</summary>
    [Benchmark]
    public void HioCycle() => hio.Apply(bench!.State);

    /// <summary>|ψ|, Gaussian blur σ 2 px, rms inside the support, threshold 0.25 × rms.</summary>
    [Benchmark]
    public void SupportUpdate() => support.Apply(bench!.State);
}

/// <summary>The 3D assembly of a rotation series: 181 synthetic frames of 512² onto a 256³ grid (seconds per call, so few iterations).</summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class AssemblyBenchmarks
{
    /// <summary>Assembles the series on all cores.</summary>
    [Benchmark]
    public AssemblyBenchmarkResult Assemble() => AssemblyBenchmark.Run(181, 512, 256, 0);
}
