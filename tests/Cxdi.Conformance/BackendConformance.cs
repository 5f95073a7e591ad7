using Cxdi.Plugins.Phasing.Compute;
using Cxdi.Plugins.Phasing.Engine;
using Cxdi.Plugins.Phasing.Operators;
using Cxdi.Plugins.Phasing.Simulation;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Cxdi.Testing;
using McMaster.NETCore.Plugins;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cxdi.Conformance;

/// <summary>
/// What every compute backend must do, written once and run against any provider: every core primitive and every fused
/// kernel against a reference on random data (2D and 3D, odd and even sizes), and a 200-cycle HIO + shrink-wrap
/// reconstruction against the managed CPU backend. Derive from it and return the backend under test from
/// <see cref="CreateBackend"/>: by type (<c>new MyProvider().Create(…)</c>) or from a plugin folder
/// (<see cref="FromPluginFolder"/>).
/// </summary>
public abstract class BackendConformance
{
    /// <summary>Shapes the kernel checks run on: even and odd, 2D and 3D.</summary>
    public static TheoryData<int[]> Shapes { get; } = new([32, 24], [15, 22], [7, 5, 9], [8, 6, 4]);

    /// <summary>The backend under test (a new instance per call; the suite disposes it).</summary>
    protected abstract IComputeBackend CreateBackend();

    /// <summary>
    /// Creates backend <paramref name="id"/> from the plugin folder <paramref name="folder"/> (a build output folder or a deployed one),
    /// loaded as the host loads plugins: its own load context, only the SDK and the Microsoft.Extensions abstractions shared.
    /// </summary>
    protected static IComputeBackend FromPluginFolder(string folder, string id)
    {
        // The plugin's assembly: <folder name>.dll, else the one assembly with a .deps.json beside it (its dependencies have none).
        var named = Path.Combine(folder, Path.GetFileName(Path.TrimEndingDirectorySeparator(folder)) + ".dll");
        var dll = Path.GetFullPath(File.Exists(named) ? named : Directory.EnumerateFiles(folder, "*.deps.json").Select(f => f[..^".deps.json".Length] + ".dll").Single(File.Exists));
        var loader = PluginLoader.CreateFromAssemblyFile(dll, [typeof(ICxdiPluginModule), typeof(IServiceCollection), typeof(ILogger), typeof(NullLogger)], config => config.PreferSharedTypes = true);
        var services = new ServiceCollection();
        foreach (var module in loader.LoadDefaultAssembly().GetTypes().Where(t => t is { IsClass: true, IsAbstract: false } && typeof(ICxdiPluginModule).IsAssignableFrom(t)))
        {
            ((ICxdiPluginModule)Activator.CreateInstance(module)!).Configure(services);
        }

        var type = services.Select(d => d.ImplementationInstance).OfType<PluginRegistration>()
            .Single(r => r.Attribute?.Id == id && typeof(IComputeBackendProvider).IsAssignableFrom(r.ImplementationType)).ImplementationType;
        var provider = (IComputeBackendProvider)Activator.CreateInstance(type)!;
        Assert.True(provider.IsAvailable(out var reason), $"{id} is not available: {reason}");
        return provider.Create((PluginOptions)Activator.CreateInstance(provider.OptionsType)!);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void CorePrimitives_MatchTheReference(int[] dims)
    {
        using var backend = CreateBackend();
        BackendChecks.CorePrimitives(backend, Shape.FromDimensions(dims));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void FusedKernels_MatchTheManagedKernels(int[] dims)
    {
        using var backend = CreateBackend();
        BackendChecks.FusedKernels(backend, Shape.FromDimensions(dims));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Fft_MatchesADirectDft_AndRoundTrips(int[] dims)
    {
        using var backend = CreateBackend();
        BackendChecks.Fft(backend, Shape.FromDimensions(dims));
    }

    [Fact]
    public void HioShrinkWrapRun_MatchesTheManagedCpuBackend()
    {
        BackendChecks.Reconstruction(CreateBackend, () => new ManagedCpuBackendProvider().Create(new CpuBackendOptions { Threads = 1 }));
    }
}

/// <summary>The checks of <see cref="BackendConformance"/>, callable on any backend; each fails with an xunit assertion naming the kernel and the difference.</summary>
public static class BackendChecks
{
    /// <summary>Relative tolerance of element-wise results (float32 arithmetic, different summation orders).</summary>
    public const double Tolerance = 2e-5;

    /// <summary>Each core primitive against the same formula on the host.</summary>
    public static void CorePrimitives(IComputeBackend backend, Shape shape)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var random = new Random(shape.GetHashCode());
        var x = RandomComplex(random, shape);
        var y = RandomComplex(random, shape);
        var r = RandomReal(random, shape);
        var m = RandomMask(random, shape);
        using var bx = Up(backend, x);
        using var by = Up(backend, y);
        using var br = Up(backend, r);
        using var bm = Up(backend, m);
        using var work = backend.AllocateComplex(shape);
        using var real = backend.AllocateReal(shape);
        using var mask = backend.AllocateMask(shape);

        backend.Copy(bx, work);
        Close("Copy", x, Down(backend, work));
        backend.Scale(work, 1.7f);
        Close("Scale", x.Select(v => 1.7f * v).ToArray(), Down(backend, work));
        backend.Copy(bx, work);
        backend.Scale(work, bm, 1f, -0.5f);
        Close("Scale(mask)", x.Select((v, i) => (m[i] != 0 ? 1f : -0.5f) * v).ToArray(), Down(backend, work));
        backend.Copy(bx, work);
        backend.Multiply(work, br);
        Close("Multiply(real)", x.Select((v, i) => r[i] * v).ToArray(), Down(backend, work));
        backend.Copy(bx, work);
        backend.Multiply(work, by);
        Close("Multiply(complex)", x.Select((v, i) => v * y[i]).ToArray(), Down(backend, work));
        backend.Copy(by, work);
        backend.Axpby(2f, bx, -0.5f, work);
        Close("Axpby", x.Select((v, i) => (2f * v) + (-0.5f * y[i])).ToArray(), Down(backend, work));
        backend.Abs(bx, real);
        Close("Abs", x.Select(v => v.Abs).ToArray(), Down(backend, real));
        backend.AbsSquared(bx, real);
        Close("AbsSquared", x.Select(v => v.Norm2).ToArray(), Down(backend, real));

        var level = 0.5f;
        var count = backend.Threshold(br, level, mask);
        var expectedMask = r.Select(v => v >= level ? (byte)1 : (byte)0).ToArray();
        Assert.Equal(expectedMask.Count(b => b != 0), count);
        Assert.Equal(expectedMask, Down(backend, mask));
        Assert.Equal(m.LongCount(b => b != 0), backend.Count(bm));
        Scalar("Sum", r.Sum(v => (double)v), backend.Sum(br));
        Scalar("Max", r.Max(), backend.Max(br));
        var (sum, n) = backend.SumOfSquares(br, bm);
        Scalar("SumOfSquares", r.Where((_, i) => m[i] != 0).Sum(v => (double)v * v), sum);
        Assert.Equal(m.LongCount(b => b != 0), n);
        Scalar("SumOfSquares(all)", r.Sum(v => (double)v * v), backend.SumOfSquares(br, null).SumOfSquares);
        var dot = backend.Dot(bx, by);
        var expected = new System.Numerics.Complex(x.Select((v, i) => ((double)v.Re * y[i].Re) + ((double)v.Im * y[i].Im)).Sum(), x.Select((v, i) => ((double)v.Re * y[i].Im) - ((double)v.Im * y[i].Re)).Sum());
        Scalar("Dot (real part)", expected.Real, dot.Real, scale: expected.Magnitude);
        Scalar("Dot (imaginary part)", expected.Imaginary, dot.Imaginary, scale: expected.Magnitude);
        Assert.True(backend.AvailableMemory > 0, "AvailableMemory must be positive");
    }

    /// <summary>Each fused kernel against <see cref="ManagedKernels"/>, with the built-in update rules (vectorisable and not).</summary>
    public static void FusedKernels(IComputeBackend backend, Shape shape)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var random = new Random(shape.GetHashCode() + 1);
        var psi = RandomComplex(random, shape);
        var amplitude = RandomReal(random, shape);
        var classes = Enumerable.Range(0, (int)shape.Length).Select(_ => (byte)random.Next(3)).ToArray();
        psi[0] = default;
        using var bPsi = Up(backend, psi, shape);
        using var bAmp = Up(backend, amplitude);
        using var bClasses = Up(backend, classes);
        foreach (var (project, metrics) in new[] { (true, true), (true, false), (false, true) })
        {
            backend.Upload(psi, bPsi);
            var got = backend.ProjectModulus(bPsi, bAmp, bClasses, project, metrics);
            var want = (Complex32[])psi.Clone();
            var wantMetrics = ManagedKernels.ProjectModulus(want, amplitude, classes, project, metrics);
            Close($"ProjectModulus(project: {project}, metrics: {metrics})", want, Down(backend, bPsi));
            Scalar("ProjectModulus LLK", wantMetrics.LlkSum, got.LlkSum, 1e-4);
            Scalar("ProjectModulus free LLK", wantMetrics.FreeLlkSum, got.FreeLlkSum, 1e-4);
            Scalar("ProjectModulus χ²", wantMetrics.Chi2Sum, got.Chi2Sum, 1e-4);
            Scalar("ProjectModulus calculated sum", wantMetrics.CalcSum, got.CalcSum, 1e-4);
            Scalar("ProjectModulus observed sum", wantMetrics.ObsSum, got.ObsSum, 1e-4);
            Assert.Equal(wantMetrics.Count, got.Count);
            Assert.Equal(wantMetrics.FreeCount, got.FreeCount);
        }

        // The bounded constraint at unknown pixels: about half the pixels carry a range (NaN elsewhere), some below, inside and above it.
        var lower = new float[shape.Length];
        var upper = new float[shape.Length];
        for (var i = 0; i < lower.Length; i++)
        {
            var bounded = random.NextDouble() < 0.5;
            lower[i] = bounded ? (float)random.NextDouble() : float.NaN;
            upper[i] = bounded ? lower[i] + (float)random.NextDouble() : float.NaN;
        }

        using var bLower = Up(backend, lower, shape);
        using var bUpper = Up(backend, upper, shape);
        backend.Upload(psi, bPsi);
        var clamped = backend.ClampAmplitude(bPsi, bLower, bUpper, bClasses);
        var wantClamped = (Complex32[])psi.Clone();
        Assert.Equal(ManagedKernels.ClampAmplitude(wantClamped, lower, upper, classes), clamped);
        Close("ClampAmplitude", wantClamped, Down(backend, bPsi));

        var support = RandomMask(random, shape);

        // Whole blocks inside and outside the support, as real supports have, so vectorised paths run too.
        for (var i = 0; i < support.Length / 3; i++)
        {
            support[i] = 1;
        }

        for (var i = support.Length / 3; i < 2 * support.Length / 3; i++)
        {
            support[i] = 0;
        }

        var previous = RandomComplex(random, shape);
        Update(backend, psi, previous, support, new ErRule(false, false));
        Update(backend, psi, previous, support, new ErRule(true, true));
        Update(backend, psi, previous, support, new HioRule(0.8f, false, false));
        Update(backend, psi, previous, support, new HioRule(0.8f, true, false));
        Update(backend, psi, previous, support, new RaarRule(0.7f, false, false));
        Update(backend, psi, previous, support, new RaarRule(0.7f, false, true));
        Update(backend, psi, previous, support, new DmRule(false, false));
        Update(backend, psi, previous, support, new CfRule(true));

        var values = RandomReal(random, shape);
        using var bValues = Up(backend, values, shape);
        backend.GaussianBlur(bValues, 1.3f);
        var blurred = (float[])values.Clone();
        ManagedKernels.GaussianBlur(blurred, shape, 1.3f);
        Close("GaussianBlur", blurred, Down(backend, bValues));

        backend.Upload(psi, bPsi);
        backend.GaussianFourierFilter(bPsi, 2.5f);
        var filtered = (Complex32[])psi.Clone();
        ManagedKernels.GaussianFourierFilter(filtered, shape, 2.5f);
        Close("GaussianFourierFilter", filtered, Down(backend, bPsi));

        using var bSupport = Up(backend, support);
        backend.Upload(psi, bPsi);
        var energy = backend.Energy(bPsi, bSupport);
        var wantEnergy = ManagedKernels.Energy(psi, support);
        Scalar("Energy inside", wantEnergy.Inside, energy.Inside, 1e-5);
        Scalar("Energy outside", wantEnergy.Outside, energy.Outside, 1e-5);
    }

    /// <summary>The device FFT against a direct DFT in double precision, the host transform against the device FFT, and inverse(forward(x)) = x.</summary>
    public static void Fft(IComputeBackend backend, Shape shape)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var random = new Random(shape.GetHashCode() + 2);
        var data = RandomComplex(random, shape);
        using var reference = new CoreOnlyBackend();
        using var refBuffer = Up(reference, data, shape);
        using var refPlan = reference.CreateFftPlan(shape);
        reference.Fft(refPlan, refBuffer, FftDirection.Forward);
        var expected = Down(reference, refBuffer);

        using var buffer = Up(backend, data, shape);
        using var plan = backend.CreateFftPlan(shape);
        backend.Fft(plan, buffer, FftDirection.Forward);
        Close("Fft(forward)", expected, Down(backend, buffer), 1e-5);
        var host = (Complex32[])data.Clone();
        backend.Transform(host, shape, FftDirection.Forward);
        Close("Transform(forward)", expected, host, 1e-5);
        backend.Fft(plan, buffer, FftDirection.Inverse);
        Close("Fft(inverse) ∘ Fft(forward)", data, Down(backend, buffer), 1e-5);
    }

    /// <summary>
    /// 200-cycle HIO + shrink-wrap runs (<c>ER**100 * (Sup * HIO**20)**5</c>) on a simulated 64² pattern of a real positive
    /// object, from the same three random starts on the backend from <paramref name="create"/> and on the one from
    /// <paramref name="reference"/>. HIO amplifies round-off chaotically, so a start may end in another basin on another
    /// FFT; the stated tolerance is therefore: the median final log-likelihood within 5 % (+ 1e-3) of the reference's, and
    /// at least two of the three starts matching the reference run (final LLK within 5 %, support IoU ≥ 0.95, object
    /// relative difference ≤ 5 %).
    /// </summary>
    public static void Reconstruction(Func<IComputeBackend> create, Func<IComputeBackend> reference)
    {
        ArgumentNullException.ThrowIfNull(create);
        ArgumentNullException.ThrowIfNull(reference);
        DiffractionData data;
        using (var simulator = reference())
        {
            data = Simulator.Simulate(new SimulateOptions { Size = 64, Oversampling = 4, Photons = 1e9, Seed = 8, Complex = false, BeamstopRadius = 0, Blobs = 3 }, simulator);
        }

        var report = new List<string>();
        var gotLlk = new List<double>();
        var wantLlk = new List<double>();
        var matching = 0;
        foreach (var seed in new long[] { 3, 4, 5 })
        {
            var options = new PhaseOptions
            {
                Operators = "ER**100 * (Sup * HIO**20)**5",
                Runs = 1,
                Keep = 1,
                Seed = seed,
                Threads = 1,
                ParallelRuns = 1,
                Support = InitialSupportSource.Circle,
                SupportSize = 20,
                Positivity = true,
                FreeFraction = 0,
                InitPhaseRange = 0, // a real positive start, for which the tolerances below were set

                // The shrink-wrap for which they were set, too: 0.25 of the rms, σ 2 → 0.5 px.
                SupportThreshold = 0.25,
                SupportThresholdReference = SupportThresholdReference.Rms,
                SupportSigmaStart = 2,
                SupportSigmaEnd = 0.5,
            };
            var want = new PhasePlugin().Reconstruct(data.Clone(), options, new StepContext { Plugins = new OneBackend(reference) }).Runs[0];
            var got = new PhasePlugin().Reconstruct(data.Clone(), options, new StepContext { Plugins = new OneBackend(create) }).Runs[0];
            Assert.True(got.State == want.State, $"seed {seed}: run state {got.State} ({got.Reason}) against {want.State} on the reference");
            gotLlk.Add(got.Llk);
            wantLlk.Add(want.Llk);
            long both = 0, either = 0;
            for (var i = 0; i < got.Support!.Length; i++)
            {
                both += got.Support[i] != 0 && want.Support![i] != 0 ? 1 : 0;
                either += got.Support[i] != 0 || want.Support![i] != 0 ? 1 : 0;
            }

            var iou = either == 0 ? 1 : both / (double)either;
            var diff = PhaserConformance.RelativeDifference(want.Object!, got.Object!);
            var llkClose = Math.Abs(got.Llk - want.Llk) <= (0.05 * Math.Abs(want.Llk)) + 1e-3;
            matching += llkClose && iou >= 0.95 && diff <= 0.05 ? 1 : 0;
            report.Add($"seed {seed}: LLK {got.Llk:G4} (reference {want.Llk:G4}), support IoU {iou:F3}, object difference {diff:G3}");
        }

        var medianGot = gotLlk.Order().ElementAt(1);
        var medianWant = wantLlk.Order().ElementAt(1);
        Assert.True(Math.Abs(medianGot - medianWant) <= (0.05 * Math.Abs(medianWant)) + 1e-3, $"median final LLK {medianGot:G4} against {medianWant:G4}; {string.Join("; ", report)}");
        Assert.True(matching >= 2, $"{matching} of 3 starts match the reference; {string.Join("; ", report)}");
    }

    private static void Update<TRule>(IComputeBackend backend, Complex32[] projected, Complex32[] previous, byte[] support, TRule rule)
        where TRule : struct, IObjectUpdateRule
    {
        using var current = Up(backend, projected);
        using var old = Up(backend, previous);
        using var mask = Up(backend, support);
        backend.UpdateObject(current, old, mask, rule);
        var want = (Complex32[])projected.Clone();
        var wantOld = (Complex32[])previous.Clone();
        ManagedKernels.UpdateObject(want, wantOld, support, rule);
        Close($"UpdateObject({rule})", want, Down(backend, current));
        Close($"UpdateObject({rule}) previous", wantOld, Down(backend, old));
        if (!rule.ReadsPrevious)
        {
            backend.Upload(projected, current);
            backend.UpdateObject(current, null, mask, rule);
            Close($"UpdateObject({rule}) without previous", want, Down(backend, current));
        }
    }

    private static Complex32[] RandomComplex(Random random, Shape shape) =>
        Enumerable.Range(0, (int)shape.Length).Select(_ => new Complex32((float)random.NextDouble() - 0.3f, (float)random.NextDouble() - 0.6f)).ToArray();

    private static float[] RandomReal(Random random, Shape shape) => Enumerable.Range(0, (int)shape.Length).Select(_ => (float)random.NextDouble()).ToArray();

    private static byte[] RandomMask(Random random, Shape shape) => Enumerable.Range(0, (int)shape.Length).Select(_ => (byte)(random.Next(2) * random.Next(1, 3))).ToArray();

    private static ComplexBuffer Up(IComputeCore backend, Complex32[] values, Shape? shape = null)
    {
        var b = backend.AllocateComplex(shape ?? Shape.Of(1, values.Length));
        backend.Upload(values, b);
        return b;
    }

    private static RealBuffer Up(IComputeCore backend, float[] values, Shape? shape = null)
    {
        var b = backend.AllocateReal(shape ?? Shape.Of(1, values.Length));
        backend.Upload(values, b);
        return b;
    }

    private static MaskBuffer Up(IComputeCore backend, byte[] values)
    {
        var b = backend.AllocateMask(Shape.Of(1, values.Length));
        backend.Upload(values, b);
        return b;
    }

    private static Complex32[] Down(IComputeCore backend, ComplexBuffer b)
    {
        var v = new Complex32[b.Length];
        backend.Download(b, v);
        return v;
    }

    private static float[] Down(IComputeCore backend, RealBuffer b)
    {
        var v = new float[b.Length];
        backend.Download(b, v);
        return v;
    }

    private static byte[] Down(IComputeCore backend, MaskBuffer b)
    {
        var v = new byte[b.Length];
        backend.Download(b, v);
        return v;
    }

    private static void Close(string what, Complex32[] want, Complex32[] got, double tolerance = Tolerance)
    {
        Assert.Equal(want.Length, got.Length);
        double scale = 0;
        foreach (var v in want)
        {
            scale = Math.Max(scale, v.Abs);
        }

        for (var i = 0; i < want.Length; i++)
        {
            var d = (want[i] - got[i]).Abs;
            Assert.True(d <= tolerance * Math.Max(1, scale), $"{what}: element {i} is {got[i]}, the reference gives {want[i]}");
        }
    }

    private static void Close(string what, float[] want, float[] got, double tolerance = Tolerance)
    {
        Assert.Equal(want.Length, got.Length);
        var scale = Math.Max(1, want.Max(Math.Abs));
        for (var i = 0; i < want.Length; i++)
        {
            Assert.True(Math.Abs(want[i] - got[i]) <= tolerance * scale, $"{what}: element {i} is {got[i]}, the reference gives {want[i]}");
        }
    }

    private static void Scalar(string what, double want, double got, double tolerance = Tolerance, double scale = 0) =>
        Assert.True(Math.Abs(want - got) <= tolerance * Math.Max(1, Math.Max(scale, Math.Abs(want))), $"{what}: {got:G9}, the reference gives {want:G9}");

    /// <summary>A resolver that hands the phaser one backend.</summary>
    private sealed class OneBackend(Func<IComputeBackend> create) : IPluginResolver
    {
        public (T Plugin, PluginOptions Options) Resolve<T>(string id, IReadOnlyDictionary<string, object?>? options = null)
            where T : class, IPlugin => throw new InvalidOperationException($"the backend check resolves no plugin ({id})");

        public IComputeBackend CreateBackend(string? id = null) => create();
    }
}

/// <summary>The CPU backend with FFTW (when installed), created by type.</summary>
public sealed class CpuBackendConformance : BackendConformance
{
    /// <inheritdoc />
    protected override IComputeBackend CreateBackend() => new CpuBackendProvider().Create(new CpuBackendOptions { Threads = 2 });
}

/// <summary>The CPU backend with the managed FFT, created from the phasing plugin's build folder (as a third party's backend would be loaded).</summary>
public sealed class ManagedCpuBackendConformance : BackendConformance
{
    /// <inheritdoc />
    protected override IComputeBackend CreateBackend() => FromPluginFolder(BuiltInPlugins.BuildFolder("Cxdi.Plugins.Phasing"), "cxdi.cpu-managed");
}

/// <summary>A backend that implements only the core of the contract: every fused kernel runs through the managed defaults.</summary>
public sealed class CoreOnlyBackendConformance : BackendConformance
{
    /// <inheritdoc />
    protected override IComputeBackend CreateBackend() => new CoreOnlyBackend();
}

/// <summary>The conformance suite catches wrong kernels.</summary>
public sealed class ConformanceCatchesWrongKernelsTests
{
    [Fact]
    public void WrongObjectUpdate_FailsTheFusedKernelCheck() =>
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => BackendChecks.FusedKernels(new WrongUpdateBackend(), Shape.Of(15, 22)));

    [Fact]
    public void WrongMetrics_FailTheFusedKernelCheck() =>
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => BackendChecks.FusedKernels(new WrongMetricsBackend(), Shape.Of(8, 6, 4)));

    [Fact]
    public void WrongAxpby_FailsTheCoreCheck() =>
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => BackendChecks.CorePrimitives(new WrongAxpbyBackend(), Shape.Of(7, 5, 9)));

    /// <summary>Feedback updates that forget to write the previous object.</summary>
    private sealed class WrongUpdateBackend : CoreOnlyBackend
    {
        public override void UpdateObject<TRule>(ComplexBuffer current, ComplexBuffer? previous, MaskBuffer support, TRule rule) =>
            base.UpdateObject(current, null, support, new Cxdi.Plugins.Phasing.Operators.ErRule(false, false));
    }

    /// <summary>Metrics from the values after the projection instead of before.</summary>
    private sealed class WrongMetricsBackend : CoreOnlyBackend
    {
        public override FourierMetrics ProjectModulus(ComplexBuffer psi, RealBuffer observedAmplitude, MaskBuffer pixelClass, bool project, bool metrics)
        {
            base.ProjectModulus(psi, observedAmplitude, pixelClass, project, metrics: false);
            return base.ProjectModulus(psi, observedAmplitude, pixelClass, project: false, metrics);
        }
    }

    /// <summary>y ← a·x + y, ignoring b.</summary>
    private sealed class WrongAxpbyBackend : CoreOnlyBackend
    {
        public override void Axpby(float a, ComplexBuffer x, float b, ComplexBuffer y) => base.Axpby(a, x, 1, y);
    }
}
