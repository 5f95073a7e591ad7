using Cxdi.Plugins.Phasing.Fft;
using Cxdi.Plugins.Phasing.Fft.Managed;
using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Phasing.Tests.Fft;

public sealed class ManagedFftEngineTests
{
    [Theory]
    [InlineData(new[] { 8, 12 }, 1)]
    [InlineData(new[] { 15, 14 }, 2)]
    [InlineData(new[] { 7, 25 }, 1)]
    [InlineData(new[] { 11, 13 }, 2)]
    [InlineData(new[] { 17, 23 }, 1)]
    [InlineData(new[] { 1, 16 }, 1)]
    [InlineData(new[] { 9, 1 }, 1)]
    [InlineData(new[] { 6, 10, 12 }, 1)]
    [InlineData(new[] { 3, 19, 8 }, 3)]
    [InlineData(new[] { 5, 4, 9 }, 2)]
    public void ForwardAndInverse_MatchNaiveDft(int[] dims, int threads)
    {
        using var engine = new ManagedFftEngine(FftReference.ShapeOf(dims), threads);
        FftReference.CheckAgainstNaive(engine, seed: 21);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(13)]
    [InlineData(31)]
    [InlineData(97)]
    [InlineData(100)]
    [InlineData(1000)]
    [InlineData(2048)]
    public void LinePlan_ChoosesRadicesOrBluestein(int n)
    {
        using var plan = new LinePlan(n);
        Assert.Equal(n is 31 or 97, plan.IsBluestein);
    }

    [Theory]
    [InlineData(new[] { 64, 64 }, 1)]
    [InlineData(new[] { 60, 90 }, 2)]
    [InlineData(new[] { 16, 12, 20 }, 2)]
    [InlineData(new[] { 37, 41 }, 2)]
    [InlineData(new[] { 48, 40, 20 }, 3)]
    public void InverseOfForward_IsIdentity(int[] dims, int threads)
    {
        using var engine = new ManagedFftEngine(FftReference.ShapeOf(dims), threads);
        FftReference.CheckRoundTrip(engine, seed: 22);
    }

    [Fact]
    public void Forward_PreservesEnergyTimesN()
    {
        using var engine = new ManagedFftEngine(Shape.Of(48, 40), 2);
        FftReference.CheckParseval(engine, seed: 23);
    }

    [Fact]
    public void UnalignedSpan_GivesSameResultAsAligned()
    {
        using var engine = new ManagedFftEngine(Shape.Of(6, 10, 16), 1);
        FftReference.CheckUnalignedSpan(engine, seed: 24);
    }

    [Fact]
    public void Transforms_AllocateNothingAfterWarmUp()
    {
        using var engine = new ManagedFftEngine(Shape.Of(8, 24, 40), 1);
        Complex32[] data = FftReference.Random((int)engine.Shape.Length, 25);
        engine.Forward(data);
        engine.Inverse(data);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            engine.Forward(data);
            engine.Inverse(data);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }

    [Theory]
    [InlineData(new[] { 48, 64, 64 }, 3)]
    [InlineData(new[] { 512, 264 }, 2)]
    public void ThreadCount_DoesNotChangeResults(int[] dims, int threads)
    {
        Shape shape = FftReference.ShapeOf(dims);
        using var single = new ManagedFftEngine(shape, 1);
        using var shared = new ManagedFftEngine(shape, threads);
        Complex32[] input = FftReference.Random((int)shape.Length, 27);
        Complex32[] a = (Complex32[])input.Clone(), b = (Complex32[])input.Clone();
        for (int repeat = 0; repeat < 4; repeat++)
        {
            single.Forward(a);
            shared.Forward(b);
            Assert.True(a.AsSpan().SequenceEqual(b), $"forward {repeat}");
            single.Inverse(a);
            shared.Inverse(b);
            Assert.True(a.AsSpan().SequenceEqual(b), $"inverse {repeat}");
        }

        Assert.True(FftReference.RelativeL2(b, input) <= 1e-5);
    }

    [Fact]
    public void ConcurrentEngines_GiveCorrectResults()
    {
        Shape[] shapes = [Shape.Of(32, 48), Shape.Of(8, 12, 10), Shape.Of(50, 30), Shape.Of(32, 48)];
        Complex32[][] inputs = shapes.Select((s, i) => FftReference.Random((int)s.Length, 200 + i)).ToArray();
        Complex32[][] expected = shapes.Select((s, i) => FftReference.NaiveDftSeparable(inputs[i], s)).ToArray();
        Parallel.For(0, shapes.Length * 3, new ParallelOptions { MaxDegreeOfParallelism = 4 }, job =>
        {
            int i = job % shapes.Length;
            using var engine = new ManagedFftEngine(shapes[i], 1 + (job % 2));
            for (int repeat = 0; repeat < 5; repeat++)
            {
                Complex32[] data = (Complex32[])inputs[i].Clone();
                engine.Forward(data);
                Assert.True(FftReference.RelativeL2(data, expected[i]) <= 1e-5);
                engine.Inverse(data);
                Assert.True(FftReference.RelativeL2(data, inputs[i]) <= 1e-6);
            }
        });
    }

    [Fact]
    public void FactoryManaged_GivesManagedEngine()
    {
        using IFftEngine engine = FftEngines.Create(Shape.Of(16, 16), 2, FftPreference.Managed);
        Assert.IsType<ManagedFftEngine>(engine);
        Assert.Equal(2, engine.Threads);
        Assert.Contains("managed", engine.Name);
        Assert.Contains("managed", FftEngines.Describe());
    }

    [FftwTheory]
    [InlineData(new[] { 64, 64 })]
    [InlineData(new[] { 60, 90 })]
    [InlineData(new[] { 32, 32, 32 })]
    [InlineData(new[] { 4, 1009 })]
    [InlineData(new[] { 5, 7, 31 })]
    [InlineData(new[] { 256, 130 })]
    public void Managed_AgreesWithFftw(int[] dims)
    {
        Shape shape = FftReference.ShapeOf(dims);
        Complex32[] input = FftReference.Random((int)shape.Length, 26);
        using var managed = new ManagedFftEngine(shape, 2);
        using var fftw = new FftwEngine(shape, 2, FftPlanning.Estimate);
        foreach (bool inverse in new[] { false, true })
        {
            Complex32[] a = (Complex32[])input.Clone(), b = (Complex32[])input.Clone();
            if (inverse)
            {
                managed.Inverse(a);
                fftw.Inverse(b);
            }
            else
            {
                managed.Forward(a);
                fftw.Forward(b);
            }

            double difference = FftReference.RelativeL2(a, b);
            Assert.True(difference <= 1e-5, $"{shape} {(inverse ? "inverse" : "forward")}: managed vs FFTW {difference:E2}");
        }
    }
}
