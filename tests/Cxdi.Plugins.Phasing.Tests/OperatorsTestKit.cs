using Cxdi.Plugins.Phasing.Compute;
using Cxdi.Plugins.Phasing.Engine;
using Cxdi.Plugins.Phasing.Simulation;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Phasing;

namespace Cxdi.Plugins.Phasing.Tests;

/// <summary>Direct-loop references (a DFT by definition, in double) and a simulated known-answer harness for the operator tests.</summary>
internal static class OperatorsTestKit
{
    /// <summary>The DFT of a row-major 2D array by its definition: forward unscaled exp(−2πi k·x/N), inverse exp(+…) scaled by 1/N.</summary>
    public static System.Numerics.Complex[] Dft(System.Numerics.Complex[] x, int ny, int nx, bool inverse)
    {
        var result = new System.Numerics.Complex[x.Length];
        var sign = inverse ? 1.0 : -1.0;
        for (var ky = 0; ky < ny; ky++)
        {
            for (var kx = 0; kx < nx; kx++)
            {
                System.Numerics.Complex sum = 0;
                for (var y = 0; y < ny; y++)
                {
                    for (var xx = 0; xx < nx; xx++)
                    {
                        var angle = sign * 2 * Math.PI * ((ky * y / (double)ny) + (kx * xx / (double)nx));
                        sum += x[(y * nx) + xx] * System.Numerics.Complex.FromPolarCoordinates(1, angle);
                    }
                }

                result[(ky * nx) + kx] = inverse ? sum / x.Length : sum;
            }
        }

        return result;
    }

    /// <summary>Signed frequency of index <paramref name="i"/> on an axis of <paramref name="n"/> (FFT order).</summary>
    public static int Frequency(int i, int n) => i <= n / 2 ? i : i - n;

    public static System.Numerics.Complex[] ToDouble(Complex32[] v) => v.Select(z => new System.Numerics.Complex(z.Re, z.Im)).ToArray();

    /// <summary>A 4×4 state: random object, amplitudes, pixel classes with unknown and held-out pixels, a 2×2 support.</summary>
    public static PhasingState TinyState(IComputeBackend backend, int seed, out Complex32[] obj, out float[] amplitude, out byte[] classes, out byte[] support)
    {
        var random = new Random(seed);
        obj = Enumerable.Range(0, 16).Select(_ => new Complex32((float)random.NextDouble() - 0.3f, (float)random.NextDouble() - 0.5f)).ToArray();
        amplitude = Enumerable.Range(0, 16).Select(_ => (float)(0.5 + random.NextDouble())).ToArray();
        classes = [0, 0, 1, 0, 2, 0, 0, 1, 0, 0, 0, 2, 0, 1, 0, 0];
        support = [0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0];
        for (var i = 0; i < 16; i++)
        {
            if (classes[i] == PixelClass.Unknown)
            {
                amplitude[i] = 0;
            }
        }

        var state = new PhasingState(backend, Shape.Of(4, 4));
        backend.Upload(obj, state.Object);
        backend.Upload(amplitude, state.ObservedAmplitude);
        backend.Upload(classes, state.PixelClasses);
        backend.Upload(support, state.Support);
        state.CountSupport();
        state.SyncPrevious();
        return state;
    }

    public static Complex32[] Download(IComputeBackend backend, ComplexBuffer buffer)
    {
        var result = new Complex32[buffer.Length];
        backend.Download(buffer, result);
        return result;
    }

    public static void Close(System.Numerics.Complex[] expected, Complex32[] actual, double tolerance)
    {
        var scale = Math.Max(1e-12, expected.Max(z => z.Magnitude));
        for (var i = 0; i < expected.Length; i++)
        {
            var d = (expected[i] - new System.Numerics.Complex(actual[i].Re, actual[i].Im)).Magnitude / scale;
            Assert.True(d < tolerance, $"pixel {i}: expected {expected[i]}, got ({actual[i].Re}, {actual[i].Im}); relative difference {d:E2}");
        }
    }

    /// <summary>A complex-valued 2D object with a beamstop over the central speckle and two masked gaps, Poisson noise at <paramref name="photons"/>.</summary>
    public static DiffractionData Complex2D(int size, double photons, long seed, IComputeBackend backend) =>
        Simulator.Simulate(new SimulateOptions { Dims = 2, Size = size, Oversampling = 4, Photons = photons, Seed = seed, BeamstopRadius = 0.5, GapWidth = 2, GapOffsets = [size / 6, -size / 3] }, backend);

    /// <summary>Phases <paramref name="data"/> with <paramref name="operators"/> (autocorrelation start, support relative to max) and returns the error of the average to the truth.</summary>
    public static double AverageError(DiffractionData data, string operators, long seed, int runs, int keep, IComputeBackend backend)
    {
        var options = new PhaseOptions
        {
            Operators = operators,
            Runs = runs,
            Keep = keep,
            Seed = seed,
            Support = InitialSupportSource.Autocorrelation,
            SupportThresholdReference = SupportThresholdReference.Max,
            SupportThreshold = 0.25,
            // The PyNX-style shrink-wrap this test was set for, in one generation (not the ab-initio defaults).
            Generations = 1,
            AutocorrelationThreshold = 0.1,
            SupportSigmaStart = 2,
            SupportSigmaEnd = 0.5,
            ParallelRuns = 1,
            Threads = 1,
        };
        var set = new PhasePlugin().Reconstruct(data, options, StepContext.None);
        return Canonicalizer.ErrorToTruth(data.GroundTruth!, set.Average!, data.Shape, backend);
    }

    /// <summary>
    /// A state on partially coherent data: a complex 2D object (beamstop and gaps), its coherent intensity blurred by a
    /// Gaussian of <paramref name="blur"/> detector pixels, Poisson noise at <paramref name="photons"/>; the support is the
    /// object's footprint dilated by about a pixel and the start random inside it. Returns the truth (centred) too.
    /// </summary>
    public static (PhasingState State, Complex32[] Truth, Shape Shape) BlurredState(IComputeBackend backend, int size, double blur, double photons, long seed)
    {
        var data = Complex2D(size, 1e15, seed, backend);
        var shape = data.Shape;
        var truth = data.GroundTruth!;
        var wave = Cxdi.Plugins.Phasing.Support.ArrayTools.IfftShift<Complex32>(truth, shape);
        backend.Transform(wave, shape, FftDirection.Forward);
        var intensity = wave.Select(z => new Complex32(z.Norm2, 0)).ToArray();
        var kernel = new Complex32[shape.Length];
        double total = 0;
        for (var y = 0; y < shape.Ny; y++)
        {
            for (var x = 0; x < shape.Nx; x++)
            {
                var dy = Frequency(y, shape.Ny);
                var dx = Frequency(x, shape.Nx);
                var v = Math.Exp(-((dy * dy) + (dx * dx)) / (2 * blur * blur));
                kernel[(y * shape.Nx) + x] = new Complex32((float)v, 0);
                total += v;
            }
        }

        backend.Transform(intensity, shape, FftDirection.Forward);
        backend.Transform(kernel, shape, FftDirection.Forward);
        for (var i = 0; i < intensity.Length; i++)
        {
            intensity[i] = intensity[i] * kernel[i];
        }

        backend.Transform(intensity, shape, FftDirection.Inverse);
        var sum = intensity.Sum(z => (double)z.Re);
        var random = new Random((int)seed);
        var classes = Cxdi.Plugins.Phasing.Support.ArrayTools.IfftShift<byte>(data.Mask.Select(m => m != 0 ? PixelClass.Unknown : PixelClass.Measured).ToArray(), shape);
        var amplitude = new float[shape.Length];
        for (var i = 0; i < amplitude.Length; i++)
        {
            var mean = Math.Max(0, intensity[i].Re / sum * photons);
            var count = mean < 30 ? Knuth(random, mean) : Math.Max(0, Math.Round(mean + (Math.Sqrt(mean) * Gauss(random))));
            amplitude[i] = classes[i] == PixelClass.Measured ? (float)Math.Sqrt(count) : 0;
        }

        var state = new PhasingState(backend, shape);
        backend.Upload(amplitude, state.ObservedAmplitude);
        backend.Upload(classes, state.PixelClasses);
        var footprint = Cxdi.Plugins.Phasing.Support.ArrayTools.IfftShift<Complex32>(truth, shape).Select(z => z.Norm2 > 0 ? 1f : 0f).ToArray();
        Cxdi.Plugins.Phasing.Support.ArrayTools.GaussianBlur(footprint, shape, 1.0);
        var support = footprint.Select(v => v > 0.1f ? (byte)1 : (byte)0).ToArray();
        backend.Upload(support, state.Support);
        state.CountSupport();
        var start = support.Select(s => s != 0 ? Complex32.FromPolar((float)random.NextDouble(), (float)(2 * Math.PI * random.NextDouble())) : default).ToArray();
        backend.Upload(start, state.Object);
        var m = state.EvaluateMetrics();
        backend.Scale(state.Object, (float)Math.Sqrt(m.ObsSum / m.CalcSum));
        state.SyncPrevious();
        return (state, truth, shape);
    }

    private static double Knuth(Random random, double mean)
    {
        var limit = Math.Exp(-mean);
        var k = 0;
        var p = random.NextDouble();
        while (p > limit)
        {
            k++;
            p *= random.NextDouble();
        }

        return k;
    }

    private static double Gauss(Random random) => Math.Sqrt(-2 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>
    /// Phases <paramref name="data"/> with <paramref name="operators"/> from a random start inside the object's footprint
    /// dilated by about a pixel (5 % of the measured pixels held out), and returns the error to the truth and the
    /// log-likelihood on the fitted and on the held-out pixels.
    /// </summary>
    public static (double Error, double Llk, double FreeLlk) KnownSupportRun(DiffractionData data, string operators, IComputeBackend backend)
    {
        var shape = data.Shape;
        using var state = new PhasingState(backend, shape);
        var random = new Random(1);
        var amplitude = Cxdi.Plugins.Phasing.Support.ArrayTools.IfftShift<float>(data.Intensity.Select(v => MathF.Sqrt(v)).ToArray(), shape);
        var classes = Cxdi.Plugins.Phasing.Support.ArrayTools.IfftShift<byte>(data.Mask.Select(m => m != 0 ? PixelClass.Unknown : random.NextDouble() < 0.05 ? PixelClass.HeldOut : PixelClass.Measured).ToArray(), shape);
        backend.Upload(amplitude, state.ObservedAmplitude);
        backend.Upload(classes, state.PixelClasses);
        var footprint = Cxdi.Plugins.Phasing.Support.ArrayTools.IfftShift<Complex32>(data.GroundTruth!, shape).Select(z => z.Norm2 > 0 ? 1f : 0f).ToArray();
        Cxdi.Plugins.Phasing.Support.ArrayTools.GaussianBlur(footprint, shape, 1.0);
        var support = footprint.Select(v => v > 0.1f ? (byte)1 : (byte)0).ToArray();
        backend.Upload(support, state.Support);
        state.CountSupport();
        backend.Upload(support.Select(v => v != 0 ? Complex32.FromPolar((float)random.NextDouble(), (float)(2 * Math.PI * random.NextDouble())) : default).ToArray(), state.Object);
        var start = state.EvaluateMetrics();
        backend.Scale(state.Object, (float)Math.Sqrt(start.ObsSum / start.CalcSum));
        state.SyncPrevious();
        Operators.BuiltInOperators.Parse(operators).Apply(state);
        var m = state.EvaluateMetrics();
        var error = Canonicalizer.ErrorToTruth(data.GroundTruth!, Cxdi.Plugins.Phasing.Support.ArrayTools.FftShift<Complex32>(state.DownloadObject(), shape), shape, backend);
        return (error, m.Llk, m.FreeLlk);
    }
}
