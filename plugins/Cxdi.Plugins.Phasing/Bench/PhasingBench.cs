using Cxdi.Plugins.Phasing.Compute;
using Cxdi.Plugins.Phasing.Fft;
using Cxdi.Plugins.Phasing.Operators;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Phasing;

namespace Cxdi.Plugins.Phasing.Bench;

/// <summary>
/// Phasing cycles on the CPU backend with synthetic but consistent data: a random complex object inside a disc (ball)
/// of radius N/8, its Fourier amplitudes as observations, the zero-frequency region (radius 3 px) unknown and 5 % of
/// the pixels held out, a support of radius N/6, metrics fused every 20 cycles (the <c>cxdi.phase</c> default). The
/// same object also makes consistent <see cref="DiffractionData"/> for whole-run measurements (<see cref="SynthesizeData"/>).
/// </summary>
internal sealed class PhasingBench : IDisposable
{
    /// <summary>Cycles between fused metric evaluations (as <c>cxdi.phase</c>'s metric_every default).</summary>
    public const int MetricEvery = 20;

    private PhasingBench(IComputeBackend backend, PhasingState state)
    {
        Backend = backend;
        State = state;
    }

    public IComputeBackend Backend { get; }

    public PhasingState State { get; }

    /// <summary>Allocates the state, fills it and runs a few HIO cycles so the object is a realistic iterate.</summary>
    public static PhasingBench Create(Shape shape, FftPreference preference, int threads) => Create(shape, new CpuComputeBackend(preference, threads));

    /// <summary>The same on any backend (a GPU backend from the host); the bench owns and disposes <paramref name="backend"/>.</summary>
    public static PhasingBench Create(Shape shape, IComputeBackend backend)
    {
        var state = new PhasingState(backend, shape) { MetricEvery = MetricEvery };
        var pattern = Synthesize(shape, backend);
        var n = (int)shape.Length;
        var random = new Random(4);
        var classes = new byte[n];
        for (var i = 0; i < n; i++)
        {
            classes[i] = pattern.Unknown[i] != 0 ? PixelClass.Unknown : random.NextDouble() < 0.05 ? PixelClass.HeldOut : PixelClass.Measured;
        }

        var start = new Complex32[n];
        for (var i = 0; i < n; i++)
        {
            start[i] = pattern.Support[i] != 0 ? Complex32.FromPolar(random.NextSingle(), 0) : default;
        }

        backend.Upload(pattern.Amplitude, state.ObservedAmplitude);
        backend.Upload(classes, state.PixelClasses);
        backend.Upload(pattern.Support, state.Support);
        backend.Upload(start, state.Object);
        state.CountSupport();
        var m = state.EvaluateMetrics();
        backend.Scale(state.Object, (float)Math.Sqrt(m.ObsSum / m.CalcSum));
        state.SyncPrevious();
        new HioOperator().Repeat(5).Apply(state);
        return new PhasingBench(backend, state);
    }

    /// <summary>
    /// The same synthetic object as diffraction data in detector order (zero frequency at the array centre): intensity
    /// = |FT|² scaled to <paramref name="photons"/> in all, the central beamstop (radius 3 px) flagged, the support of
    /// radius N/6 as <see cref="DiffractionData.InitialSupport"/>.
    /// </summary>
    public static DiffractionData SynthesizeData(Shape shape, IComputeBackend backend, double photons = 1e9)
    {
        var pattern = Synthesize(shape, backend);
        var n = pattern.Amplitude.Length;
        var intensity = new float[n];
        double sum = 0;
        for (var i = 0; i < n; i++)
        {
            sum += (double)pattern.Amplitude[i] * pattern.Amplitude[i];
        }

        var scale = sum > 0 ? photons / sum : 1;
        for (var i = 0; i < n; i++)
        {
            intensity[i] = (float)(scale * pattern.Amplitude[i] * pattern.Amplitude[i]);
        }

        var mask = new uint[n];
        var unknown = Cxdi.Plugins.Phasing.Support.ArrayTools.FftShift<byte>(pattern.Unknown, shape);
        for (var i = 0; i < n; i++)
        {
            mask[i] = unknown[i] != 0 ? (uint)MaskFlags.Beamstop : 0u;
        }

        return new DiffractionData(shape, Cxdi.Plugins.Phasing.Support.ArrayTools.FftShift<float>(intensity, shape), mask)
        {
            InitialSupport = pattern.Support,
        };
    }

    /// <summary>
    /// A random complex object inside a disc (ball) of radius N/8 and its Fourier amplitudes in FFT order, with the
    /// zero-frequency region (radius 3 px) marked unknown and zeroed, and a support of radius N/6 (object order).
    /// </summary>
    private static (float[] Amplitude, byte[] Unknown, byte[] Support) Synthesize(Shape shape, IComputeBackend backend)
    {
        var n = (int)shape.Length;
        var minDim = shape.Is3D ? Math.Min(shape.Nz, Math.Min(shape.Ny, shape.Nx)) : Math.Min(shape.Ny, shape.Nx);
        var random = new Random(3);
        var objectInside = Ball(shape, minDim / 8.0);
        var support = Ball(shape, minDim / 6.0);
        var truth = new Complex32[n];
        for (var i = 0; i < n; i++)
        {
            truth[i] = objectInside[i] != 0 ? Complex32.FromPolar(0.5f + (0.5f * random.NextSingle()), 0.5f * (random.NextSingle() - 0.5f)) : default;
        }

        backend.Transform(truth, shape, FftDirection.Forward);
        var amplitude = new float[n];
        for (var i = 0; i < n; i++)
        {
            amplitude[i] = truth[i].Abs;
        }

        // Zero frequency sits at the corners in FFT order: a beamstop of radius 3 px there is unknown.
        var unknown = Cxdi.Plugins.Phasing.Support.ArrayTools.IfftShift<byte>(Ball(shape, 3), shape);
        for (var i = 0; i < n; i++)
        {
            if (unknown[i] != 0)
            {
                amplitude[i] = 0;
            }
        }

        return (amplitude, unknown, support);
    }

    /// <summary>Null when the object is finite and not empty, else what is wrong.</summary>
    public string? Check()
    {
        var e = Backend.Energy(State.Object, State.Support);
        var total = e.Inside + e.Outside;
        return double.IsFinite(total) && total > 0 ? null : $"the object is not finite or empty after the timing (energy {total:G3})";
    }

    public void Dispose()
    {
        State.Dispose();
        Backend.Dispose();
    }

    private static byte[] Ball(Shape shape, double radius)
    {
        var result = new byte[shape.Length];
        double cz = shape.Nz / 2, cy = shape.Ny / 2, cx = shape.Nx / 2, r2 = radius * radius;
        for (var z = 0; z < shape.Nz; z++)
        {
            for (var y = 0; y < shape.Ny; y++)
            {
                for (var x = 0; x < shape.Nx; x++)
                {
                    var dz = shape.Is3D ? z - cz : 0;
                    var d2 = (dz * dz) + ((y - cy) * (y - cy)) + ((x - cx) * (x - cx));
                    result[(((long)z * shape.Ny) + y) * shape.Nx + x] = d2 <= r2 ? (byte)1 : (byte)0;
                }
            }
        }

        return result;
    }
}
