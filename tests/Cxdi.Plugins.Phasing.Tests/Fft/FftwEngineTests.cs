using Cxdi.Plugins.Phasing.Fft;
using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Phasing.Tests.Fft;

public sealed class FftwEngineTests
{
    [FftwTheory]
    [InlineData(new[] { 8, 12 })]
    [InlineData(new[] { 15, 14 })]
    [InlineData(new[] { 7, 25 })]
    [InlineData(new[] { 11, 13 })]
    [InlineData(new[] { 6, 10, 12 })]
    public void ForwardAndInverse_MatchNaiveDft(int[] dims)
    {
        using var engine = new FftwEngine(FftReference.ShapeOf(dims), 1, FftPlanning.Estimate);
        FftReference.CheckAgainstNaive(engine, seed: 11);
    }

    [FftwTheory]
    [InlineData(new[] { 64, 64 }, 1)]
    [InlineData(new[] { 60, 90 }, 2)]
    [InlineData(new[] { 16, 12, 20 }, 2)]
    [InlineData(new[] { 256, 256 }, 2)]
    [InlineData(new[] { 32, 48, 64 }, 3)]
    public void InverseOfForward_IsIdentity(int[] dims, int threads)
    {
        Shape shape = FftReference.ShapeOf(dims);
        using var engine = new FftwEngine(shape, threads, FftPlanning.Estimate);
        Assert.Equal(Math.Clamp((int)(shape.Length / 32768), 1, threads), engine.Threads);
        FftReference.CheckRoundTrip(engine, seed: 12);
    }

    [FftwFact]
    public void Forward_PreservesEnergyTimesN()
    {
        using var engine = new FftwEngine(Shape.Of(48, 40), 1, FftPlanning.Estimate);
        FftReference.CheckParseval(engine, seed: 13);
    }

    [FftwFact]
    public void UnalignedSpan_GivesSameResultAsAligned()
    {
        using var engine = new FftwEngine(Shape.Of(6, 10, 12), 1, FftPlanning.Estimate);
        FftReference.CheckUnalignedSpan(engine, seed: 14);
    }

    [FftwFact]
    public unsafe void LargeUnalignedSpan_IsTransformedInPlace_AndMatchesAligned()
    {
        // From 2^22 values an unaligned array gets FFTW_UNALIGNED plans (no aligned copy): other codelets, so rounding
        // may differ from the aligned plan's, within float accuracy.
        var shape = Shape.Of(2048, 2048);
        using var engine = new FftwEngine(shape, 2, FftPlanning.Estimate);
        var n = checked((int)shape.Length);
        var random = new Random(15);
        using var aligned = new AlignedComplexBuffer(n);
        using var shifted = new AlignedComplexBuffer(n + 1);
        Span<Complex32> a = aligned.Span;
        Span<Complex32> u = shifted.Span[1..];
        for (var i = 0; i < n; i++)
        {
            a[i] = u[i] = new Complex32((float)random.NextDouble() - 0.5f, (float)random.NextDouble() - 0.5f);
        }

        foreach (var inverse in new[] { false, true })
        {
            if (inverse)
            {
                engine.Inverse(a);
                engine.Inverse(u);
            }
            else
            {
                engine.Forward(a);
                engine.Forward(u);
            }

            double worst = 0, scale = 0;
            for (var i = 0; i < n; i++)
            {
                worst = Math.Max(worst, (a[i] - u[i]).Abs);
                scale = Math.Max(scale, a[i].Abs);
            }

            Assert.True(worst <= 1e-5 * scale, $"{(inverse ? "inverse" : "forward")}: unaligned differs from aligned by {worst:G3} (max |value| {scale:G3})");
        }
    }

    [FftwFact]
    public void SameShapeAndThreads_ReuseOnePlan()
    {
        Shape shape = Shape.Of(24, 36);
        using var first = new FftwEngine(shape, 1, FftPlanning.Estimate);
        using var second = new FftwEngine(shape, 1, FftPlanning.Estimate);
        using var other = new FftwEngine(Shape.Of(36, 24), 1, FftPlanning.Estimate);
        Assert.Equal(first.ForwardPlan, second.ForwardPlan);
        Assert.NotEqual(first.ForwardPlan, other.ForwardPlan);
    }

    [FftwFact]
    public void ConcurrentEngines_GiveCorrectResults()
    {
        Shape[] shapes = [Shape.Of(32, 48), Shape.Of(8, 12, 10), Shape.Of(50, 30), Shape.Of(32, 48)];
        Complex32[][] inputs = shapes.Select((s, i) => FftReference.Random((int)s.Length, 100 + i)).ToArray();
        Complex32[][] expected = new Complex32[shapes.Length][];
        for (int i = 0; i < shapes.Length; i++)
        {
            using var engine = new FftwEngine(shapes[i], 1, FftPlanning.Estimate);
            expected[i] = (Complex32[])inputs[i].Clone();
            engine.Forward(expected[i]);
        }

        Parallel.For(0, shapes.Length * 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, job =>
        {
            int i = job % shapes.Length;
            using var engine = new FftwEngine(shapes[i], 1 + (job % 2), FftPlanning.Estimate);
            for (int repeat = 0; repeat < 5; repeat++)
            {
                Complex32[] data = (Complex32[])inputs[i].Clone();
                engine.Forward(data);
                Assert.True(FftReference.RelativeL2(data, expected[i]) <= 1e-6);
                engine.Inverse(data);
                Assert.True(FftReference.RelativeL2(data, inputs[i]) <= 1e-6);
            }
        });
    }

    [FftwFact]
    public void WrongLength_IsRejected()
    {
        using var engine = new FftwEngine(Shape.Of(8, 8), 1, FftPlanning.Estimate);
        Assert.Throws<ArgumentException>(() => engine.Forward(new Complex32[63]));
    }

    [FftwFact]
    public void FactoryAuto_PicksFftwWhenAvailable()
    {
        using IFftEngine engine = FftEngines.Create(Shape.Of(16, 16), 1, FftPreference.Auto, FftPlanning.Estimate);
        Assert.IsType<FftwEngine>(engine);
        Assert.StartsWith("FFTW", engine.Name);
        Assert.Contains("FFTW", FftEngines.Describe());
        Assert.Contains("3", FftwEngine.Version);
    }

    [FftwFact]
    public void FactoryFastest_KeepsOneDecisionPerShape()
    {
        Shape shape = Shape.Of(40, 56);
        using IFftEngine first = FftEngines.Create(shape, 1, FftPreference.Fastest, FftPlanning.Estimate);
        using IFftEngine second = FftEngines.Create(shape, 1, FftPreference.Fastest, FftPlanning.Estimate);
        Assert.Equal(first.GetType(), second.GetType());
        FftReference.CheckRoundTrip(second, seed: 15);
    }

    [FftwFact]
    public void ReleaseUnusedPlans_KeepsPlansOfLiveEngines()
    {
        Shape shape = Shape.Of(23, 29);
        using var live = new FftwEngine(shape, 1, FftPlanning.Estimate);
        nint handle = live.ForwardPlan;
        using (new FftwEngine(Shape.Of(29, 23), 1, FftPlanning.Estimate))
        {
        }

        FftwEngine.ReleaseUnusedPlans();
        Assert.True(FftwEngine.CachedPlanCount >= 2);
        using var again = new FftwEngine(shape, 1, FftPlanning.Estimate);
        Assert.Equal(handle, again.ForwardPlan);
        FftReference.CheckRoundTrip(again, seed: 16);
        using var recreated = new FftwEngine(Shape.Of(29, 23), 1, FftPlanning.Estimate);
        FftReference.CheckRoundTrip(recreated, seed: 17);
    }
}
